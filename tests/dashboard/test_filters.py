import datetime

import pytest
from django.http import Http404

from envhub.dashboard import filters

D = datetime.date
TODAY = D(2026, 12, 7)


@pytest.mark.parametrize("persona", ["operator", "survey", "anonymous"])
def test_it_refuses_a_dashboard_to_those_who_have_none(world, persona):
    with pytest.raises(filters.DashboardRefused):
        filters.view_from(world.actor(persona), {}, today=TODAY)


@pytest.mark.parametrize("persona", ["admin", "steward", "leader"])
def test_it_shows_the_country_this_month_by_default(world, persona):
    view = filters.view_from(world.actor(persona), {}, today=TODAY)
    assert view.national and view.sector is None
    assert (view.period.first, view.period.last) == (D(2026, 12, 1), D(2026, 12, 31))


def test_it_bounds_a_provincial_officer_to_their_provinces(world):
    officer = world.actor("officer")
    assert filters.view_from(officer, {}, today=TODAY).provinces == ("01",)
    with pytest.raises(Http404):
        filters.view_from(officer, {"province": "75"}, today=TODAY)
    assert filters.view_from(world.actor("leader"), {"province": "75"}).provinces == ("75",)


def test_it_reads_a_shared_url_back_to_the_same_view(world):
    leader = world.actor("leader")
    view = filters.view_from(leader, {"period": "custom", "from": "2026-03-10", "to": "2026-03-19",
                                      "province": "01", "sector": "cement"}, today=TODAY)
    params = dict(pair.split("=") for pair in view.query().split("&"))
    assert filters.view_from(leader, params, today=TODAY) == view
    assert view.previous().period.first == D(2026, 2, 28)


@pytest.mark.parametrize("params", [{"period": "decade"}, {"at": "07/12/2026"},
                                    {"period": "custom", "from": "2026-03-10"},
                                    {"sector": "<script>"},
                                    {"period": "custom", "from": "2026-03-10", "to": "2020-01-01"}])
def test_it_says_which_filter_it_cannot_read(world, params):
    with pytest.raises(filters.FilterError):
        filters.view_from(world.actor("leader"), params, today=TODAY)


def test_it_refuses_an_unknown_province(world):
    with pytest.raises(Http404):
        filters.view_from(world.actor("leader"), {"province": "99"}, today=TODAY)


def test_it_bounds_the_period_in_utc_by_local_days(world):
    view = filters.view_from(world.actor("leader"), {"period": "week", "at": "2026-12-07"})
    start, end = view.utc_bounds()
    assert start == datetime.datetime(2026, 12, 6, 17, tzinfo=datetime.UTC)
    assert end == datetime.datetime(2026, 12, 13, 17, tzinfo=datetime.UTC)
