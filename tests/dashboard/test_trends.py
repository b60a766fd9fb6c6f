"""Twelve months of the dashboard's trends: every month present, each figure equal to a plain
query over the seeded rows, in each reader's scope."""

import pytest
from django.db import connection

from envhub.dashboard import filters, trends
from tests.dashboard.trend_seed import NOVEMBER, SEPTEMBER, TODAY, local, seed

MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
          "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


@pytest.fixture
def seeded(world):
    return seed(world)


def view(world, persona="leader", params=NOVEMBER, **more):
    return filters.view_from(world.actor(persona), {**params, **more}, today=TODAY)


def month_of(trend, key):
    return {line["key"]: dict(zip([m["month"] for m in trend["months"]], line["values"],
                                  strict=True)) for line in trend["series"]}[key]


def plain_monthly_hours(code, month):
    """Hours over the limit of a province in a local month, by hand (UTC+7, hour-ending)."""
    year, number = map(int, month.split("-"))
    following = (year + number // 12, number % 12 + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(a.window_hours), 0) FROM compliance_assessment a "
            "JOIN registry_source s ON s.id = a.source_id "
            "JOIN registry_facility f ON f.id = s.facility_id "
            "JOIN registry_province p ON p.id = f.province_id "
            "WHERE a.state = 'exceeds' AND p.code = %s AND a.window_end > %s "
            "AND a.window_end <= %s",
            [code, local(year, number, 1), local(*following, 1)])
        return cursor.fetchone()[0]


def test_it_gives_twelve_months_ending_with_the_views_month(world, seeded):
    trend = trends.hours_by_province(view(world))
    assert [month["month"] for month in trend["months"]] == MONTHS
    assert all(len(line["values"]) == 12 for line in trend["series"])


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_hours_by_province_equal_a_plain_query_in_the_readers_scope(world, seeded, persona):
    trend = trends.hours_by_province(view(world, persona))
    codes = ["01"] if persona == "officer" else ["75", "01"]
    assert [line["key"] for line in trend["series"]] == codes
    for code in codes:
        assert month_of(trend, code) == {month: plain_monthly_hours(code, month)
                                         for month in MONTHS}
    assert month_of(trend, "01")["2026-11"] == 8
    assert month_of(trend, "01")["2026-10"] == 0  # a month with nothing is a zero, not missing


def test_it_sums_the_provinces_beyond_the_top_as_the_rest(world, seeded):
    trend = trends.hours_by_province(view(world), top=1)
    assert [line["key"] for line in trend["series"]] == ["75", "rest"]
    assert trend["series"][1]["values"][-1] == 8 and trend["series"][1]["total"] == 8


def test_hours_by_sector_with_the_sector_filter(world, seeded):
    trend = trends.hours_by_sector(view(world))
    assert [(line["key"], line["total"]) for line in trend["series"]] == [
        ("cement", 10), ("thermal_power", 5), ("textiles", 3)]
    assert month_of(trend, "cement")["2026-10"] == 2
    only = trends.hours_by_sector(view(world, sector="textiles"))
    assert [line["key"] for line in only["series"]] == ["textiles"]


def test_aqi_days_are_stacked_by_category_every_category_every_month(world, seeded):
    trend = trends.aqi_days(view(world))
    assert [line["key"] for line in trend["series"]] == [
        "good", "moderate", "poor", "bad", "very_bad", "hazardous"]
    assert month_of(trend, "good")["2026-10"] == 1
    assert month_of(trend, "moderate")["2026-11"] == 1
    assert month_of(trend, "poor")["2026-11"] == 1
    assert sum(line["total"] for line in trend["series"]) == 3  # Đồng Nai is not a main city
    assert trends.aqi_days(view(world, province="75"))["cities"] == []


def test_a_year_without_data_gives_twelve_zero_months(world, seeded):
    september = view(world, params=SEPTEMBER, at="2025-09-10")
    assert trends.hours_by_province(september)["series"] == []
    aqi = trends.aqi_days(september)
    assert len(aqi["months"]) == 12
    assert all(line["values"] == [0] * 12 for line in aqi["series"])
