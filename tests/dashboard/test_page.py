"""The dashboard page for each persona: who sees it, what it says, the filters in the URL, bad
filters and provinces out of scope, and what it reads (never the observations)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_it_shows_the_figures_to_those_who_have_a_dashboard(world, seeded, persona):
    page = world.client(persona).get("/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "tháng 11/2026" in text and "tháng 10/2026" in text
    assert 'data-figure="hours_over"' in text
    assert 'href="/api/v1/dashboard?period=month&amp;at=2026-11-01"' in text
    # Each card leads to the list behind it.
    assert 'href="/transmission/?state=offline"' in text
    assert 'href="/compliance/events/?status=open&amp;band=3"' in text
    assert "Bảng điều khiển" in text
    # Survey campaigns are the national roles' (none yet in the seeded world).
    assert ("Không có đợt điều tra nào" in text) == (persona != "officer")


def test_an_officer_sees_their_province_only(world, seeded):
    text = world.client("officer").get("/dashboard/").content.decode()
    assert 'data-province="01"' in text and 'data-province="75"' not in text
    assert world.client("officer").get("/dashboard/?province=75").status_code == 404
    assert world.client("leader").get("/dashboard/?province=75").status_code == 200


@pytest.mark.parametrize("persona", ["operator", "survey"])
def test_it_tells_operators_and_survey_units_they_have_no_dashboard(world, seeded, persona):
    page = world.client(persona).get("/dashboard/")
    assert page.status_code == 403
    assert "không có bảng điều khiển" in page.content.decode()
    home = world.client(persona).get("/").content.decode()
    assert 'href="/dashboard/"' not in home  # no menu entry, no panel


def test_it_asks_an_anonymous_visitor_to_sign_in(world, seeded):
    page = world.client("anonymous").get("/dashboard/")
    assert page.status_code == 302 and "next=/dashboard/" in page["Location"]


@pytest.mark.parametrize("query", ["period=decade", "at=31/12/2026", "sector=unknown",
                                   "period=custom&from=2026-03-10&to=2020-01-01",
                                   "period=custom&from=2026-03-10"])
def test_it_says_which_filter_it_cannot_read(world, seeded, query):
    page = world.client("leader").get(f"/dashboard/?{query}")
    assert page.status_code == 400
    text = page.content.decode()
    assert any(words in text for words in ("Không có loại kỳ", "không phải là ngày",
                                            "Không có loại hình", "Kỳ phải kết thúc"))


def test_it_links_the_periods_before_and_after(world, seeded):
    text = world.client("leader").get(
        "/dashboard/?period=quarter&at=2026-11-20&province=01").content.decode()
    assert 'href="?period=quarter&amp;at=2026-07-01&amp;province=01"' in text
    assert 'href="?period=quarter&amp;at=2027-01-01&amp;province=01"' in text
    assert "quý 4/2026" in text


def test_it_leads_to_the_stored_reports(world, seeded):
    text = world.client("leader").get("/dashboard/").content.decode()
    assert 'href="/dashboard/reports/"' in text
    assert world.client("leader").get("/dashboard/reports/").status_code == 200


def test_it_leads_a_province_on_the_map_to_its_dashboard(world, seeded):
    text = world.client("leader").get("/dashboard/?map=completeness").content.decode()
    assert 'href="?period=month&amp;at=2026-11-01&amp;province=01"' in text
    assert '"figure": "completeness"' in text


def test_it_never_reads_the_observations_and_reads_little(world, seeded):
    client = world.client("leader")
    client.get("/dashboard/")  # sessions and caches warmed
    with CaptureQueriesContext(connection) as first:
        assert client.get("/dashboard/").status_code == 200
    assert not [q["sql"] for q in first.captured_queries if "monitoring_observation" in q["sql"]]
    # More stations, series and rollups: the same number of queries.
    from envhub.monitoring.models import DailyRollup, Series
    from envhub.registry.models import Station, StationKind

    extra = [Station.objects.create(code=f"HNXX{n}", name=f"Trạm {n}",
                                    kind=StationKind.AUTO_AIR, medium="air",
                                    province=world.hanoi, latitude=21, longitude=105.8)
             for n in range(5)]
    for station in extra:
        series = Series.objects.create(station=station, parameter=seeded["parameters"]["SO2"])
        DailyRollup.objects.create(series=series, day="2026-11-02", count=1, valid_count=1,
                                   expected_count=1, coverage=100, valid_hours=1)
    client.get("/dashboard/")  # the map's province centres are worked out again once
    with CaptureQueriesContext(connection) as second:
        assert client.get("/dashboard/").status_code == 200
    assert len(second.captured_queries) == len(first.captured_queries)
    assert len(first.captured_queries) < 60


def test_the_home_page_leads_leaders_to_the_dashboard(world, seeded):
    text = world.client("leader").get("/").content.decode()
    assert 'href="/dashboard/"' in text and 'data-figure="completeness"' in text


def test_it_speaks_english_too(world, seeded):
    client = world.client("leader")
    client.cookies["django_language"] = "en"
    text = client.get("/dashboard/").content.decode()
    assert "Dashboard" in text and "month 11/2026" in text and "hours over a limit" in text.lower()


def test_it_steps_custom_days_by_their_own_length(world, seeded):
    text = world.client("leader").get(
        "/dashboard/?period=custom&from=2026-11-01&to=2026-11-10").content.decode()
    assert 'href="?period=custom&amp;from=2026-10-22&amp;to=2026-10-31"' in text
    assert 'href="?period=custom&amp;from=2026-11-11&amp;to=2026-11-20"' in text
    assert "01/11/2026 – 10/11/2026" in text
