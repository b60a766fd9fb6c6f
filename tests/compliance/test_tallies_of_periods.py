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


@pytest.mark.django_db
def test_it_expects_the_parameters_both_measured_and_limited(world):
    """A stack measuring four parameters under a regulation that limits two of them and a
    permit that limits a third itself: three judged parameters, each expected every hour; a
    stack that measures nothing is still expected to send one."""
    from envhub.compliance.models import LimitValue, Permit, PermitLimit, Regulation
    from envhub.monitoring.models import Series
    from envhub.registry.models import Parameter, Station, StationKind

    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    limited = list(LimitValue.objects.filter(regulation=regulation).values_list(
        "parameter_id", flat=True).distinct().order_by("parameter_id"))
    others = list(Parameter.objects.exclude(id__in=limited).order_by("id")[:2])
    measured = [*limited[:2], *(parameter.id for parameter in others)]
    for parameter_id in measured:  # two limited, one the permit limits, one nobody does
        Series.objects.create(station=world.station_stack_hn, parameter_id=parameter_id)
    second = Station.objects.create(  # a second station on the stack: a parameter counts once
        code="HNKT9", name="Trạm 2", kind=StationKind.AUTO_EMISSION, medium="emission",
        source=world.stack_hn, facility=world.stack_hn.facility,
        province=world.station_stack_hn.province)
    Series.objects.create(station=second, parameter_id=limited[0])
    permits = {source: Permit.objects.create(source=source, number=f"GP-{source.pk}",
                                             valid_from=datetime.date(2026, 1, 1),
                                             regulation=regulation, column="B")
               for source in (world.stack_hn, world.stack_hn2)}
    PermitLimit.objects.create(permit=permits[world.stack_hn], parameter=others[0], value=10,
                               unit="mg/Nm3")
    day = _span(datetime.date(2026, 11, 19), datetime.date(2026, 11, 19))
    tallies = coverage.facilities_tally(Facility.objects.all(), *day, NOW)
    assert tallies[world.stack_hn.facility_id].expected == 24 * 3
    assert tallies[world.stack_hn2.facility_id].expected == 24
