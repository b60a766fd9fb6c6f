"""The stations' daily VN_AQI counted per province, local day and category
(`ProvinceDayAqi`), kept by triggers (see `monitoring.summaries`): whoever writes a daily index
— the AQI worker (`services._replace`), a cascade from a deleted station, an import — the
triggers follow it in the same transaction. The dashboard reads its main cities' days here:
a day's category is its worst station's, the highest category counted.

Only counts are kept, so each row's change is a difference applied to its province-day, as
for the other summaries. The category of an index is worked out in SQL from the value and
`vn_aqi.CATEGORIES`' upper bounds (the index is an integer, so no rounding is involved); a
day without an index (no pollutant's data) is not counted.

A station belongs to its province: when a station moves, a second set of triggers, on
`registry_station`, takes its days from the old province and gives them to the new one
(`MOVES`), so the counts stay those of the stations' provinces now, as a GROUP BY would give.
"""

from __future__ import annotations

from envhub.airquality import vn_aqi
from envhub.airquality.models import ProvinceDayAqi
from envhub.core.raw_rows import raw_rows
from envhub.core.timeutil import day_from_db
from envhub.monitoring.summaries import Summary, body, register, row_triggers

__all__ = ["MOVES", "SUMMARY", "ProvinceDayAqi", "category_columns", "worst_categories"]

TABLE = "airquality_provincedayaqi"
SOURCE = "airquality_dailyaqi"


def category_columns() -> list[str]:
    """The summary's count column of each category, lowest first (a category's code)."""
    return [category.code for category in vn_aqi.CATEGORIES]


COLUMNS = ("province_id", "day", "stations", *category_columns())
_SUMS = COLUMNS[2:]


def _counts(aqi: str) -> list[str]:
    """The SQL of each of `_SUMS` for one index `aqi`: 1 station, and 1 in its category (above
    the previous category's top, up to its own; the last one has no top)."""
    counts = ["1"]
    for index, category in enumerate(vn_aqi.CATEGORIES):
        bounds = [f"{aqi} > {vn_aqi.CATEGORIES[index - 1].high}"] if index else []
        if category is not vn_aqi.CATEGORIES[-1]:
            bounds.append(f"{aqi} <= {category.high}")
        counts.append(f"CASE WHEN {' AND '.join(bounds)} THEN 1 ELSE 0 END")
    return counts


def _take(row: str) -> list[str]:
    sets = ", ".join(f"{column} = {column} - ({count})"
                     for column, count in zip(_SUMS, _counts(f"{row}.aqi"), strict=True))
    where = (f"province_id = (SELECT st.province_id FROM registry_station st "
             f"WHERE st.id = {row}.station_id) AND day = {row}.day")
    return [f"UPDATE {TABLE} SET {sets} WHERE {where} AND {row}.aqi IS NOT NULL",
            f"DELETE FROM {TABLE} WHERE {where} AND stations <= 0"]


def _add(row: str) -> str:
    values = ", ".join(["st.province_id", f"{row}.day", *_counts(f"{row}.aqi")])
    sets = ", ".join(f"{column} = {TABLE}.{column} + excluded.{column}" for column in _SUMS)
    return (f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {values} "
            f"FROM registry_station st WHERE st.id = {row}.station_id AND {row}.aqi IS NOT NULL "
            f"ON CONFLICT (province_id, day) DO UPDATE SET {sets}")


# The worker replaces a station's days (delete, then insert); an update counts only when the
# index or its station or day changed. OLD's days are taken while the station is still where
# they were counted: an update that moves a row to another station reads each one's province.
_CHANGED = ("OLD.station_id <> NEW.station_id OR OLD.day <> NEW.day OR "
            "OLD.aqi IS DISTINCT FROM NEW.aqi")

POSTGRESQL, SQLITE = row_triggers(TABLE, SOURCE, f"{SOURCE}_province",
                                  lambda row, _vendor: _take(row),
                                  lambda row, _vendor: _add(row), _CHANGED)


def _station_days(station: str) -> str:
    """A station's days with an index, counted as the summary counts them."""
    return ("SELECT q.day AS day, " + ", ".join(
        f"SUM({count}) AS {column}" for column, count in zip(_SUMS, _counts("q.aqi"),
                                                             strict=True))
        + f" FROM {SOURCE} q WHERE q.station_id = {station}.id AND q.aqi IS NOT NULL "
        "GROUP BY q.day")


def _move(old: str, new: str) -> list[str]:
    """Take a moved station's days from `old`'s province and add them to `new`'s."""
    sets = ", ".join(f"{column} = {TABLE}.{column} - x.{column}" for column in _SUMS)
    adds = ", ".join(f"{column} = {TABLE}.{column} + excluded.{column}" for column in _SUMS)
    return [
        f"UPDATE {TABLE} SET {sets} FROM ({_station_days(old)}) AS x "
        f"WHERE {TABLE}.province_id = {old}.province_id AND {TABLE}.day = x.day",
        f"DELETE FROM {TABLE} WHERE province_id = {old}.province_id AND stations <= 0",
        f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) SELECT {new}.province_id, x.* "
        f"FROM ({_station_days(new)}) AS x WHERE true "
        f"ON CONFLICT (province_id, day) DO UPDATE SET {adds}",
    ]


_MOVED = "OLD.province_id <> NEW.province_id"
MOVES_POSTGRESQL = [
    f"CREATE OR REPLACE FUNCTION {TABLE}_move() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN " + body(_move("OLD", "NEW")) + "RETURN NULL; END $$",
    f"CREATE TRIGGER registry_station_aqi_province AFTER UPDATE ON registry_station "
    f"FOR EACH ROW WHEN ({_MOVED}) EXECUTE FUNCTION {TABLE}_move()",
]
MOVES_SQLITE = [
    "CREATE TRIGGER registry_station_aqi_province AFTER UPDATE OF province_id ON "
    f"registry_station WHEN {_MOVED} BEGIN " + body(_move("OLD", "NEW")) + "END",
]

_RECOUNT = ("SELECT st.province_id, q.day, " + ", ".join(
    f"SUM({count})" for count in _counts("q.aqi"))
    + f" FROM {SOURCE} q JOIN registry_station st ON st.id = q.station_id "
    "WHERE q.aqi IS NOT NULL GROUP BY st.province_id, q.day")

SUMMARY = register(Summary(
    table=TABLE, source=SOURCE, columns=COLUMNS,
    recount={"postgresql": _RECOUNT, "sqlite": _RECOUNT}, sqlite=SQLITE, postgresql=POSTGRESQL))
# The same table kept right when a station moves: its own triggers, on the stations.
MOVES = Summary(table=TABLE, source="registry_station", columns=COLUMNS,
                recount={"postgresql": _RECOUNT, "sqlite": _RECOUNT}, sqlite=MOVES_SQLITE,
                postgresql=MOVES_POSTGRESQL)


def worst_categories(codes: list[str], first, last) -> dict:
    """{(province code, day): the category of the province's worst station that day} of the
    provinces `codes` in first..last: the highest category counted (days without an index
    are absent). One row a province-day, read as the driver gives it."""
    columns = category_columns()
    found = {}
    for code, day, *counts in raw_rows(ProvinceDayAqi.objects.filter(
            province__code__in=codes, day__gte=first, day__lte=last).order_by().values_list(
            "province__code", "day", *columns)):
        worst = [column for column, count in zip(columns, counts, strict=True) if count > 0]
        if worst:
            found[code, day_from_db(day)] = worst[-1]
    return found
