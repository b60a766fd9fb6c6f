"""A figure against the same figure of the period before: how it changed, said so that it never
claims more than the data holds. Pure module: no Django.

- nothing to compare with (no data before): "no earlier data", never +100 % or ∞;
- a figure that cannot be said now (no data): no change either;
- from 0: the difference only (a percentage of nothing means nothing);
- a figure that is itself a percentage (completeness): the difference in points."""

from __future__ import annotations

from dataclasses import dataclass

NO_EARLIER, UNKNOWN, SAME, UP, DOWN = "no_earlier", "unknown", "same", "up", "down"


@dataclass(frozen=True)
class Change:
    kind: str
    delta: float | None = None  # current − previous (points for a percentage)
    percent: float | None = None  # delta as a % of previous; None from 0 or for a percentage


def between(current: float | None, previous: float | None, *,
            points: bool = False) -> Change:
    """How `current` stands against `previous`; `points`: both are percentages."""
    if current is None:
        return Change(UNKNOWN)
    if previous is None:
        return Change(NO_EARLIER)
    delta = round(current - previous, 1) if points else current - previous
    if delta == 0:
        return Change(SAME, 0, None if points or not previous else 0.0)
    percent = None if points or previous == 0 else round(100.0 * delta / previous, 1)
    return Change(UP if delta > 0 else DOWN, delta, percent)


def share(part: float, whole: float) -> float | None:
    """`part` as a % of `whole`, one decimal, capped at 100; None when `whole` is nothing."""
    if not whole:
        return None
    return round(min(100.0, 100.0 * part / whole), 1)
