"""envhub.core.periods: validity periods (both ends inclusive) and what is in force on a day —
a regulation column that ended passes to the one the regulation names after it (QCVN 19:2009
column A until 31/12/2014, then column B: docs/domain/emission-standards.md §1). Pure tests."""

from __future__ import annotations

import datetime

import pytest

from envhub.core.periods import ENDED, IN_FORCE, NOT_YET, SUCCEEDED, Period, in_force

D = datetime.date
QCVN_19_2009 = {"A": Period(None, D(2014, 12, 31)), "B": Period()}
THEN_B = {"A": "B"}


@pytest.mark.parametrize(("period", "day", "holds"), [
    (Period(), D(1990, 1, 1), True),
    (Period(D(2026, 1, 1), None), D(2025, 12, 31), False),
    (Period(D(2026, 1, 1), None), D(2026, 1, 1), True),      # the first day holds
    (Period(None, D(2025, 12, 31)), D(2025, 12, 31), True),  # and the last
    (Period(None, D(2025, 12, 31)), D(2026, 1, 1), False),
])
def test_both_ends_are_inclusive(period, day, holds):
    assert period.holds(day) is holds


@pytest.mark.parametrize(("a", "b", "overlap"), [
    (Period(D(2020, 1, 1), D(2024, 12, 31)), Period(D(2025, 1, 1), None), False),
    (Period(D(2020, 1, 1), D(2025, 1, 1)), Period(D(2025, 1, 1), None), True),
    (Period(D(2020, 1, 1), None), Period(D(2030, 1, 1), None), True),
    (Period(), Period(D(2030, 1, 1), D(2030, 1, 1)), True),
    (Period(D(2031, 1, 1), None), Period(None, D(2030, 12, 31)), False),
])
def test_periods_overlap_when_they_share_a_day(a, b, overlap):
    assert a.overlaps(b) is overlap and b.overlaps(a) is overlap


@pytest.mark.parametrize(("named", "day", "state", "used"), [
    ("A", D(2014, 12, 31), IN_FORCE, "A"),   # column A's last day
    ("A", D(2015, 1, 1), SUCCEEDED, "B"),    # every facility on column B from 01/01/2015
    ("A", D(2026, 6, 1), SUCCEEDED, "B"),    # the case: a permit judged in 2026
    ("B", D(2010, 1, 1), IN_FORCE, "B"),
    ("B", D(2026, 6, 1), IN_FORCE, "B"),
    ("C", D(2026, 6, 1), IN_FORCE, "C"),     # a column without a period always holds
])
def test_a_column_that_ended_passes_to_the_one_after_it(named, day, state, used):
    applied = in_force(named, day, QCVN_19_2009, THEN_B)
    assert (applied.state, applied.used) == (state, used)
    assert applied.substituted is (state == SUCCEEDED)
    if state == SUCCEEDED:
        assert applied.ended_on == D(2014, 12, 31) and applied.chain == ("A", "B")


def test_an_end_without_a_successor_leaves_nothing_in_force():
    regulation = {"QCVN 19:2009/BTNMT": Period(None, D(2031, 12, 31))}
    applied = in_force("QCVN 19:2009/BTNMT", D(2032, 1, 1), regulation)
    assert (applied.state, applied.used, applied.ended_on) == (ENDED, None, D(2031, 12, 31))
    assert in_force("QCVN 19:2009/BTNMT", D(2031, 12, 31), regulation).state == IN_FORCE


def test_before_its_first_day_nothing_is_in_force():
    applied = in_force("QCVN 19:2024/BTNMT", D(2025, 6, 30),
                       {"QCVN 19:2024/BTNMT": Period(D(2025, 7, 1), None)})
    assert (applied.state, applied.used, applied.starts_on) == (NOT_YET, None, D(2025, 7, 1))


@pytest.mark.parametrize(("day", "state", "used"), [
    (D(2019, 1, 1), IN_FORCE, "A"), (D(2021, 1, 1), SUCCEEDED, "B"),
    (D(2023, 1, 1), SUCCEEDED, "C"),  # A ended, and so did B: C
])
def test_successors_are_followed_while_they_have_ended_too(day, state, used):
    periods = {"A": Period(None, D(2019, 12, 31)), "B": Period(None, D(2021, 12, 31)),
               "C": Period()}
    applied = in_force("A", day, periods, {"A": "B", "B": "C"})
    assert (applied.state, applied.used) == (state, used)


def test_a_successor_not_yet_in_force_leaves_a_gap():
    periods = {"A": Period(None, D(2014, 12, 31)), "B": Period(D(2016, 1, 1), None)}
    assert in_force("A", D(2015, 6, 1), periods, THEN_B).state == ENDED
    assert in_force("A", D(2016, 1, 1), periods, THEN_B).used == "B"


def test_a_loop_of_successors_ends():
    periods = {"A": Period(None, D(2014, 12, 31)), "B": Period(None, D(2014, 12, 31))}
    applied = in_force("A", D(2020, 1, 1), periods, {"A": "B", "B": "A"})
    assert (applied.state, applied.chain) == (ENDED, ("A", "B"))
