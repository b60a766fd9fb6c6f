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
AQI_CATEGORIES = ["good", "moderate", "poor", "bad", "very_bad", "hazardous"]


@dataclass
class Scale:
    stations: int = 3000
    parameters: int = 10
    events: int = 20_000
    days: int = 365
    hourly_days: int = 31  # hourly rollups and judged hours: the newest days only (see docs)
    today: datetime.date = datetime.date(2026, 11, 20)


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
                sql = (f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES '
                       f'({", ".join("%s" for _ in columns)})')
                batch = []
                for row in rows:
                    batch.append(row)
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


def _daily(scale: Scale, series, rng: random.Random) -> int:
    from envhub.monitoring.models import DailyRollup

    columns = ["series_id", "day", "count", "valid_count", "calibrating_count", "error_count",
               "expected_count", "total", "mean", "minimum", "maximum", "coverage",
               "valid_hours", "valid", "computed_at"]
    now = datetime.datetime.now(UTC)
    first = scale.today - datetime.timedelta(days=scale.days - 1)

    def rows():
        for day_number in range(scale.days):
            day = first + datetime.timedelta(days=day_number)
            for series_id, station_id, _parameter in series:
                hours = 14 if _gappy(station_id) else 24
                valid = hours * 12
                mean = 20 + (series_id * 7 + day_number) % 50
                yield (series_id, day, valid, valid, 0, 0, 288, mean * valid, float(mean),
                       mean * 0.5, mean * 1.8, valid / 288 * 100, hours, hours >= 18, now)
    return _insert(DailyRollup, columns, rows())


def _hourly(scale: Scale, series) -> int:
    from envhub.monitoring.models import HourlyRollup

    columns = ["series_id", "hour_end", "count", "valid_count", "calibrating_count",
               "error_count", "expected_count", "total", "mean", "minimum", "maximum",
               "coverage", "valid", "computed_at"]
    now = datetime.datetime.now(UTC)
    end = datetime.datetime.combine(scale.today + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=VN).astimezone(UTC)
    hours = scale.hourly_days * 24

    def rows():
        for step in range(hours):
            hour_end = end - datetime.timedelta(hours=hours - 1 - step)
            for series_id, station_id, _parameter in series:
                if _gappy(station_id) and step % 24 >= 14:
                    continue
                mean = 20.0 + (series_id + step) % 50
                yield (series_id, hour_end, 12, 12, 0, 0, 12, mean * 12, mean, mean * 0.7,
                       mean * 1.3, 100.0, True, now)
    return _insert(HourlyRollup, columns, rows())


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


def _assessments(scale: Scale, series, sources, spans) -> int:
    """Judged hours of every stack series over the newest `hourly_days`, over the limit where an
    event says so."""
    from envhub.compliance.models import Assessment
    from envhub.registry.models import Station

    source_of = dict(Station.objects.filter(source__isnull=False).values_list("id", "source_id"))
    end = datetime.datetime.combine(scale.today + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=VN).astimezone(UTC)
    hours = scale.hourly_days * 24
    first = end - datetime.timedelta(hours=hours - 1)
    over = set()
    for source_id, parameter_id, start, length in spans:
        for step in range(length):
            moment = start + datetime.timedelta(hours=step + 1)
            if moment >= first:
                over.add((source_id, parameter_id, moment))
    now = datetime.datetime.now(UTC)
    columns = ["source_id", "parameter_id", "window_end", "window_hours", "measured", "value",
               "limit", "multiple", "coverage", "state", "band", "note", "computed_at"]
    stack_series = [(source_of[station_id], parameter_id)
                    for _series_id, station_id, parameter_id in series if station_id in source_of]

    def rows():
        for step in range(hours):
            window_end = first + datetime.timedelta(hours=step)
            for source_id, parameter_id in stack_series:
                exceeds = (source_id, parameter_id, window_end) in over
                value = 300.0 if exceeds else 120.0
                yield (source_id, parameter_id, window_end, 1, value, value, 200.0, value / 200,
                       100.0, "exceeds" if exceeds else "complies", "2" if exceeds else "",
                       "", now)
    return _insert(Assessment, columns, rows())


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
    from envhub.airquality.models import DailyAqi

    air = [station.id for station in stations if station.kind == "auto_air"]
    first = scale.today - datetime.timedelta(days=scale.days - 1)
    now = datetime.datetime.now(UTC)

    def rows():
        for day_number in range(scale.days):
            day = first + datetime.timedelta(days=day_number)
            for station_id in air:
                index = (station_id * 3 + day_number) % 180
                category = AQI_CATEGORIES[min(index // 50, len(AQI_CATEGORIES) - 1)]
                yield (station_id, day, index, category, "PM2,5", "{}", "{}", "", now)
    return _insert(DailyAqi, ["station_id", "day", "aqi", "category", "dominant",
                              "sub_indices", "inputs", "note", "computed_at"], rows())


def build(scale: Scale, seed: int = 17) -> dict:
    """Fill the installation Django is set up on; returns the row counts and seconds taken."""
    rng = random.Random(seed)
    started = time.perf_counter()
    sources, stations, by_medium = _registry(scale, rng)
    series = _series(stations, by_medium)
    counts = {"stations": len(stations), "series": len(series)}
    counts["daily rollups"] = _daily(scale, series, rng)
    counts["hourly rollups"] = _hourly(scale, series)
    counts["exceedance events"], spans = _events(scale, sources, by_medium, rng)
    counts["judged hours"] = _assessments(scale, series, sources, spans)
    counts["connectivity changes"] = _status(scale, stations)
    counts["daily AQI"] = _aqi(scale, stations)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts
