"""Every dashboard figure equals an independent query over the seeded data, for each role that
has a dashboard: the national roles see the country, the provincial officer Hà Nội only. The
independent queries are plain SQL over the tables, written out here on purpose."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from envhub.airquality import vn_aqi
from envhub.core import config
from envhub.dashboard import changes, filters, services
from tests.dashboard.seed import NOW, TODAY, local, plain_over

pytestmark = pytest.mark.django_db

# (persona, the provinces they see: None is the whole country)
READERS = [("admin", None), ("steward", None), ("leader", None), ("officer", ("01",))]


def _sql(query: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _in(provinces, column="p.code") -> tuple[str, list]:
    if provinces is None:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(provinces))})", list(provinces)


def _read(world, persona, **params):
    actor = world.actor(persona)
    view = services.read_view(actor, params, today=TODAY)
    return services.read(actor, view, now=NOW)


def _bounds(first: datetime.date, last: datetime.date):
    return local(first, 0), local(last + datetime.timedelta(days=1), 0)


# --- stations and data ----------------------------------------------------------------------

def _reporting(first, last, provinces) -> int:
    where, params = _in(provinces)
    return _sql("SELECT COUNT(DISTINCT st.id) FROM monitoring_dailyrollup r "
                "JOIN monitoring_series s ON s.id = r.series_id "
                "JOIN registry_station st ON st.id = s.station_id "
                "JOIN registry_province p ON p.id = st.province_id "
                "WHERE r.day BETWEEN %s AND %s AND r.valid_hours > 0 AND st.active "
                "AND st.kind <> 'periodic'" + where, [first, last, *params])[0][0]


def _completeness(first, last, provinces, now=NOW) -> float | None:
    where, params = _in(provinces)
    valid = _sql("SELECT COALESCE(SUM(r.valid_hours), 0) FROM monitoring_dailyrollup r "
                 "JOIN monitoring_series s ON s.id = r.series_id "
                 "JOIN registry_station st ON st.id = s.station_id "
                 "JOIN registry_province p ON p.id = st.province_id "
                 "WHERE r.day BETWEEN %s AND %s AND st.active AND st.kind <> 'periodic'"
                 + where, [first, last, *params])[0][0]
    series = _sql("SELECT COUNT(*) FROM monitoring_series s "
                  "JOIN registry_station st ON st.id = s.station_id "
                  "JOIN registry_province p ON p.id = st.province_id "
                  "WHERE st.active AND st.kind <> 'periodic'" + where, params)[0][0]
    start, end = _bounds(first, last)
    hours = (min(end, now) - start) // datetime.timedelta(hours=1)
    if not series * hours:
        return None  # no hour of the period has ended: nothing was expected yet
    # Capped at 100: the hour in progress may already count as valid (the dashboard's rule).
    return round(min(100.0, 100.0 * valid / (series * hours)), 1)


def _state_now(state, provinces) -> int:
    where, params = _in(provinces)
    return _sql("SELECT COUNT(*) FROM monitoring_stationstatus ss "
                "JOIN registry_station st ON st.id = ss.station_id "
                "JOIN registry_province p ON p.id = st.province_id "
                "WHERE ss.state = %s AND st.active AND st.kind <> 'periodic'" + where,
                [state, *params])[0][0]


def _state_at(state, at, provinces) -> int:
    """The state a station was in at `at`: what the first change after `at` changed from,
    else its status now."""
    where, params = _in(provinces)
    rows = _sql("SELECT st.id, ss.state FROM registry_station st "
                "JOIN registry_province p ON p.id = st.province_id "
                "LEFT JOIN monitoring_stationstatus ss ON ss.station_id = st.id "
                "WHERE st.active AND st.kind <> 'periodic'" + where, params)
    count = 0
    for station_id, current in rows:
        after = _sql("SELECT previous FROM monitoring_connectivitychange WHERE station_id = %s "
                     "AND at > %s ORDER BY at LIMIT 1", [station_id, at])
        count += (after[0][0] if after else current) == state
    return count


@pytest.mark.parametrize(("persona", "provinces"), READERS)
def test_it_counts_the_stations_and_their_data_as_the_tables_do(world, seeded, persona,
                                                                provinces):
    board = _read(world, persona)
    nov, octo = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)), (
        datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    end_of_october = local(datetime.date(2026, 11, 1), 0)
    assert board.figure("stations_reporting").value == _reporting(*nov, provinces)
    assert board.figure("stations_reporting").previous == _reporting(*octo, provinces)
    assert board.figure("completeness").value == _completeness(*nov, provinces)
    assert board.figure("completeness").previous == _completeness(*octo, provinces)
    for state in ("late", "offline"):
        figure = board.figure(f"stations_{state}")
        assert figure.value == _state_now(state, provinces)
        assert figure.previous == _state_at(state, end_of_october, provinces)


def test_it_reads_the_states_at_the_end_of_a_past_period(world, seeded):
    board = _read(world, "leader", period="month", at="2026-10-05")
    # End of October: Đồng Nai's stack late, nobody offline yet.
    assert board.figure("stations_late").value == 1
    assert board.figure("stations_offline").value == 0


# --- compliance -----------------------------------------------------------------------------

def _hours_over(first, last, provinces, now=NOW) -> tuple[int, int]:
    start, end = _bounds(first, last)
    found = [row for code, row in plain_over(start, min(end, now)).items()
             if provinces is None or code in provinces]
    return sum(hours for hours, _ in found), sum(facilities for _, facilities in found)


def _open_at(at, provinces, band=None) -> int:
    where, params = _in(provinces)
    band_where = " AND e.band = %s" if band is not None else ""
    return _sql("SELECT COUNT(*) FROM compliance_exceedanceevent e "
                "JOIN registry_source s ON s.id = e.source_id "
                "JOIN registry_facility f ON f.id = s.facility_id "
                "JOIN registry_province p ON p.id = f.province_id "
                "WHERE e.start <= %s AND e.status <> 'withdrawn' "
                "AND (e.status = 'open' OR e.closed_at > %s)" + where + band_where,
                [at, at, *params, *([band] if band is not None else [])])[0][0]


@pytest.mark.parametrize(("persona", "provinces"), READERS)
def test_it_counts_hours_facilities_and_events_over_the_limits(world, seeded, persona,
                                                               provinces):
    board = _read(world, persona)
    hours, facilities = _hours_over(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30),
                                    provinces)
    hours_before, facilities_before = _hours_over(datetime.date(2026, 10, 1),
                                                  datetime.date(2026, 10, 31), provinces)
    assert board.figure("hours_over").value == hours
    assert board.figure("hours_over").previous == hours_before
    assert board.figure("facilities_over").value == facilities
    assert board.figure("facilities_over").previous == facilities_before
    end_of_october = local(datetime.date(2026, 11, 1), 0)
    assert board.figure("events_open").value == _open_at(NOW, provinces)
    assert board.figure("events_open").previous == _open_at(end_of_october, provinces)
    for band in ("2", "3", "4"):
        assert board.figure(f"events_band_{band}").value == _open_at(NOW, provinces, band)
        assert board.figure(f"events_band_{band}").previous == _open_at(
            end_of_october, provinces, band)


def test_the_seeded_figures_are_those_a_reader_would_count(world, seeded):
    """The same figures said in words, so that a wrong seed cannot make both sides agree."""
    board = _read(world, "leader")
    assert (board.figure("hours_over").value, board.figure("hours_over").previous) == (5, 5)
    assert board.figure("facilities_over").previous == 2
    assert board.figure("events_open").value == 2  # Hà Nội's two; Đồng Nai's closed 5/11
    assert board.figure("events_band_4").value == 0  # the withdrawn one never counts
    assert board.figure("stations_offline").value == 2
    officer = _read(world, "officer")
    assert officer.figure("hours_over").previous == 3
    assert officer.figure("stations_late").previous == 0


# --- air quality, surveys, catalogue ------------------------------------------------------------

def _aqi_days(first, last, cities) -> dict[str, int]:
    where, params = _in(cities)
    rows = _sql("SELECT p.code, a.day, MAX(a.aqi) FROM airquality_dailyaqi a "
                "JOIN registry_station st ON st.id = a.station_id "
                "JOIN registry_province p ON p.id = st.province_id "
                "WHERE a.day BETWEEN %s AND %s AND a.aqi IS NOT NULL" + where +
                " GROUP BY p.code, a.day", [first, last, *params])
    bands = [(50, "good"), (100, "moderate"), (150, "poor"), (200, "bad"), (300, "very_bad")]
    counts: dict[str, int] = {}
    for _code, _day, worst in rows:
        name = next((code for high, code in bands if worst <= high), "hazardous")
        counts[name] = counts.get(name, 0) + 1
    return counts


@pytest.mark.parametrize(("persona", "provinces"), READERS)
def test_it_counts_aqi_days_in_the_main_cities(world, seeded, persona, provinces):
    board = _read(world, persona)
    cities = tuple(config.DEFAULT_DASHBOARD_CITIES)
    now = _aqi_days(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), cities)
    before = _aqi_days(datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), cities)
    codes = [category.code for category in vn_aqi.CATEGORIES]
    assert codes == ["good", "moderate", "poor", "bad", "very_bad", "hazardous"]
    for code in codes:
        assert board.figure(f"aqi_{code}").value == now.get(code, 0)
        assert board.figure(f"aqi_{code}").previous == before.get(code, 0)
    if provinces is None or "01" in provinces:  # Hà Nội's days fall in every category
        assert all(now.get(code) for code in codes) and all(before.get(code) for code in codes)
    # Each main city in view is listed, with its days; Đồng Nai (75) is no main city.
    assert [city["code"] for city in board.aqi_cities] == [
        code for code in cities if provinces is None or code in provinces]
    assert [city["total"] for city in board.aqi_cities][:2] == [19, 0][:len(board.aqi_cities)]


def test_it_says_no_main_city_is_in_a_province_view(world, seeded):
    board = _read(world, "leader", province="75")
    assert board.aqi == [] and board.aqi_cities == []


def test_it_takes_the_main_cities_from_the_settings(world, seeded, settings):
    settings.ENVHUB_DASHBOARD_CITIES = ("75",)
    board = _read(world, "leader")
    assert [city["code"] for city in board.aqi_cities] == ["75"]
    assert board.figure("aqi_good").value == 19


def test_it_shows_survey_progress_to_national_roles_only(world, seeded):
    from envhub.surveys import campaigns as survey_campaigns
    from envhub.surveys.models import Assignment, SurveySchema

    schema = SurveySchema.objects.order_by("pk").first()
    campaign = survey_campaigns.create_campaign(
        world.actor("steward"), title="Điều tra 2026", year=2026, schema_ids=[schema.pk],
        unit_ids=[world.survey_unit.pk], due_on=datetime.date(2026, 11, 1))
    assert Assignment.objects.filter(campaign=campaign).count() == 1
    board = _read(world, "leader")
    assert board.surveys == [{"id": campaign.pk, "title": "Điều tra 2026", "year": 2026,
                              "owed": 1, "sent": 0, "approved": 0, "overdue": 1,
                              "percent": 0.0}]
    assert _read(world, "officer").surveys is None


def test_it_counts_the_late_datasets_the_reader_may_see(world, seeded):
    from envhub.catalog import services as catalog

    for persona in ("leader", "officer"):
        board = _read(world, persona)
        actor = world.actor(persona)
        assert board.figure("datasets_late").value == sum(
            1 for item in catalog.visible(actor).filter(withdrawn=False) if item.is_late(NOW))
        assert board.figure("datasets_late").change is None  # a state now


# --- the change -----------------------------------------------------------------------------

def test_a_period_with_nothing_before_it_says_no_earlier_data(world, seeded):
    board = _read(world, "leader", period="month", at="2026-10-01")
    for key in ("stations_reporting", "completeness", "hours_over", "facilities_over",
                "events_open", "aqi_good"):
        figure = board.figure(key)
        assert figure.value is not None, key
        assert figure.previous is None, key
        assert figure.change.kind == changes.NO_EARLIER, key
    # The stations existed at the end of September (all online or never heard of).
    assert board.figure("stations_offline").previous == 0


def test_a_period_without_data_shows_no_figure_rather_than_a_good_one(world, seeded):
    board = _read(world, "leader", period="month", at="2026-08-01")
    assert board.figure("hours_over").value is None
    assert board.figure("facilities_over").value is None
    assert board.figure("events_open").value is None
    assert board.figure("completeness").value == 0.0  # every hour expected, none valid
    assert board.figure("hours_over").change.kind == changes.UNKNOWN


def test_the_sector_narrows_facilities_and_their_stations(world, seeded):
    board = _read(world, "leader", sector="cement")  # Đồng Nai's cement works only
    assert board.figure("hours_over").previous == 2
    assert board.figure("stations_reporting").of == 1
    assert board.figure("events_open").previous == 1


def test_an_officer_cannot_read_another_province(world, seeded):
    from django.http import Http404

    with pytest.raises(Http404):
        services.read_view(world.actor("officer"), {"province": "75"}, today=TODAY)
    assert filters.view_from(world.actor("officer"), {}, today=TODAY).provinces == ("01",)
