"""When an hour, a day or an averaging window holds enough data to stand for its period. Pure
module: no Django, no data access.

One rule serves the rollups, the VN_AQI, the QCVN 05:2023 comparison and the compliance
judging, so that an hour (or a day) is valid in all of them or in none
(docs/domain/vn-aqi.md §4, docs/domain/emission-standards.md §5). Decision 1459/QĐ-TCMT
sets no minimum except the NowCast's 2 of the last 3 hours (kept in `airquality.vn_aqi`), and
no retrieved text sets one for judging automatic stack data, so the thresholds are envhub's
choice, after US EPA's 75 % rules, and settings (`ENVHUB_HOUR_COVERAGE`,
`ENVHUB_PERIOD_COVERAGE`) rather than truths:

- an hour is valid when its valid values (status 00, with a value) are at least the hour share
  of what the station's reporting interval promises: 9 of 12 five-minute values, 3 of 4
  quarter-hour values, the one value of an hourly station;
- a period of whole hours — an 8-hour or a 24-hour window, a local day, a compliance averaging
  window — is valid when at least the period share of its hours are valid hours: 6 of 8, 18 of
  24; a year when that share of its days are valid days (274 of 365);
- a share is reached exactly at the threshold (9 of 12 is 75 %), never one below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_SHARE = 75.0
"""% of the expected values (an hour) or of the hours or days (a period)."""

HOURS_IN_DAY = 24


def needed(expected: int, share: float = DEFAULT_SHARE) -> int:
    """The fewest of `expected` that make `share` %: needed(12) = 9, needed(24) = 18,
    needed(8) = 6, needed(365) = 274. Never less than one."""
    if isinstance(expected, bool) or not isinstance(expected, int) or expected < 1:
        raise ValueError(f"expected must be a whole number from 1, not {expected!r}")
    if not 0 < share <= 100:
        raise ValueError(f"a share must be above 0 and at most 100 %, not {share!r}")
    # The small margin keeps 0.75 × 12 = 9.000000000000002 from asking for 10.
    return max(1, math.ceil(expected * share / 100 - 1e-9))


def enough(present: int, expected: int, share: float = DEFAULT_SHARE) -> bool:
    """Whether `present` of `expected` reach `share` %."""
    return present >= needed(expected, share)


def coverage(present: int, expected: int) -> float:
    """`present` as a % of `expected`, capped at 100 (a station may send more than promised)."""
    return min(100.0, 100.0 * present / expected) if expected else 0.0


def expected_per_hour(interval_minutes: int) -> int:
    """Values a station promises an hour: 12 at the usual 5-minute interval."""
    return max(1, round(60 / max(1, interval_minutes)))


@dataclass(frozen=True)
class Rule:
    """The installation's thresholds (settings): `hour_share` % of an hour's expected values,
    `period_share` % of a period's hours (or a year's days)."""

    hour_share: float = DEFAULT_SHARE
    period_share: float = DEFAULT_SHARE

    def hour_valid(self, valid_values: int, expected_values: int) -> bool:
        return enough(valid_values, expected_values, self.hour_share)

    def period_valid(self, valid_hours: int, hours: int) -> bool:
        """An 8-hour or 24-hour window, a compliance window (hours), or a year (days)."""
        return enough(valid_hours, hours, self.period_share)

    def day_valid(self, valid_hours: int) -> bool:
        return self.period_valid(valid_hours, HOURS_IN_DAY)

    def hours_needed(self, hours: int) -> int:
        return needed(hours, self.period_share)

    @property
    def signature(self) -> str:
        """What the stored rollups were computed with: when it changes, they are revalidated."""
        return f"hour {self.hour_share:g} %, period {self.period_share:g} %"


DEFAULT = Rule()


# --- a period told honestly ------------------------------------------------------------------
# What a page, a report or the API says of a period (a month, the chosen days) of averaging
# windows: never a bare 0 where nothing could be judged (issue 15 item 4).

NO_DATA, INSUFFICIENT, IN_PROGRESS, COMPLETE = "no_data", "insufficient", "in_progress", "complete"
STATUSES = (NO_DATA, INSUFFICIENT, IN_PROGRESS, COMPLETE)


@dataclass(frozen=True)
class PeriodCoverage:
    """`expected`: the averaging windows of the period that have ended (the one still running
    is not counted); `valid`: those with enough data; `coverage`: `valid` as a % of `expected`,
    None while no window has ended."""

    status: str
    expected: int
    valid: int
    coverage: float | None

    @property
    def judged(self) -> bool:
        """Whether counts of the period (hours over the limit) stand for it: every ended window
        so far, or enough of them, was judged."""
        return self.status in (COMPLETE, IN_PROGRESS) and self.expected > 0

    def shown(self, count: int | None) -> int | None:
        """A count as it may be shown: None (left empty) instead of a 0 that would read as
        compliance in a period not judged; an exceedance seen is shown all the same."""
        return count if self.judged or count else None


def ended_windows(start, end, now, window_hours: int) -> int:
    """The averaging windows of `window_hours` in the period (start, end] that have ended by
    `now`. `start` on a window boundary (a local midnight: windows divide the day)."""
    if window_hours < 1:
        raise ValueError(f"a window is at least one hour, not {window_hours!r}")
    stop = min(end, now)
    if stop <= start:
        return 0
    return int((stop - start).total_seconds() // (3600 * window_hours))


def period_coverage(start, end, now, expected: int, valid: int, with_data: int,
                    share: float = DEFAULT_SHARE) -> PeriodCoverage:
    """What can be said of the period (start, end] at `now`, from its `expected` ended windows,
    the `valid` ones (enough data) and those `with_data` (any data):

    - in progress: it has not started, or no window of it has ended yet, or it is still
      running and its ended windows so far have enough data;
    - no data: no ended window holds any data;
    - insufficient: fewer than `share` % of the ended windows have enough data (with the
      coverage);
    - complete: it has ended with enough data; its counts stand."""
    if now <= start or expected < 1:
        if now < end:
            return PeriodCoverage(IN_PROGRESS, 0, 0, None)
        return PeriodCoverage(NO_DATA, 0, 0, None)  # nothing was to be judged in it
    valid = min(valid, expected)
    share_now = round(coverage(valid, expected), 1)
    if with_data < 1 and valid < 1:
        return PeriodCoverage(NO_DATA, expected, 0, 0.0)
    if not enough(valid, expected, share):
        return PeriodCoverage(INSUFFICIENT, expected, valid, share_now)
    if now < end:
        return PeriodCoverage(IN_PROGRESS, expected, valid, share_now)
    return PeriodCoverage(COMPLETE, expected, valid, share_now)
