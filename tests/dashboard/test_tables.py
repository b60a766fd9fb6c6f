"""The dashboard's grouped tables equal plain queries over seeded rows, in every reader's scope
and with the province and sector filters."""

import datetime

import pytest
from django.db import connection

from envhub.dashboard import filters, tables
from tests.dashboard.seed import DEC7, SEPTEMBER, plain_hours_by_province
from tests.dashboard.seed import tables_view as view


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_it_counts_hours_and_events_by_province_in_the_readers_scope(world, tables_seeded, persona):
    shown = view(world, persona)
    rows = tables.exceedances_by_province(shown)
    expected = plain_hours_by_province(*shown.utc_bounds(), shown.provinces)
    assert {row["province"]: row["hours"] for row in rows} == expected
    every = [{"province": "01", "name": world.hanoi.name, "hours": 8, "events": 2,
              "open_events": 1, "facilities": 2},
             {"province": "75", "name": world.dongnai.name, "hours": 8, "events": 1,
              "open_events": 0, "facilities": 1}]
    assert rows == (every[:1] if persona == "officer" else every)


def test_the_hour_ending_at_local_midnight_belongs_to_the_month_before(world, tables_seeded):
    october = view(world, at="2026-10-10")
    assert tables.exceedances_by_province(october)[0]["hours"] == 2
    assert plain_hours_by_province(*october.utc_bounds()) == {"75": 2}


def test_it_filters_by_one_province_and_by_sector(world, tables_seeded):
    assert [row["province"] for row in tables.exceedances_by_province(
        view(world, province="75"))] == ["75"]
    cement = view(world, sector="cement")
    rows = tables.exceedances_by_province(cement)
    assert {row["province"]: row["hours"] for row in rows} == plain_hours_by_province(
        *cement.utc_bounds(), sector="cement") == {"75": 8}


def test_it_counts_by_sector(world, tables_seeded):
    rows = tables.exceedances_by_sector(view(world))
    assert [(row["sector"], row["hours"], row["events"]) for row in rows] == [
        ("cement", 8, 1), ("thermal_power", 5, 2), ("textiles", 3, 0)]
    officer = tables.exceedances_by_sector(view(world, "officer"))
    assert [row["sector"] for row in officer] == ["thermal_power", "textiles"]


def test_it_ranks_facilities_with_their_worst_band(world, tables_seeded):
    rows = tables.top_facilities(view(world))
    assert [(row["name"], row["hours"], row["events"], row["open_events"], row["worst_band"])
            for row in rows] == [
        (world.facility_dn.name, 8, 1, 0, "4"), (world.facility_hn.name, 5, 2, 1, "3"),
        (world.facility_hn2.name, 3, 0, 0, "")]
    assert rows[0]["province"] == "75" and rows[0]["sector"] == "cement"
    assert len(tables.top_facilities(view(world), limit=2)) == 2


def test_it_tells_completeness_and_outages_by_province(world, tables_seeded):
    rows = tables.completeness_by_province(view(world))
    # Hà Nội: HNKT1 (2 series) and HNKK1 (1) expect 3 × 720 hours and received 720 + 200.
    assert rows == [
        {"province": "01", "name": world.hanoi.name, "stations": 5, "expected_hours": 2160,
         "received_hours": 920, "missing_hours": 1240, "completeness": 42.6, "enough": False,
         "outages": 0, "offline_now": 0, "late_now": 1},
        {"province": "75", "name": world.dongnai.name, "stations": 2, "expected_hours": 720,
         "received_hours": 360, "missing_hours": 360, "completeness": 50.0, "enough": False,
         "outages": 2, "offline_now": 1, "late_now": 0}]
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(valid_hours) FROM monitoring_dailyrollup "
                       "WHERE day >= %s AND day <= %s",
                       [datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)])
        assert cursor.fetchone()[0] == sum(row["received_hours"] for row in rows)


def test_a_running_period_expects_only_the_hours_that_have_ended(world, tables_seeded):
    december = filters.view_from(world.actor("leader"), {}, today=DEC7)
    rows = tables.completeness_by_province(december)
    # 7 December 09:00 local: six days and nine hours have ended.
    assert rows[0]["expected_hours"] == 3 * (6 * 24 + 9)


def test_it_lists_the_stations_with_most_gaps(world, tables_seeded):
    rows = tables.stations_with_most_gaps(view(world))
    assert [(row["station"], row["missing_hours"], row["outages"], row["state"])
            for row in rows] == [("HNKK1", 720, 0, "never"), ("HNKT1", 520, 0, "late"),
                                 ("DNKT1", 360, 2, "offline")]
    assert [row["station"] for row in tables.stations_with_most_gaps(
        view(world, sector="cement"))] == ["DNKT1"]
    assert [row["station"] for row in tables.stations_with_most_gaps(
        view(world, "officer"))] == ["HNKK1", "HNKT1"]


def test_it_counts_aqi_days_per_category_in_the_main_cities(world, tables_seeded, settings):
    rows = tables.aqi_days_by_city(view(world))
    assert [row["province"] for row in rows] == ["01", "31", "46", "48", "79", "92"]
    hanoi = rows[0]
    assert hanoi["days"] == {"good": 0, "moderate": 1, "poor": 1, "bad": 0, "very_bad": 0,
                             "hazardous": 0}
    assert (hanoi["with_index"], hanoi["without_index"]) == (2, 28)
    assert all(sum(row["days"].values()) == 0 for row in rows[1:])
    settings.ENVHUB_DASHBOARD_CITIES = ["75", "01"]
    assert [row["province"] for row in tables.aqi_days_by_city(view(world))] == ["75", "01"]
    assert [row["province"] for row in tables.aqi_days_by_city(view(world, "officer"))] == ["01"]


def test_it_counts_survey_submissions_per_campaign_and_state(world, tables_seeded):
    rows = tables.survey_submissions(view(world))
    assert len(rows) == 1 and rows[0]["assignments"] == 3
    states = rows[0]["states"]
    assert (states["not_started"], states["submitted"], states["approved"]) == (1, 1, 1)
    officer = tables.survey_submissions(view(world, "officer"))
    assert officer[0]["assignments"] == 1 and officer[0]["states"]["approved"] == 1
    assert tables.survey_submissions(view(world, at="2025-11-01")) == []


def test_a_month_without_data_gives_empty_tables_not_errors(world, tables_seeded):
    september = filters.view_from(world.actor("leader"), SEPTEMBER, today=DEC7)
    assert tables.exceedances_by_province(september) == []
    assert tables.top_facilities(september) == []
    assert all(row["received_hours"] == 0 for row in tables.completeness_by_province(september))
    assert all(row["with_index"] == 0 for row in tables.aqi_days_by_city(september))


TABLES = [tables.exceedances_by_province, tables.exceedances_by_sector, tables.top_facilities,
          tables.completeness_by_province, tables.stations_with_most_gaps,
          tables.aqi_days_by_city, tables.survey_submissions]


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.__name__)
def test_each_table_is_a_few_grouped_queries_whatever_its_rows(world, tables_seeded, table,
                                                               django_assert_max_num_queries):
    shown = view(world)
    with django_assert_max_num_queries(6):
        rows = table(shown)
    assert rows
