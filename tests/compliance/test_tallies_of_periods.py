"""`coverage.facilities_tallies` reads the judged windows of several periods in one pass (the
dashboard's period and the one before): each period's tallies must be `facilities_tally`'s."""

from __future__ import annotations

import datetime

import pytest

from envhub.compliance import coverage
from envhub.core.timeutil import day_bounds
from envhub.registry.models import Facility

TODAY = datetime.date(2026, 11, 20)
NOW = datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC)  # 23:30 in Viet Nam


def _span(first: datetime.date, last: datetime.date):
    return day_bounds(first)[0], day_bounds(last)[1]


@pytest.mark.django_db
@pytest.mark.parametrize("spans", [
    # this month (still running) and the one before
    [(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)),
     (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))],
    # one day, and a week long ago without judged windows
    [(datetime.date(2026, 11, 19), datetime.date(2026, 11, 19)),
     (datetime.date(2026, 6, 1), datetime.date(2026, 6, 7))],
    # overlapping spans
    [(datetime.date(2026, 11, 10), datetime.date(2026, 11, 20)),
     (datetime.date(2026, 11, 15), datetime.date(2026, 11, 25))],
])
def test_it_tallies_several_periods_as_one_period_at_a_time(reference, spans):
    from bench import national

    national.build(national.Scale(stations=24, parameters=2, events=60, days=40,
                                  hourly_days=25, today=TODAY))
    facilities = Facility.objects.all()
    bounds = [_span(first, last) for first, last in spans]
    together = coverage.facilities_tallies(facilities, bounds, NOW)
    apart = [coverage.facilities_tally(facilities, start, end, NOW) for start, end in bounds]
    assert together == apart
    assert any(tally.with_data for tally in together[0].values())
    if spans[0][1] - spans[0][0] > datetime.timedelta(days=7):  # a month holds exceedances
        assert sum(tally.exceeded_hours for tally in together[0].values()) > 0


@pytest.mark.django_db
def test_it_tallies_nothing_for_facilities_without_permits(reference):
    bounds = [_span(TODAY, TODAY), _span(TODAY - datetime.timedelta(days=1),
                                         TODAY - datetime.timedelta(days=1))]
    assert coverage.facilities_tallies(Facility.objects.none(), bounds, NOW) == [{}, {}]
