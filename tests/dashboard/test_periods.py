import datetime

import pytest

from envhub.dashboard import periods

D = datetime.date


@pytest.mark.parametrize("kind, day, first, last", [
    ("week", D(2026, 12, 7), D(2026, 12, 7), D(2026, 12, 13)),    # a Monday
    ("week", D(2026, 12, 6), D(2026, 11, 30), D(2026, 12, 6)),    # a Sunday
    ("week", D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3)),      # across a year's end
    ("month", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
    ("month", D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),     # leap year
    ("month", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ("quarter", D(2026, 5, 5), D(2026, 4, 1), D(2026, 6, 30)),
    ("quarter", D(2026, 12, 7), D(2026, 10, 1), D(2026, 12, 31)),
    ("year", D(2026, 7, 1), D(2026, 1, 1), D(2026, 12, 31)),
])
def test_it_finds_the_calendar_period_around_a_day(kind, day, first, last):
    period = periods.around(kind, day)
    assert (period.first, period.last) == (first, last)
    assert period.contains(day)


@pytest.mark.parametrize("kind, day, first, last", [
    ("week", D(2026, 12, 7), D(2026, 11, 30), D(2026, 12, 6)),
    ("month", D(2026, 3, 15), D(2026, 2, 1), D(2026, 2, 28)),     # a shorter month before
    ("month", D(2026, 1, 15), D(2025, 12, 1), D(2025, 12, 31)),   # across a year
    ("quarter", D(2026, 1, 2), D(2025, 10, 1), D(2025, 12, 31)),
    ("year", D(2026, 6, 1), D(2025, 1, 1), D(2025, 12, 31)),
])
def test_it_compares_with_the_calendar_period_before(kind, day, first, last):
    previous = periods.around(kind, day).previous()
    assert (previous.first, previous.last) == (first, last)


def test_it_compares_a_custom_period_with_as_many_days_before():
    period = periods.custom(D(2026, 3, 10), D(2026, 3, 19))
    assert period.days == 10
    assert periods.custom(D(2026, 2, 28), D(2026, 3, 9)) == period.previous()


@pytest.mark.parametrize("first, last", [(D(2026, 3, 2), D(2026, 3, 1)),
                                         (D(2020, 1, 1), D(2026, 1, 1))])
def test_it_refuses_a_custom_period_backwards_or_too_long(first, last):
    with pytest.raises(ValueError):
        periods.custom(first, last)


def test_it_lists_twelve_months_oldest_first():
    months = periods.months_back(D(2026, 12, 7), 12)
    assert [m.first for m in months][:2] == [D(2026, 1, 1), D(2026, 2, 1)]
    assert months[-1].last == D(2026, 12, 31) and len(months) == 12
