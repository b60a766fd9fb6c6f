"""Validity periods of reference data, and what is in force on a day. Pure module: no Django.

Regulations, the columns of their tables, limit rows and ambient limits each hold from a first
day to a last day (both inclusive, local days; None for an open end). What a permit names may
have ended: a column may be followed by another that the regulation itself says applies from
then on (QCVN 19:2009: column A until 31/12/2014, column B for every facility from 01/01/2015,
docs/domain/emission-standards.md §1), in which case that one is used; otherwise nothing
applies and the caller says why (a regulation past its transition needs a new permit).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Period:
    valid_from: datetime.date | None = None
    valid_until: datetime.date | None = None  # inclusive

    def holds(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and \
            (self.valid_until is None or day <= self.valid_until)

    def overlaps(self, other: Period) -> bool:
        return (other.valid_until is None or self.valid_from is None
                or self.valid_from <= other.valid_until) and \
            (self.valid_until is None or other.valid_from is None
             or other.valid_from <= self.valid_until)


ALWAYS = Period()

IN_FORCE, SUCCEEDED, ENDED, NOT_YET = "in_force", "succeeded", "ended", "not_yet"


@dataclass(frozen=True)
class Applied:
    """What applies on `day` to what was `named`: `used` (None when nothing does) and why.
    `ended_on` is the last day of the named one when it had ended; `chain` every name followed
    (["A", "B"])."""

    named: str
    day: datetime.date
    state: str
    used: str | None
    ended_on: datetime.date | None = None
    starts_on: datetime.date | None = None  # NOT_YET: the first day of the named one
    chain: tuple[str, ...] = ()

    @property
    def substituted(self) -> bool:
        return self.state == SUCCEEDED


def in_force(named: str, day: datetime.date, periods: Mapping[str, Period],
             successors: Mapping[str, str] | None = None) -> Applied:
    """Follow `named` to what is in force on `day`. A name without a period always holds; an
    ended one passes to its successor (and on, as long as each has ended too); a successor not
    yet in force, or none, leaves nothing in force (ENDED)."""
    successors = successors or {}
    period = periods.get(named, ALWAYS)
    if period.valid_from is not None and day < period.valid_from:
        return Applied(named, day, NOT_YET, None, starts_on=period.valid_from, chain=(named,))
    if period.holds(day):
        return Applied(named, day, IN_FORCE, named, chain=(named,))
    chain, current = [named], named
    while current in successors and successors[current] not in chain:
        current = successors[current]
        chain.append(current)
        if periods.get(current, ALWAYS).holds(day):
            return Applied(named, day, SUCCEEDED, current, ended_on=period.valid_until,
                           chain=tuple(chain))
    return Applied(named, day, ENDED, None, ended_on=period.valid_until, chain=tuple(chain))
