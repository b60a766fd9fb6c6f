"""Twelve months of the dashboard's trends: every month present, each figure equal to a plain
query over the seeded rows, in each reader's scope."""

import datetime

import pytest

from envhub.dashboard import trends
from tests.dashboard.seed import SEPTEMBER, local, plain_hours
from tests.dashboard.seed import tables_view as view

MONTHS = ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
          "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def month_of(trend, key):
    return {line["key"]: dict(zip([m["month"] for m in trend["months"]], line["values"],
                                  strict=True)) for line in trend["series"]}[key]


def plain_monthly_hours(code, month):
    """Hours over the limit of a province in a local month (UTC+7, hour-ending)."""
    year, number = map(int, month.split("-"))
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return plain_hours(local(datetime.date(year, number, 1)), local(following), code)


def test_it_gives_twelve_months_ending_with_the_views_month(world, tables_seeded):
    trend = trends.hours_by_province(view(world))
    assert [month["month"] for month in trend["months"]] == MONTHS
    assert all(len(line["values"]) == 12 for line in trend["series"])


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_hours_by_province_equal_a_plain_query_in_the_readers_scope(world, tables_seeded, persona):
    trend = trends.hours_by_province(view(world, persona))
    codes = ["01"] if persona == "officer" else ["75", "01"]
    assert [line["key"] for line in trend["series"]] == codes
    for code in codes:
        assert month_of(trend, code) == {month: plain_monthly_hours(code, month)
                                         for month in MONTHS}
    assert month_of(trend, "01")["2026-11"] == 8
    assert month_of(trend, "01")["2026-10"] == 0  # a month with nothing is a zero, not missing


def test_it_sums_the_provinces_beyond_the_top_as_the_rest(world, tables_seeded):
    trend = trends.hours_by_province(view(world), top=1)
    assert [line["key"] for line in trend["series"]] == ["75", "rest"]
    assert trend["series"][1]["values"][-1] == 8 and trend["series"][1]["total"] == 8


def test_hours_by_sector_with_the_sector_filter(world, tables_seeded):
    trend = trends.hours_by_sector(view(world))
    assert [(line["key"], line["total"]) for line in trend["series"]] == [
        ("cement", 10), ("thermal_power", 5), ("textiles", 3)]
    assert month_of(trend, "cement")["2026-10"] == 2
    only = trends.hours_by_sector(view(world, sector="textiles"))
    assert [line["key"] for line in only["series"]] == ["textiles"]


def test_aqi_days_are_stacked_by_category_every_category_every_month(world, tables_seeded):
    trend = trends.aqi_days(view(world))
    assert [line["key"] for line in trend["series"]] == [
        "good", "moderate", "poor", "bad", "very_bad", "hazardous"]
    assert month_of(trend, "good")["2026-10"] == 1
    assert month_of(trend, "moderate")["2026-11"] == 1
    assert month_of(trend, "poor")["2026-11"] == 1
    assert sum(line["total"] for line in trend["series"]) == 3  # Đồng Nai is not a main city
    assert trends.aqi_days(view(world, province="75"))["cities"] == []


def test_a_year_without_data_gives_twelve_zero_months(world, tables_seeded):
    september = view(world, params=SEPTEMBER, at="2025-09-10")
    assert trends.hours_by_province(september)["series"] == []
    aqi = trends.aqi_days(september)
    assert len(aqi["months"]) == 12
    assert all(line["values"] == [0] * 12 for line in aqi["series"])
