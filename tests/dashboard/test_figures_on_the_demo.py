"""The dashboard's figures over the demo's own data (`envhub demo`: its country and a day of its
stations' TT10 files, rolled up, judged and turned into events, at the real clock), each equal
to the hand-written SQL of `test_figures.py`, as the demo's leader sees the country and its
provincial officer Hà Nội. The period is today, which the day of data covers whole."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from envhub.accounts.models import User
from envhub.core.permissions import actor_for_user
from envhub.core.timeutil import local_day
from envhub.dashboard import services
from tests.dashboard import test_figures as plain
from tests.demo.test_demo_tt10 import built, var_dir  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db

READERS = [("demo-leader", None), ("demo-province", ("01",))]


@pytest.fixture
def demo_data(built, var_dir):  # noqa: F811
    from django.db import connection

    if connection.vendor != "sqlite":
        # Measured: a day of the demo loaded inside a test's transaction took over 4 minutes
        # on PostgreSQL (not investigated); the same SQL runs there over the seed.
        pytest.skip("the demo's day is loaded in the SQLite run only")
    call_command("demo", "--days", "1", "--no-library", stdout=io.StringIO(),
                 stderr=io.StringIO())
    return timezone.now()


def test_the_figures_over_the_demo_data_are_those_the_tables_give(demo_data):
    # One test for both readers: loading the demo's day of data takes 15 s.
    for username, provinces in READERS:
        _check(username, provinces, now=demo_data)


def _check(username, provinces, now):
    today = local_day(now)
    actor = actor_for_user(User.objects.get(username=username))
    view = services.read_view(actor, {"period": "custom", "from": today.isoformat(),
                                      "to": today.isoformat()}, today=today)
    board = services.read(actor, view, now=now)
    assert board.figure("stations_reporting").value == plain._reporting(today, today, provinces)
    assert board.figure("completeness").value == plain._completeness(today, today, provinces,
                                                                     now)
    for state in ("late", "offline"):
        assert board.figure(f"stations_{state}").value == plain._state_now(state, provinces)
    hours, facilities = plain._hours_over(today, today, provinces, now)
    assert board.figure("hours_over").value == hours
    assert board.figure("facilities_over").value == facilities
    assert board.figure("events_open").value == plain._open_at(now, provinces)
    for band in ("2", "3", "4"):
        assert board.figure(f"events_band_{band}").value == plain._open_at(now, provinces, band)
    # Not nothing compared with nothing: the demo's stations report, one is held back late
    # and one offline, and today is judged.
    if provinces is None:
        assert board.figure("stations_reporting").value > 50
        assert board.figure("stations_late").value + board.figure("stations_offline").value > 0
        assert hours is not None
