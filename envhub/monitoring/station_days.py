"""The daily rollups summed per station and local day (`StationDay`), kept by triggers on
`monitoring_dailyrollup` (see `summaries`): rollup rows (series-days), valid hours, and the
series-days with a valid hour (a station reporting). Whoever writes a daily rollup — the
rollup worker (`rollups.compute_days`, its PostgreSQL upsert and SQLite's read-then-write),
revalidation, a cascade from a deleted series or station — the triggers follow it in the same
transaction. The dashboard's figures and rankings read these 1 row per station-day instead of
one per series-day (a period's whole months from `StationMonth`). A series' station is read
when its rollup changes (a series does not move between stations)."""

from __future__ import annotations

from envhub.monitoring.models import StationDay, StationMonth
from envhub.monitoring.summaries import Summary, monthly, register, row_triggers

__all__ = ["MONTHS", "SUMMARY", "StationDay", "StationMonth"]

COLUMNS = ("station_id", "day", "rollups", "valid_hours", "reporting")
_SUMS = COLUMNS[2:]
_COUNTS = ("1", "{row}.valid_hours", "CASE WHEN {row}.valid_hours > 0 THEN 1 ELSE 0 END")
_STATION = "(SELECT s.station_id FROM monitoring_series s WHERE s.id = {row}.series_id)"


def _take(row: str) -> list[str]:
    sets = ", ".join(f"{column} = {column} - ({count.format(row=row)})"
                     for column, count in zip(_SUMS, _COUNTS, strict=True))
    where = f"station_id = {_STATION.format(row=row)} AND day = {row}.day"
    return [f"UPDATE monitoring_stationday SET {sets} WHERE {where}",
            f"DELETE FROM monitoring_stationday WHERE {where} AND rollups <= 0"]


def _add(row: str) -> str:
    values = ", ".join(["s.station_id", f"{row}.day"]
                       + [count.format(row=row) for count in _COUNTS])
    sets = ", ".join(f"{column} = monitoring_stationday.{column} + excluded.{column}"
                     for column in _SUMS)
    return (f"INSERT INTO monitoring_stationday ({', '.join(COLUMNS)}) SELECT {values} "
            f"FROM monitoring_series s WHERE s.id = {row}.series_id "
            f"ON CONFLICT (station_id, day) DO UPDATE SET {sets}")


# The worker upserts a day again at each new hour; only a change of what is summed matters.
_CHANGED = ("OLD.series_id <> NEW.series_id OR OLD.day <> NEW.day OR "
            "OLD.valid_hours <> NEW.valid_hours")

POSTGRESQL, SQLITE = row_triggers(
    "monitoring_stationday", "monitoring_dailyrollup", "monitoring_dailyrollup_day",
    lambda row, _vendor: _take(row), lambda row, _vendor: _add(row), _CHANGED)

_RECOUNT = ("SELECT s.station_id, r.day, " + ", ".join(
    f"SUM({count.format(row='r')})" for count in _COUNTS)
    + " FROM monitoring_dailyrollup r JOIN monitoring_series s ON s.id = r.series_id "
    "GROUP BY s.station_id, r.day")

SUMMARY = register(Summary(
    table="monitoring_stationday", source="monitoring_dailyrollup", columns=COLUMNS,
    recount={"postgresql": _RECOUNT, "sqlite": _RECOUNT}, sqlite=SQLITE, postgresql=POSTGRESQL))
# The same per station and month (`StationMonth`), kept by triggers on the days.
MONTHS = register(monthly("monitoring_stationmonth", "monitoring_stationday", "station_id",
                          _SUMS))
