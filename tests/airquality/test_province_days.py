"""The daily VN_AQI counted per province, day and category (`ProvinceDayAqi`, kept by
triggers) equals a recount of the stations' daily indices whatever writes them — the AQI
worker's replace, direct inserts, updates and deletes, an index without a value, a station
moving to another province, a deleted station, a long random sequence of all of these — and
the dashboard's city-day categories read from it are those of each city's worst station. Runs
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

import pytest

from envhub.airquality import province_days, services, vn_aqi
from envhub.airquality.models import DailyAqi, ProvinceDayAqi
from envhub.dashboard import tables
from envhub.registry.models import Province, Station, StationKind

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)
CATEGORIES = province_days.category_columns()


def recount() -> dict:
    """{(province id, day): (stations, count per category)} from the indices and the
    stations' provinces now, by `vn_aqi.category_for`."""
    found: dict = defaultdict(Counter)
    for province, day, aqi in DailyAqi.objects.filter(aqi__isnull=False).values_list(
            "station__province_id", "day", "aqi"):
        found[(province, day)].update(stations=1, **{vn_aqi.category_for(aqi).code: 1})
    return {key: (counts["stations"], tuple(counts[code] for code in CATEGORIES))
            for key, counts in found.items()}


def kept() -> dict:
    return {(row.province_id, row.day): (row.stations, tuple(getattr(row, code)
                                                             for code in CATEGORIES))
            for row in ProvinceDayAqi.objects.all()}


def index(station, day, aqi):
    return DailyAqi(station=station, day=day, aqi=aqi, category="", dominant="PM2,5")


def second_station(beside: Station) -> Station:
    """Another ambient station in the province of `beside`."""
    return Station.objects.create(code="HNKK2", name="Trạm 2", kind=StationKind.AUTO_AIR,
                                  province=beside.province)


def test_each_category_bound_is_counted_where_vn_aqi_puts_it(world):
    values = [0, 50, 51, 100, 101, 150, 151, 200, 201, 300, 301, 500]
    DailyAqi.objects.bulk_create([index(world.air_hn, DAY + datetime.timedelta(days=n), aqi)
                                  for n, aqi in enumerate(values)])
    assert kept() == recount()
    by_day = {day: counts for (_province, day), (_n, counts) in kept().items()}
    for n, aqi in enumerate(values):
        counts = by_day[DAY + datetime.timedelta(days=n)]
        assert CATEGORIES[counts.index(1)] == vn_aqi.category_for(aqi).code, aqi


def test_writes_of_every_kind_keep_the_counts(world):
    hn, dn = world.air_hn, world.air_dn
    DailyAqi.objects.bulk_create([index(hn, DAY, 40), index(dn, DAY, 120),
                                  index(hn, DAY + datetime.timedelta(days=1), None)])
    assert kept() == recount()
    assert (dn.province_id, DAY) in kept()
    assert (hn.province_id, DAY + datetime.timedelta(days=1)) not in kept()  # no index
    DailyAqi.objects.filter(station=hn, day=DAY).update(aqi=160)
    DailyAqi.objects.filter(station=hn, day=DAY + datetime.timedelta(days=1)).update(aqi=10)
    assert kept() == recount()
    DailyAqi.objects.filter(station=dn).update(aqi=None)
    assert kept() == recount()
    assert (dn.province_id, DAY) not in kept()  # its only index gone: the row with it
    DailyAqi.objects.filter(station=hn, day=DAY).delete()
    assert kept() == recount()


def test_the_aqi_workers_replace_keeps_the_counts(world):
    results = {DAY: vn_aqi.daily_inputs({"PM2,5": {}}, DAY).aqi()}
    DailyAqi.objects.bulk_create([index(world.air_hn, DAY, 75)])
    services._replace(DailyAqi, world.air_hn.pk, "day", results)  # no data: the row goes
    assert kept() == recount() == {}


def test_a_station_that_moves_takes_its_days_along(world):
    hn, dn = world.air_hn, world.air_dn
    second = second_station(hn)
    DailyAqi.objects.bulk_create([index(hn, DAY, 30), index(second, DAY, 180),
                                  index(second, DAY + datetime.timedelta(days=1), 90),
                                  index(dn, DAY, 60)])
    assert kept() == recount()
    second.province = dn.province
    second.save()
    assert kept() == recount()
    assert kept()[(hn.province_id, DAY)] == (1, (1, 0, 0, 0, 0, 0))
    assert kept()[(dn.province_id, DAY)] == (2, (0, 1, 0, 1, 0, 0))
    assert (hn.province_id, DAY + datetime.timedelta(days=1)) not in kept()
    second.delete()  # its indices go with it, and their counts
    assert kept() == recount()


def test_a_long_random_sequence_of_writes_keeps_the_counts(world):
    rng = random.Random(2026)
    provinces = list(Province.objects.order_by("code")[:4])
    stations = [Station.objects.create(code=f"RND{n}", name=f"Trạm {n}",
                                       kind=StationKind.AUTO_AIR, province=provinces[n % 4])
                for n in range(6)]
    days = [DAY + datetime.timedelta(days=n) for n in range(4)]
    for _step in range(150):
        station, day = rng.choice(stations), rng.choice(days)
        action = rng.random()
        existing = DailyAqi.objects.filter(station=station, day=day)
        if action < 0.45 and not existing.exists():
            DailyAqi.objects.create(station=station, day=day, dominant="PM10",
                                    aqi=rng.choice([None, rng.randint(0, 500)]))
        elif action < 0.7:
            existing.update(aqi=rng.choice([None, rng.randint(0, 500)]))
        elif action < 0.85:
            existing.delete()
        else:
            station.province = rng.choice(provinces)
            station.save()
    assert kept() == recount()


def test_the_dashboard_reads_each_city_days_worst_station(world):
    hn, dn = world.air_hn, world.air_dn
    second = second_station(hn)
    DailyAqi.objects.bulk_create([index(hn, DAY, 30), index(second, DAY, 151),
                                  index(hn, DAY + datetime.timedelta(days=1), 100),
                                  index(second, DAY + datetime.timedelta(days=1), None),
                                  index(dn, DAY, 301)])
    codes = [hn.province.code, dn.province.code]
    found = tables.city_day_categories(codes, DAY, DAY + datetime.timedelta(days=5))
    assert found == {(hn.province.code, DAY): "bad",
                     (hn.province.code, DAY + datetime.timedelta(days=1)): "moderate",
                     (dn.province.code, DAY): "hazardous"}
    assert tables.city_day_categories(codes, DAY + datetime.timedelta(days=1),
                                      DAY + datetime.timedelta(days=1)) == {
        (hn.province.code, DAY + datetime.timedelta(days=1)): "moderate"}
