"""The dashboard's periods: a week, month, quarter or year around a day, or custom days, and the
period before it to compare with. Pure module: no Django.

Days are local (Asia/Ho_Chi_Minh) and both ends inclusive, as a reader says them ("tháng 11/2026"
is 01/11 to 30/11). A calendar period's previous one is the calendar period before it (October
before November, whatever their lengths); a custom period's is as many days just before it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WEEK, MONTH, QUARTER, YEAR, CUSTOM = "week", "month", "quarter", "year", "custom"
KINDS = (WEEK, MONTH, QUARTER, YEAR, CUSTOM)
MAX_CUSTOM_DAYS = 3 * 366  # longer views belong in a report, not on a page read per request


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date  # inclusive

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        if self.kind == CUSTOM:
            return Period(CUSTOM, self.first - datetime.timedelta(days=self.days),
                          self.first - datetime.timedelta(days=1))
        return around(self.kind, self.first - datetime.timedelta(days=1))

    def contains(self, day: datetime.date) -> bool:
        return self.first <= day <= self.last


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def around(kind: str, day: datetime.date) -> Period:
    """The calendar period of `kind` that holds `day` (weeks run Monday to Sunday, ISO 8601)."""
    if kind == WEEK:
        first = day - datetime.timedelta(days=day.weekday())
        return Period(WEEK, first, first + datetime.timedelta(days=6))
    if kind == MONTH:
        return Period(MONTH, day.replace(day=1), _month_end(day.year, day.month))
    if kind == QUARTER:
        first_month = (day.month - 1) // 3 * 3 + 1
        return Period(QUARTER, datetime.date(day.year, first_month, 1),
                      _month_end(day.year, first_month + 2))
    if kind == YEAR:
        return Period(YEAR, datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    raise ValueError(kind)


def custom(first: datetime.date, last: datetime.date) -> Period:
    if last < first:
        raise ValueError("last before first")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise ValueError("too long")
    return Period(CUSTOM, first, last)


def months_back(day: datetime.date, count: int) -> list[Period]:
    """The `count` calendar months ending with the one that holds `day`, oldest first (trends)."""
    months, current = [], around(MONTH, day)
    for _ in range(count):
        months.append(current)
        current = current.previous()
    return months[::-1]
