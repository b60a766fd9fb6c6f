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
