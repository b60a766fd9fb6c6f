"""envhub.core.completeness: the one rule of when an hour, a day, an 8-hour or 24-hour window or a
year holds enough data — at the threshold, one below it, and with other shares. Pure tests."""

from __future__ import annotations

import pytest

from envhub.core import completeness
from envhub.core import config as envconfig
from envhub.core.completeness import DEFAULT, Rule


@pytest.mark.parametrize(("expected", "share", "needed"), [
    (12, 75, 9), (4, 75, 3), (1, 75, 1), (2, 75, 2), (60, 75, 45), (100, 75, 75),
    (24, 75, 18), (8, 75, 6), (365, 75, 274), (366, 75, 275),
    (12, 80, 10), (24, 50, 12), (12, 100, 12), (3, 1, 1),
])
def test_it_needs_the_share_rounded_up(expected, share, needed):
    assert completeness.needed(expected, share) == needed
    assert completeness.enough(needed, expected, share)
    assert not completeness.enough(needed - 1, expected, share)


@pytest.mark.parametrize(("valid", "expected", "is_valid"), [
    (9, 12, True),     # 9 of 12 five-minute values: 75 %, exactly the threshold
    (8, 12, False),    # one below
    (12, 12, True),
    (13, 12, True),    # more than promised (a datalogger sending twice)
    (1, 12, False),    # one value does not make an hour
    (0, 12, False),
    (3, 4, True), (2, 4, False),        # a quarter-hour station
    (1, 1, True), (0, 1, False),        # an hourly station
    (45, 60, True), (44, 60, False),    # a one-minute station
    (75, 100, True), (74, 100, False),  # 75 % and 74 %
])
def test_an_hour_is_valid_from_three_quarters_of_its_values(valid, expected, is_valid):
    assert DEFAULT.hour_valid(valid, expected) is is_valid


@pytest.mark.parametrize(("valid_hours", "hours", "is_valid"), [
    (18, 24, True), (17, 24, False),    # a day, a 24-hour window
    (6, 8, True), (5, 8, False),        # an 8-hour window
    (3, 4, True), (2, 4, False),        # a 4-hour compliance window
    (1, 1, True), (0, 1, False),
    (274, 365, True), (273, 365, False),  # a year of days
])
def test_a_period_is_valid_from_three_quarters_of_its_hours(valid_hours, hours, is_valid):
    assert DEFAULT.period_valid(valid_hours, hours) is is_valid


def test_a_day_is_24_hours():
    assert DEFAULT.day_valid(18) and not DEFAULT.day_valid(17)
    assert DEFAULT.hours_needed(24) == 18 and DEFAULT.hours_needed(8) == 6


def test_other_shares_are_the_installations_choice():
    strict = Rule(hour_share=90, period_share=80)
    assert not strict.hour_valid(10, 12) and strict.hour_valid(11, 12)
    assert not strict.day_valid(19) and strict.day_valid(20)  # 80 % of 24 = 19.2
    assert strict.signature != DEFAULT.signature


@pytest.mark.parametrize(("interval", "expected"), [(5, 12), (15, 4), (60, 1), (1, 60),
                                                    (120, 1), (0, 60)])
def test_the_expected_values_follow_the_interval(interval, expected):
    assert completeness.expected_per_hour(interval) == expected


@pytest.mark.parametrize(("present", "expected", "coverage"), [(9, 12, 75.0), (13, 12, 100.0),
                                                               (0, 12, 0.0), (3, 0, 0.0)])
def test_coverage_is_a_capped_percentage(present, expected, coverage):
    assert completeness.coverage(present, expected) == pytest.approx(coverage)


@pytest.mark.parametrize(("expected", "share"), [(0, 75), (-1, 75), (12.0, 75), (True, 75),
                                                 (12, 0), (12, 101)])
def test_nonsense_is_refused(expected, share):
    with pytest.raises(ValueError):
        completeness.needed(expected, share)


@pytest.mark.parametrize(("environ", "hour", "period", "problems"), [
    ({}, 75, 75, 0),
    ({"ENVHUB_HOUR_COVERAGE": "80", "ENVHUB_PERIOD_COVERAGE": "90"}, 80, 90, 0),
    ({"ENVHUB_HOUR_COVERAGE": "49"}, 75, 75, 1),
    ({"ENVHUB_PERIOD_COVERAGE": "seventy"}, 75, 75, 1),
])
def test_the_shares_are_settings(tmp_path, environ, hour, period, problems):
    loaded = envconfig.load({"ENVHUB_VAR_DIR": str(tmp_path), **environ}, tmp_path,
                            create_secret=False)
    assert (loaded.hour_coverage, loaded.period_coverage) == (hour, period)
    assert len([p for p in loaded.problems if "COVERAGE" in p]) == problems
