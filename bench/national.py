"""A generated national-scale database for the dashboard and report benchmarks: facilities with
stacks and their automatic stations, ambient stations, a year of daily rollups and AQI, recent
hourly rollups and judged hours, exceedance events and connectivity states.

Rows are written the fast way each database offers (PostgreSQL COPY, SQLite executemany in
large transactions), straight into the tables the worker fills, so the dashboard reads what a
year of real running would have left. Deterministic: the same arguments give the same rows.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

UTC = datetime.UTC
VN = datetime.timezone(datetime.timedelta(hours=7))
SECTORS = ["thermal_power", "cement", "steel", "chemicals", "pulp_paper", "textiles",
           "waste_incineration", "industrial_park", "other"]


@dataclass
class Scale:
    stations: int = 3000
    parameters: int = 10
    events: int = 20_000
    days: int = 365
    hourly_days: int = 31  # hourly rollups and judged hours: the newest days only (see docs)
    today: datetime.date = datetime.date(2026, 11, 20)


def _adapted(row) -> tuple:
    """SQLite: dates and moments as Django stores them (text without an offset, UTC), not as
    the sqlite3 module would write them ("+00:00" at the end, which compares differently)."""
    from django.db import connection

    return tuple(connection.ops.adapt_datetimefield_value(value)
                 if isinstance(value, datetime.datetime)
                 else connection.ops.adapt_datefield_value(value)
                 if isinstance(value, datetime.date) else value for value in row)


def _insert(model, columns: list[str], rows) -> int:
    """Bulk-insert tuples into `model`'s table; returns the count."""
    from django.db import connection, transaction

    table = model._meta.db_table
    count = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                names = ", ".join(f'"{c}"' for c in columns)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                names = ", ".join(f'"{c}"' for c in columns)
                sql = (f'INSERT INTO "{table}" ({names}) VALUES '
                       f'({", ".join("%s" for _ in columns)})')
                batch = []
                for row in rows:
                    batch.append(_adapted(row))
                    if len(batch) == 50_000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
    return count


def _registry(scale: Scale, rng: random.Random):
    from envhub.registry.models import (
        Facility,
        Medium,
        Organisation,
        OrganisationKind,
        Parameter,
        Province,
        Source,
        SourceKind,
        Station,
        StationKind,
        Ward,
    )

    provinces = list(Province.objects.order_by("code"))
    wards = {}
    for ward in Ward.objects.order_by("code").only("id", "province_id"):
        wards.setdefault(ward.province_id, ward.id)
    stacks = scale.stations * 2 // 3
    facilities_n = stacks // 2
    enterprises = Organisation.objects.bulk_create(
        Organisation(name=f"Công ty thử {n}", kind=OrganisationKind.ENTERPRISE,
                     province=provinces[n % len(provinces)], tax_code=f"9{n:09d}",
                     search_text=f"cong ty thu {n}")
        for n in range(facilities_n))
    centre = Organisation.objects.create(name="Trung tâm quan trắc thử",
                                         kind=OrganisationKind.MINISTRY_UNIT)
    facilities = Facility.objects.bulk_create(
        Facility(name=f"Nhà máy thử {n}", abbreviation=f"F{n}", tax_code=f"8{n:09d}",
                 province=provinces[n % len(provinces)],
                 ward_id=wards.get(provinces[n % len(provinces)].id),
                 sector=SECTORS[n % len(SECTORS)], operator=enterprises[n],
                 latitude=9.0 + (n % 120) * 0.1, longitude=104.0 + (n // 120 % 40) * 0.1,
                 search_text=f"nha may thu {n}")
        for n in range(facilities_n))
    sources = Source.objects.bulk_create(
        Source(facility=facilities[n // 2], kind=SourceKind.STACK, code=f"OK{n % 2 + 1}",
               name=f"Ống khói {n % 2 + 1}", design_flow_m3h=rng.choice(
                   [8_000, 25_000, 60_000, 150_000, 400_000]))
        for n in range(facilities_n * 2))
    stations = []
    for n, source in enumerate(sources):
        facility = facilities[n // 2]
        stations.append(Station(
            code=f"K{n:05d}", name=f"Trạm khí thải {n}", kind=StationKind.AUTO_EMISSION,
            medium=Medium.EMISSION, source=source, facility=facility,
            province_id=facility.province_id, operator=facility.operator,
            latitude=facility.latitude, longitude=facility.longitude,
            tt10_prefix=f"X_F{n // 2}_K{n}_"))
    for n in range(scale.stations - len(sources)):
        province = provinces[n % len(provinces)]
        stations.append(Station(
            code=f"A{n:05d}", name=f"Trạm không khí {n}", kind=StationKind.AUTO_AIR,
            medium=Medium.AIR, province=province, operator=centre,
            latitude=9.0 + (n % 120) * 0.1, longitude=104.0 + (n // 120 % 40) * 0.1,
            tt10_prefix=f"X_QT_A{n}_"))
    stations = Station.objects.bulk_create(stations)
    by_medium = {medium: list(Parameter.objects.filter(medium=medium).order_by("code")
                              [:scale.parameters]) for medium in (Medium.EMISSION, Medium.AIR)}
    return sources, stations, by_medium


def _series(stations, by_medium):
    from envhub.monitoring.models import Series

    Series.objects.bulk_create(
        Series(station=station, parameter=parameter)
        for station in stations for parameter in by_medium[station.medium])
    return list(Series.objects.order_by("id").values_list("id", "station_id", "parameter_id"))


def _gappy(station_id: int) -> bool:
    return station_id % 10 == 0  # one station in ten sends only part of its data


def _steps(cursor, name: str, kind: str, values: list) -> None:
    """A temporary table `name` (n, at) of the numbered days or hours the big tables are
    generated over: the rows themselves are made by the database (INSERT ... SELECT), which
    is many times faster than sending each from Python."""
    from django.db import connection

    types = {"date": "date", "moment": "timestamp with time zone"}
    kind = types[kind] if connection.vendor == "postgresql" else "text"
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} (n integer, at {kind})")
    rows = list(enumerate(values))
    if connection.vendor != "postgresql":
        rows = [_adapted(row) for row in rows]
    cursor.executemany(f"INSERT INTO {name} (n, at) VALUES (%s, %s)", rows)


def _generated(sql: str, params: list, steps: tuple[str, str, list],
               extra: tuple[str, list] | None = None) -> int:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        _steps(cursor, *steps)
        if extra:
            name, rows = extra
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} (source_id integer, "
                           f"parameter_id integer, n integer)")
            cursor.executemany(f"INSERT INTO {name} VALUES (%s, %s, %s)", rows)
            cursor.execute(f"CREATE INDEX {name}_key ON {name} (source_id, parameter_id, n)")
        if connection.vendor != "postgresql":
            params = list(_adapted(params))
        cursor.execute(sql, params)
        return cursor.rowcount


def _daily(scale: Scale) -> int:
    from envhub.monitoring.models import DailyRollup, Series

    first = scale.today - datetime.timedelta(days=scale.days - 1)
    days = [first + datetime.timedelta(days=n) for n in range(scale.days)]
    # One station in ten (`_gappy`) sends only 14 hours a day.
    sql = f"""
        INSERT INTO "{DailyRollup._meta.db_table}" (series_id, day, count, valid_count,
            calibrating_count, error_count, expected_count, total, mean, minimum, maximum,
            coverage, valid_hours, valid, computed_at)
        SELECT id, at, h * 12, h * 12, 0, 0, 288, m * h * 12, m, m * 0.5, m * 1.8,
               h * 12 / 288.0 * 100, h, h >= 18, %s
        FROM (SELECT se.id, d.at, d.n,
                     CASE WHEN se.station_id %% 10 = 0 THEN 14 ELSE 24 END AS h,
                     (20 + (se.id * 7 + d.n) %% 50) * 1.0 AS m
              FROM "{Series._meta.db_table}" se CROSS JOIN bench_days d) AS g
        ORDER BY n, id"""
    return _generated(sql, [datetime.datetime.now(UTC)], ("bench_days", "date", days))


def _hour_ends(scale: Scale) -> list[datetime.datetime]:
    """The newest `hourly_days` of hour ends, up to the end of `today` (local)."""
    end = datetime.datetime.combine(scale.today + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=VN).astimezone(UTC)
    hours = scale.hourly_days * 24
    return [end - datetime.timedelta(hours=hours - 1 - step) for step in range(hours)]


def _hourly(scale: Scale) -> int:
    from envhub.monitoring.models import HourlyRollup, Series

    sql = f"""
        INSERT INTO "{HourlyRollup._meta.db_table}" (series_id, hour_end, count, valid_count,
            calibrating_count, error_count, expected_count, total, mean, minimum, maximum,
            coverage, valid, computed_at)
        SELECT id, at, 12, 12, 0, 0, 12, m * 12, m, m * 0.7, m * 1.3, 100.0, %s, %s
        FROM (SELECT se.id, h.at, h.n, (20 + (se.id + h.n) %% 50) * 1.0 AS m
              FROM "{Series._meta.db_table}" se CROSS JOIN bench_hours h
              WHERE NOT (se.station_id %% 10 = 0 AND h.n %% 24 >= 14)) AS g
        ORDER BY n, id"""
    return _generated(sql, [True, datetime.datetime.now(UTC)],
                      ("bench_hours", "moment", _hour_ends(scale)))


def _events(scale: Scale, sources, by_medium, rng: random.Random):
    from envhub.compliance.models import ExceedanceEvent

    parameters = by_medium["emission"] if "emission" in by_medium else \
        next(iter(by_medium.values()))
    start_of_year = datetime.datetime.combine(
        scale.today - datetime.timedelta(days=scale.days - 1), datetime.time(),
        tzinfo=VN).astimezone(UTC)
    now = datetime.datetime.now(UTC)
    bands = ["1", "2", "3", "4", "5", "6", "7"]
    columns = ["source_id", "parameter_id", "start", "end", "peak_value", "peak_multiple",
               "peak_at", "band", "hours", "limit", "unit", "status", "opened_at",
               "updated_at"]
    spans = []

    def rows():
        for n in range(scale.events):
            source = sources[(n * 7919) % len(sources)]
            parameter = parameters[n % len(parameters)]
            start = start_of_year + datetime.timedelta(
                hours=rng.randrange(scale.days * 24 - 48))
            hours = 1 + rng.randrange(12)
            end = start + datetime.timedelta(hours=hours)
            multiple = 1.0 + rng.random() * 3
            band = bands[min(int((multiple - 1) * 2), len(bands) - 1)]
            spans.append((source.id, parameter.id, start, hours))
            yield (source.id, parameter.id, start, end, 200 * multiple, multiple, start, band,
                   hours, 200.0, parameter.unit, "open" if n % 50 == 0 else "closed", now, now)
    count = _insert(ExceedanceEvent, columns, rows())
    return count, spans


def _assessments(scale: Scale, spans) -> int:
    """Judged hours of every stack series over the newest `hourly_days`, over the limit where an
    event says so."""
    from django.db import connection

    from envhub.compliance.models import Assessment
    from envhub.monitoring.models import Series
    from envhub.registry.models import Station

    ends = _hour_ends(scale)
    step_of = {moment: n for n, moment in enumerate(ends)}
    over = set()
    for source_id, parameter_id, start, length in spans:
        for step in range(length):
            n = step_of.get(start + datetime.timedelta(hours=step + 1))
            if n is not None:
                over.add((source_id, parameter_id, n))
    sql = f"""
        INSERT INTO "{Assessment._meta.db_table}" (source_id, parameter_id, window_end,
            window_hours, measured, value, "limit", multiple, coverage, state, band, note,
            computed_at)
        SELECT source_id, parameter_id, at, 1, v, v, 200.0, v / 200, 100.0,
               CASE WHEN o IS NULL THEN 'complies' ELSE 'exceeds' END,
               CASE WHEN o IS NULL THEN '' ELSE '2' END, '', %s
        FROM (SELECT st.source_id, se.parameter_id, h.at, h.n, o.n AS o,
                     CASE WHEN o.n IS NULL THEN 120.0 ELSE 300.0 END AS v
              FROM "{Series._meta.db_table}" se
              JOIN "{Station._meta.db_table}" st ON st.id = se.station_id
              CROSS JOIN bench_hours h
              LEFT JOIN bench_over o ON o.source_id = st.source_id
                   AND o.parameter_id = se.parameter_id AND o.n = h.n
              WHERE st.source_id IS NOT NULL) AS g"""
    if connection.vendor == "postgresql":  # SQLite sorts 15 M rows through temporary files
        sql += " ORDER BY n, source_id, parameter_id"
    return _generated(sql, [datetime.datetime.now(UTC)], ("bench_hours", "moment", ends),
                      ("bench_over", sorted(over)))


def _permits(scale: Scale, sources) -> int:
    """A permit under the emission regulation for every stack, valid all year (the compliance
    figures judge only sources with a permit)."""
    from envhub.compliance.models import Permit, Regulation

    regulation = Regulation.objects.filter(medium="emission").order_by("code").first()
    if regulation is None:
        return 0
    valid_from = scale.today - datetime.timedelta(days=scale.days + 30)
    return len(Permit.objects.bulk_create(
        Permit(source=source, number=f"GP-{source.id}", valid_from=valid_from,
               regulation=regulation, column="B") for source in sources))


def _status(scale: Scale, stations) -> int:
    from envhub.monitoring.models import ConnectivityChange, StationStatus

    now = datetime.datetime.now(UTC)
    states = []
    for station in stations:
        state = "offline" if station.id % 17 == 0 else "late" if station.id % 11 == 0 \
            else "online"
        states.append((station.id, now, now, state, now - datetime.timedelta(hours=3), "[]"))
    _insert(StationStatus, ["station_id", "last_data_at", "last_received_at", "state",
                            "state_since", "latest_values"], iter(states))
    first = datetime.datetime.combine(scale.today - datetime.timedelta(days=scale.days - 1),
                                      datetime.time(), tzinfo=VN).astimezone(UTC)
    changes = []
    for station in stations:
        if station.id % 5:
            continue
        for month in range(12):
            at = first + datetime.timedelta(days=month * 30 + station.id % 20)
            changes.append((station.id, at, "online", "offline", at))
            changes.append((station.id, at + datetime.timedelta(hours=5), "offline", "online",
                            at))
    return _insert(ConnectivityChange, ["station_id", "at", "previous", "current",
                                        "last_data_at"], iter(changes))


def _aqi(scale: Scale, stations) -> int:
    from envhub.airquality import vn_aqi
    from envhub.airquality.models import DailyAqi

    air = [station.id for station in stations if station.kind == "auto_air"]
    first = scale.today - datetime.timedelta(days=scale.days - 1)
    now = datetime.datetime.now(UTC)

    def rows():
        for day_number in range(scale.days):
            day = first + datetime.timedelta(days=day_number)
            for station_id in air:
                index = (station_id * 3 + day_number) % 180
                category = vn_aqi.category_for(index).code  # as the AQI worker stores it
                yield (station_id, day, index, category, "PM2,5", "{}", "{}", "", now)
    return _insert(DailyAqi, ["station_id", "day", "aqi", "category", "dominant",
                              "sub_indices", "inputs", "note", "computed_at"], rows())


def build(scale: Scale, seed: int = 17) -> dict:
    """Fill the installation Django is set up on; returns the row counts and seconds taken."""
    from envhub.airquality import province_days
    from envhub.compliance import daily_tallies
    from envhub.monitoring import station_days, summaries

    rng = random.Random(seed)
    started = time.perf_counter()
    # The summaries' triggers would add a row's work to each of millions of rows: off while
    # the big tables fill, then the summaries counted from the rows (INSERT ... SELECT) and the
    # triggers back, as an upgrade's migration does.
    kept = (daily_tallies.SUMMARY, station_days.SUMMARY, province_days.SUMMARY)
    for summary in kept:
        summaries.drop_triggers(summary)
    sources, stations, by_medium = _registry(scale, rng)
    series = _series(stations, by_medium)
    counts = {"stations": len(stations), "series": len(series)}
    counts["daily rollups"] = _daily(scale)
    counts["hourly rollups"] = _hourly(scale)
    counts["permits"] = _permits(scale, sources)
    counts["exceedance events"], spans = _events(scale, sources, by_medium, rng)
    counts["judged hours"] = _assessments(scale, spans)
    counts["connectivity changes"] = _status(scale, stations)
    counts["daily AQI"] = _aqi(scale, stations)
    for summary in kept:
        summaries.install(summary)
    from django.db import connection

    counts["judged source-days"] = daily_tallies.DailyTally.objects.count()
    counts["station-days"] = station_days.StationDay.objects.count()
    if connection.vendor == "postgresql":  # as autovacuum would have, after a year of running
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            if not connection.in_atomic_block:  # (a test builds inside its transaction)
                # The daily AQI's visibility map too, as autovacuum sets it for a table
                # written once a day: the cities' index-only reads depend on it (seconds).
                cursor.execute("VACUUM airquality_dailyaqi")
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts
