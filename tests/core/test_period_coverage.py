"""envhub.core.completeness.period_coverage: what a period of averaging windows may say — no
data, not enough data with its coverage, still in progress, or judged — never a bare 0 where
nothing could be judged (issue 15 item 4). Pure tests."""

from __future__ import annotations

import datetime

import pytest

from envhub.core import completeness as c

UTC = datetime.timezone.utc
START = datetime.datetime(2026, 10, 31, 17, tzinfo=UTC)  # 1 November, local midnight
END = datetime.datetime(2026, 11, 30, 17, tzinfo=UTC)  # 30 days: 720 hours
AFTER = END + datetime.timedelta(days=3)
HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(("now", "expected", "valid", "with_data", "status", "coverage"), [
    (AFTER, 720, 0, 0, c.NO_DATA, 0.0),              # a month without data
    (AFTER, 720, 0, 3, c.INSUFFICIENT, 0.0),         # data, but no window with enough
    (AFTER, 720, 539, 600, c.INSUFFICIENT, 74.9),    # one window short of 75 %
    (AFTER, 720, 540, 540, c.COMPLETE, 75.0),        # at the threshold
    (AFTER, 720, 720, 720, c.COMPLETE, 100.0),
    (START - HOUR, 0, 0, 0, c.IN_PROGRESS, None),    # not started yet
    (START + HOUR / 2, 0, 0, 0, c.IN_PROGRESS, None),  # its first window still running
    (START + 10 * HOUR, 10, 10, 10, c.IN_PROGRESS, 100.0),  # running, enough so far
    (START + 10 * HOUR, 10, 2, 10, c.INSUFFICIENT, 20.0),   # running, a partial start
    (START + 10 * HOUR, 10, 0, 0, c.NO_DATA, 0.0),           # running, nothing so far
    (AFTER, 0, 0, 0, c.NO_DATA, None),               # nothing was to be judged in it
])
def test_a_period_is_told_by_its_ended_windows(now, expected, valid, with_data, status,
                                               coverage):
    told = c.period_coverage(START, END, now, expected, valid, with_data)
    assert (told.status, told.coverage) == (status, coverage)


def test_a_share_other_than_75_percent():
    assert c.period_coverage(START, END, AFTER, 10, 8, 10, share=80).status == c.COMPLETE
    assert c.period_coverage(START, END, AFTER, 10, 7, 10, share=80).status == \
        c.INSUFFICIENT


@pytest.mark.parametrize(("status", "count", "shown"), [
    (c.COMPLETE, 0, 0), (c.IN_PROGRESS, 0, 0), (c.COMPLETE, 5, 5),
    (c.NO_DATA, 0, None), (c.INSUFFICIENT, 0, None), (c.INSUFFICIENT, 5, 5),
])
def test_a_zero_is_shown_only_where_it_was_judged(status, count, shown):
    told = c.PeriodCoverage(status, 10, 10 if status in (c.COMPLETE, c.IN_PROGRESS) else 0, 0.0)
    assert told.shown(count) == shown


def test_a_period_not_started_shows_no_count():
    told = c.period_coverage(START, END, START - HOUR, 0, 0, 0)
    assert told.shown(0) is None


@pytest.mark.parametrize(("now", "width", "ended"), [
    (AFTER, 1, 720), (AFTER, 24, 30), (AFTER, 8, 90), (START, 1, 0), (START - HOUR, 24, 0),
    (START + 23 * HOUR, 24, 0), (START + 24 * HOUR, 24, 1), (START + 90 * HOUR, 1, 90),
])
def test_only_ended_windows_are_expected(now, width, ended):
    assert c.ended_windows(START, END, now, width) == ended
