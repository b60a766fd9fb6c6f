"""The judged windows counted per source and local day (`DailyTally`), kept by triggers on
`compliance_assessment` (see `monitoring.summaries`): windows with data, valid ones (judged:
not "unknown"), those over the limit and their hours. A window belongs to the local day of its
end (`core.timeutil.local_day`: one ending at 00:00 closes the day before), so a summary row
holds exactly the windows whose end is in that day's (00:00, 24:00] UTC+7.

`compliance.assess._store` (the judging, re-judging after a permit or limit change) and every
cascade (a source or parameter deleted) change the windows; the triggers follow them in the
same transaction. `coverage.facilities_tallies` reads whole months from `SourceMonth`, whole
days here and the edges of a period that cut a day from the windows themselves (`spans`)."""

from __future__ import annotations

import datetime

from envhub.compliance.tally_models import DailyTally, SourceMonth
from envhub.core.timeutil import day_bounds, local_day
from envhub.monitoring.summaries import Summary, monthly, register, row_triggers

__all__ = ["MONTHS", "SUMMARY", "DailyTally", "SourceMonth", "spans"]

_TINY = datetime.timedelta(microseconds=1)

# The local day of a window's end, in SQL: (00:00, 24:00] UTC+7 (Viet Nam has no daylight
# saving; window ends are whole hours, so SQLite's second is small enough).
_PG_DAY = "(({row}.window_end AT TIME ZONE INTERVAL '+07:00') - INTERVAL '1 microsecond')::date"
_SQLITE_DAY = "date({row}.window_end, '+7 hours', '-1 seconds')"
_COUNTS = ("1", "CASE WHEN {row}.state <> 'unknown' THEN 1 ELSE 0 END",
           "CASE WHEN {row}.state = 'exceeds' THEN 1 ELSE 0 END",
           "CASE WHEN {row}.state = 'exceeds' THEN {row}.window_hours ELSE 0 END")
COLUMNS = ("source_id", "day", "with_data", "valid", "exceeded", "exceeded_hours")
_SUMS = COLUMNS[2:]


def _take(row: str, day: str) -> list[str]:
    """Subtract an old row from its day, and drop the day when no window is left."""
    sets = ", ".join(f"{column} = {column} - ({count.format(row=row)})"
                     for column, count in zip(_SUMS, _COUNTS, strict=True))
    where = f"source_id = {row}.source_id AND day = {day.format(row=row)}"
    return [f"UPDATE compliance_dailytally SET {sets} WHERE {where}",
            f"DELETE FROM compliance_dailytally WHERE {where} AND with_data <= 0"]


def _add(row: str, day: str) -> str:
    values = ", ".join([f"{row}.source_id", day.format(row=row)]
                       + [count.format(row=row) for count in _COUNTS])
    sets = ", ".join(f"{column} = compliance_dailytally.{column} + excluded.{column}"
                     for column in _SUMS)
    return (f"INSERT INTO compliance_dailytally ({', '.join(COLUMNS)}) VALUES ({values}) "
            f"ON CONFLICT (source_id, day) DO UPDATE SET {sets}")


_CHANGED = ("OLD.source_id <> NEW.source_id OR OLD.window_end <> NEW.window_end OR "
            "OLD.state <> NEW.state OR OLD.window_hours <> NEW.window_hours")
_DAYS = {"postgresql": _PG_DAY, "sqlite": _SQLITE_DAY}

POSTGRESQL, SQLITE = row_triggers(
    "compliance_dailytally", "compliance_assessment", "compliance_assessment_tally",
    lambda row, vendor: _take(row, _DAYS[vendor]), lambda row, vendor: _add(row, _DAYS[vendor]),
    _CHANGED)


def _recount(day: str) -> str:
    sums = ", ".join(f"SUM({count.format(row='a')})" for count in _COUNTS)
    return (f"SELECT a.source_id, {day.format(row='a')}, {sums} FROM compliance_assessment a "
            f"GROUP BY a.source_id, {day.format(row='a')}")


SUMMARY = register(Summary(
    table="compliance_dailytally", source="compliance_assessment", columns=COLUMNS,
    recount={"postgresql": _recount(_PG_DAY), "sqlite": _recount(_SQLITE_DAY)},
    sqlite=SQLITE, postgresql=POSTGRESQL))
# The same per source and month (`SourceMonth`), kept by triggers on the days.
MONTHS = register(monthly("compliance_sourcemonth", "compliance_dailytally", "source_id",
                          _SUMS))


# --- reading a period ------------------------------------------------------------------------

def spans(start: datetime.datetime, stop: datetime.datetime):
    """How to count the windows ending in (start, stop]: (first day, last day) of the summary
    (None: none) and the (after, until, sign) ranges of windows to add (+1) or take away (-1),
    read from the windows themselves. Whole days come from the summary; a day the period cuts
    is read directly, or as its summary less the part outside — whichever is the shorter
    stretch of time (a dashboard's "now" at 23:30 takes away the last half hour)."""
    if stop <= start:
        return None, []
    first, last = local_day(start + _TINY), local_day(stop)
    first_start, first_end = day_bounds(first)
    last_start, last_end = day_bounds(last)
    head, tail = start - first_start, last_end - stop  # the parts of the days left out
    if first == last:
        if stop - start <= head + tail:
            return None, [(start, stop, 1)]
        return (first, last), [(a, b, -1) for a, b in ((first_start, start), (stop, last_end))
                               if b > a]
    days, ranges = [first, last], []
    if head:
        if head > first_end - start:
            days[0] = first + datetime.timedelta(days=1)
            ranges.append((start, first_end, 1))
        else:
            ranges.append((first_start, start, -1))
    if tail:
        if tail > stop - last_start:
            days[1] = last - datetime.timedelta(days=1)
            ranges.append((last_start, stop, 1))
        else:
            ranges.append((stop, last_end, -1))
    return (tuple(days) if days[0] <= days[1] else None), ranges
