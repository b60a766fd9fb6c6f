"""Seeded weeks and months for the bulletins' tests, and the hand-written SQL the tests compare
the bulletins' figures with (never envhub's own code).

- Air: the main cities are Hà Nội (01), with two ambient stations, and TP Hồ Chí Minh (79),
  with none (every day missing). The week is Monday 23 – Sunday 29 November 2026; the week
  before (16–22 November) has fewer data. Hà Nội misses Wednesday 25 (no row) and Friday 27
  (a row without an index), and its second station is the worse one on some days.
- Emissions: November 2026, the Hà Nội power plant and the Đồng Nai cement plant opened to
  the public, the Hà Nội textile mill (which has the most hours over the limit) not."""

from __future__ import annotations

import datetime

from django.db import connection

from envhub.airquality.models import DailyAqi
from envhub.compliance import disclosure
from envhub.compliance.models import Assessment, Permit, Regulation, State
from envhub.core.timeutil import VN
from envhub.registry.models import Parameter, Station, StationKind
from tests.conftest import _save

D = datetime.date
WEEK = D(2026, 11, 23)
BEFORE = D(2026, 11, 16)
MONTH = D(2026, 11, 1)
# Read on Monday 7 December 2026, 08:00 in Viet Nam: both periods have ended.
NOW = datetime.datetime(2026, 12, 7, 8, tzinfo=VN)

# (station, day, aqi, category, dominant); category as the air quality worker stores it.
AIR_ROWS = [
    ("HNKK1", D(2026, 11, 23), 45, "good", "PM10"),
    ("HNKK2", D(2026, 11, 23), 88, "moderate", "PM2_5"),
    ("HNKK1", D(2026, 11, 24), 120, "poor", "PM2_5"),
    ("HNKK2", D(2026, 11, 24), 120, "poor", "O3"),  # a tie: the lower station code is named
    ("HNKK1", D(2026, 11, 26), 163, "bad", "PM2_5"),
    ("HNKK2", D(2026, 11, 26), 97, "moderate", "PM10"),
    ("HNKK1", D(2026, 11, 27), None, "", ""),  # computed without enough data: no index
    ("HNKK1", D(2026, 11, 28), 215, "very_bad", "PM2_5"),
    ("HNKK2", D(2026, 11, 29), 51, "moderate", "NO2"),
    # The week before: two days with an index, one of them poor.
    ("HNKK1", D(2026, 11, 17), 130, "poor", "PM2_5"),
    ("HNKK1", D(2026, 11, 19), 70, "moderate", "PM10"),
    # Outside both weeks, and a station of a province that is no main city.
    ("HNKK1", D(2026, 11, 30), 400, "hazardous", "PM2_5"),
    ("DNKK1", D(2026, 11, 24), 300, "very_bad", "PM2_5"),
]


def air_world(world, settings) -> None:
    settings.ENVHUB_DASHBOARD_CITIES = ["01", "79"]
    second = _save(Station(code="HNKK2", name="Trạm HNKK2", kind=StationKind.AUTO_AIR,
                           province=world.hanoi, latitude=21.0, longitude=105.8,
                           operator=world.dept_hanoi))
    stations = {"HNKK1": world.air_hn, "HNKK2": second, "DNKK1": world.air_dn}
    DailyAqi.objects.bulk_create(
        DailyAqi(station=stations[code], day=day, aqi=aqi, category=category,
                 dominant=dominant) for code, day, aqi, category, dominant in AIR_ROWS)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


CATEGORY_SQL = """CASE WHEN w.aqi <= 50 THEN 'good' WHEN w.aqi <= 100 THEN 'moderate'
    WHEN w.aqi <= 150 THEN 'poor' WHEN w.aqi <= 200 THEN 'bad' WHEN w.aqi <= 300 THEN 'very_bad'
    ELSE 'hazardous' END"""
WORST_SQL = """SELECT p.code AS city, d.day AS day, MAX(d.aqi) AS aqi
    FROM airquality_dailyaqi d JOIN registry_station s ON s.id = d.station_id
    JOIN registry_province p ON p.id = s.province_id
    WHERE d.aqi IS NOT NULL AND d.day >= %s AND d.day <= %s GROUP BY p.code, d.day"""


def plain_category_days(first: D, last: D) -> dict[tuple[str, str], int]:
    """{(city, category): days} — each day in the category of the city's highest index."""
    rows = _rows(f"SELECT w.city, {CATEGORY_SQL}, COUNT(*) FROM ({WORST_SQL}) w "
                 f"GROUP BY w.city, {CATEGORY_SQL}", [first, last])
    return {(city, category): n for city, category, n in rows}


def plain_days_with_index(first: D, last: D) -> dict[str, int]:
    return {city: n for city, n in _rows(
        f"SELECT w.city, COUNT(*) FROM ({WORST_SQL}) w GROUP BY w.city", [first, last])}


def plain_worst(city: str, first: D, last: D, limit: int) -> list[tuple[str, int, str, str]]:
    """The city's highest days: (day, aqi, dominant, station), ties to the lower station."""
    rows = _rows("""SELECT d.day, d.aqi, d.dominant, s.code FROM airquality_dailyaqi d
        JOIN registry_station s ON s.id = d.station_id
        JOIN registry_province p ON p.id = s.province_id
        WHERE p.code = %s AND d.aqi IS NOT NULL AND d.day >= %s AND d.day <= %s
        ORDER BY d.aqi DESC, d.day, s.code""", [city, first, last])
    seen, found = set(), []
    for day, aqi, dominant, station in rows:
        if str(day) not in seen:
            seen.add(str(day))
            found.append((str(day), aqi, dominant, station))
    return sorted(found, key=lambda row: (-row[1], row[0]))[:limit]


# --- emissions ------------------------------------------------------------------------------

def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=VN)


def emissions_world(world) -> None:
    """Permits in force, judged hours in November 2026 (and one in October, one in December),
    events; the Hà Nội plant and the Đồng Nai plant opened, the Hà Nội mill not."""
    from tests.dashboard.seed import event

    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    judged = {  # source: [(day, hour, state)]
        world.stack_hn: [(3, 1, State.EXCEEDS), (3, 2, State.EXCEEDS), (3, 3, State.COMPLIES),
                         (20, 5, State.UNKNOWN)],
        world.stack_hn2: [(4, h, State.EXCEEDS) for h in range(1, 11)],
        world.stack_dn: [(5, 1, State.COMPLIES), (5, 2, State.COMPLIES)],
    }
    for source, windows in judged.items():
        permit = Permit.objects.create(
            source=source, number=f"{source.pk}/GPMT", valid_from=D(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3")
        rows = [(at(day, hour), state) for day, hour, state in windows]
        rows += [(datetime.datetime(2026, 10, 31, 23, tzinfo=VN), State.EXCEEDS),
                 (datetime.datetime(2026, 12, 1, 1, tzinfo=VN), State.EXCEEDS)]
        Assessment.objects.bulk_create(
            Assessment(source=source, parameter=so2, window_end=end, window_hours=1,
                       measured=600, value=600, limit=450, multiple=1.33, coverage=100,
                       state=state, permit=permit, band="2" if state == State.EXCEEDS else "")
            for end, state in rows)
    event(world.stack_hn, so2, at(3, 0), at(3, 2), "2")
    event(world.stack_hn2, so2, at(4, 0), at(4, 10), "3")
    steward = world.actor("steward")
    for facility in (world.facility_hn, world.facility_dn):
        disclosure.decide(steward, facility.pk, True, "Công khai theo quyết định của Cục")


def _utc_bounds(first: D, last: D) -> tuple[datetime.datetime, datetime.datetime]:
    """Local midnight before `first` and after `last`, in UTC (as the database keeps them)."""
    start = datetime.datetime.combine(first, datetime.time(0), tzinfo=VN)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(0),
                                    tzinfo=VN)
    return start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)


def plain_hours_by_province(first: D, last: D, facility_ids: list[int]) -> dict[str, int]:
    """Hours of windows judged over the limit ending in the month, per province, of the given
    facilities."""
    start, end = _utc_bounds(first, last)
    marks = ", ".join(["%s"] * len(facility_ids))
    return {code: hours for code, hours in _rows(f"""
        SELECT p.code, SUM(a.window_hours) FROM compliance_assessment a
        JOIN registry_source s ON s.id = a.source_id
        JOIN registry_facility f ON f.id = s.facility_id
        JOIN registry_province p ON p.id = f.province_id
        WHERE a.state = 'exceeds' AND a.window_end > %s AND a.window_end <= %s
          AND f.id IN ({marks}) GROUP BY p.code""", [start, end, *facility_ids])}


def plain_valid_windows(first: D, last: D, facility_ids: list[int]) -> int:
    start, end = _utc_bounds(first, last)
    marks = ", ".join(["%s"] * len(facility_ids))
    return _rows(f"""SELECT COUNT(*) FROM compliance_assessment a
        JOIN registry_source s ON s.id = a.source_id
        WHERE a.state <> 'unknown' AND a.window_end > %s AND a.window_end <= %s
          AND s.facility_id IN ({marks})""", [start, end, *facility_ids])[0][0]
