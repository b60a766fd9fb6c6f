"""Sums of a daily summary over periods of days, read from its monthly summary where a period
holds a whole month (`summaries.monthly`): a month of the country is then one row per station
or source instead of one per station-day or source-day.

A month a period covers only in part is read as its days, or as the month less the days left
out — whichever is fewer days (the month of "now" is mostly read whole, less the days still to
come, which hold nothing). Every sum is exact: the monthly rows are the days' sums, kept by the
same triggers' transaction."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict

from django.db.models import Q, Sum

_DAY = datetime.timedelta(days=1)


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def pieces(first: datetime.date, last: datetime.date):
    """How to read the days first..last (inclusive): (months read whole — their first days —,
    [(first day, last day, sign)] of days to add (+1) or take away (-1))."""
    months, days = [], []
    month = first.replace(day=1)
    while month <= last:
        end = _month_end(month)
        inside = (max(first, month), min(last, end))
        taken = (inside[1] - inside[0]).days + 1
        left_out = (end - month).days + 1 - taken
        if left_out == 0:
            months.append(month)
        elif left_out < taken:
            months.append(month)
            days += [(a, b, -1) for a, b in ((month, inside[0] - _DAY), (inside[1] + _DAY, end))
                     if a <= b]
        else:
            days.append((inside[0], inside[1], 1))
        month = end + _DAY
    return months, days


def period_sums(day_model, month_model, key: str | tuple[str, ...], columns: tuple[str, ...],
                spans: list[tuple[datetime.date, datetime.date]], scope: Q) -> list[dict]:
    """For each (first, last) of `spans`: {key value: {column: sum over those days}} of the
    rows `scope` selects, keys whose sums are all zero left out. `key`: what to group by (a
    field or a path through the summary's foreign key; a tuple of them gives tuples). Two
    grouped queries whatever the spans (one on the months, one on the days)."""
    keys = key if isinstance(key, tuple) else (key,)

    def key_of(row):
        return tuple(row[name] for name in keys) if isinstance(key, tuple) else row[key]
    plans = [pieces(first, last) for first, last in spans]
    totals = [defaultdict(lambda: dict.fromkeys(columns, 0)) for _span in spans]
    if any(months for months, _days in plans):
        sums = {}
        for index, (months, _days) in enumerate(plans):
            for column in columns:
                if months:
                    sums[f"{column}_{index}"] = Sum(column, filter=Q(month__in=months))
        every = sorted({month for months, _days in plans for month in months})
        for row in month_model.objects.filter(scope, month__in=every).order_by().values(
                *keys).annotate(**sums):
            for index, (months, _days) in enumerate(plans):
                if months:
                    for column in columns:
                        totals[index][key_of(row)][column] += row[f"{column}_{index}"] or 0
    if any(days for _months, days in plans):
        sums, reach = {}, Q()
        for index, (_months, days) in enumerate(plans):
            for sign, name in ((1, "add"), (-1, "take")):
                within = Q()
                for first, last, piece_sign in days:
                    if piece_sign == sign:
                        within |= Q(day__range=(first, last))
                if within:
                    reach |= within
                    sums.update({f"{column}_{index}_{name}": Sum(column, filter=within)
                                 for column in columns})
        for row in day_model.objects.filter(scope).filter(reach).order_by().values(
                *keys).annotate(**sums):
            for index in range(len(plans)):
                for sign, name in ((1, "add"), (-1, "take")):
                    for column in columns:
                        totals[index][key_of(row)][column] += sign * (
                            row.get(f"{column}_{index}_{name}") or 0)
    return [{found: sums for found, sums in total.items() if any(sums.values())}
            for total in totals]
