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
import operator

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from envhub.core.raw_rows import raw_rows

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


def add_sums(total: dict, key, values: tuple, sign: int = 1) -> None:
    """Add (sign 1) or take away (-1) `values` to `key`'s sums: the first time a new list, then
    in place, element by element in C (`map` with `operator`): thousands of keys a request."""
    found = total.get(key)
    if found is None:
        total[key] = list(values) if sign == 1 else [-value for value in values]
    else:
        found[:] = map(operator.add if sign == 1 else operator.sub, found, values)


def period_sums(day_model, month_model, key: str | tuple[str, ...], columns: tuple[str, ...],
                spans: list[tuple[datetime.date, datetime.date]], scope: Q) -> list[dict]:
    """For each (first, last) of `spans`: {key value: [sum of each of `columns` over those
    days]} of the rows `scope` selects, keys whose sums are all zero left out. `key`: what to
    group by (a field or a path through the summary's foreign key; a tuple of them gives
    tuples). Two grouped queries whatever the spans (one on the months, one on the days);
    rows are read as the driver gives them (`raw_rows`: keys and integer sums, never NULL, need
    no conversion) and summed in lists (thousands of them a request)."""
    width = len(key) if isinstance(key, tuple) else 1
    keys = key if isinstance(key, tuple) else (key,)

    def key_of(row):
        return row[:width] if width > 1 else row[0]
    plans = [pieces(first, last) for first, last in spans]
    totals: list[dict] = [{} for _span in spans]
    read = [index for index, (months, _days) in enumerate(plans) if months]
    if read:
        sums = {f"{column}_{index}": Coalesce(Sum(column, filter=Q(month__in=plans[index][0])),
                                              0)
                for index in read for column in columns}
        every = sorted({month for months, _days in plans for month in months})
        count = len(columns)
        for row in raw_rows(month_model.objects.filter(scope, month__in=every).order_by()
                            .values(*keys).annotate(**sums).values_list(*keys, *sums)):
            found = key_of(row)
            for place, index in enumerate(read):
                add_sums(totals[index], found, row[width + place * count:
                                               width + (place + 1) * count])
    pieces_of = []  # (index, sign, name) of each day filter
    sums, reach = {}, Q()
    for index, (_months, days) in enumerate(plans):
        for sign, name in ((1, "add"), (-1, "take")):
            within = Q()
            for first, last, piece_sign in days:
                if piece_sign == sign:
                    within |= Q(day__range=(first, last))
            if within:
                reach |= within
                pieces_of.append((index, sign))
                sums.update({f"{column}_{index}_{name}": Coalesce(Sum(column, filter=within), 0)
                             for column in columns})
    if pieces_of:
        count = len(columns)
        for row in raw_rows(day_model.objects.filter(scope).filter(reach).order_by()
                            .values(*keys).annotate(**sums).values_list(*keys, *sums)):
            found = key_of(row)
            for place, (index, sign) in enumerate(pieces_of):
                add_sums(totals[index], found, row[width + place * count:
                                               width + (place + 1) * count], sign)
    return [{found: sums for found, sums in total.items() if any(sums)} for total in totals]
