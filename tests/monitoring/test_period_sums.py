"""Sums of a daily summary over periods, read from its monthly summary where a period holds a
whole month (`period_sums`): how a period is cut (a table of cases), and the sums equal the
days summed directly for any periods (hypothesis, on the station-days the triggers keep)."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.monitoring import rollups
from envhub.monitoring.models import Series, StationDay, StationMonth
from envhub.monitoring.period_sums import period_sums, pieces
from tests.monitoring.test_station_days import day_columns

D = datetime.date


@pytest.mark.parametrize(("first", "last", "months", "days"), [
    # a whole month, two whole months
    (D(2026, 11, 1), D(2026, 11, 30), [D(2026, 11, 1)], []),
    (D(2026, 10, 1), D(2026, 11, 30), [D(2026, 10, 1), D(2026, 11, 1)], []),
    # a week inside a month: its days
    (D(2026, 11, 9), D(2026, 11, 15), [], [(D(2026, 11, 9), D(2026, 11, 15), 1)]),
    # most of a month: the month less the days left out, on both sides
    (D(2026, 11, 2), D(2026, 11, 20), [D(2026, 11, 1)],
     [(D(2026, 11, 1), D(2026, 11, 1), -1), (D(2026, 11, 21), D(2026, 11, 30), -1)]),
    # across a month's end: days of one, the month less a day of the other
    (D(2026, 10, 28), D(2026, 11, 29), [D(2026, 11, 1)],
     [(D(2026, 10, 28), D(2026, 10, 31), 1), (D(2026, 11, 30), D(2026, 11, 30), -1)]),
    # exactly half of February 2028 (29 days): 14 in, 15 out -> the days
    (D(2028, 2, 1), D(2028, 2, 14), [], [(D(2028, 2, 1), D(2028, 2, 14), 1)]),
    (D(2028, 2, 1), D(2028, 2, 15), [D(2028, 2, 1)], [(D(2028, 2, 16), D(2028, 2, 29), -1)]),
    # a year
    (D(2026, 1, 1), D(2026, 12, 31), [D(2026, m, 1) for m in range(1, 13)], []),
    # one day
    (D(2026, 12, 31), D(2026, 12, 31), [], [(D(2026, 12, 31), D(2026, 12, 31), 1)]),
])
def test_it_cuts_a_period_into_months_and_days(first, last, months, days):
    assert pieces(first, last) == (months, days)


BASE = D(2026, 10, 20)
day_offset = st.integers(0, 50)  # 20 October .. 9 December


@pytest.mark.django_db
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=st.lists(st.tuples(st.integers(0, 2), day_offset, st.integers(0, 24)),
                        min_size=1, max_size=25),
       spans=st.lists(st.tuples(day_offset, st.integers(0, 45)), min_size=1, max_size=3))
def test_the_sums_equal_the_days_summed(world, written, spans):
    from envhub.registry.models import Parameter

    parameters = list(Parameter.objects.filter(code__in=["PM10", "CO"]).order_by("pk")[:2])
    series = [Series.objects.get_or_create(station=station, parameter=parameter)[0].pk
              for station, parameter in ((world.air_hn, parameters[0]),
                                         (world.air_hn, parameters[1]),
                                         (world.air_dn, parameters[0]))]
    for pk, offset, hours in written:
        rollups._write_days({(series[pk], BASE + datetime.timedelta(days=offset)):
                             day_columns(hours)})
    assert StationMonth.objects.exists()
    periods = [(BASE + datetime.timedelta(days=start),
                BASE + datetime.timedelta(days=start + length)) for start, length in spans]
    columns = ("rollups", "valid_hours", "reporting")
    scope = Q(station_id__in=[world.air_hn.pk, world.air_dn.pk])
    found = period_sums(StationDay, StationMonth, "station_id", columns, periods, scope)
    for (first, last), sums in zip(periods, found, strict=True):
        direct = {row["station_id"]: [row[f"sum_{column}"] for column in columns]
                  for row in StationDay.objects.filter(scope, day__range=(first, last))
                  .values("station_id").annotate(**{f"sum_{column}": Sum(column)
                                                    for column in columns})}
        assert sums == {key: value for key, value in direct.items() if any(value)}
