"""Time in envhub: stored in UTC, shown and bucketed in Viet Nam time (UTC+7, no daylight saving).

The hour-ending convention (also used by VN_AQI, Decision 1459/QĐ-TCMT): a value stamped t covers
the interval ending at t, so it belongs to the hour (h, h+1] and that hour is labelled by its
end, h+1. The local day runs from 00:00 (exclusive) to 24:00 (inclusive) UTC+7: a value stamped
00:00 belongs to the day before. Pure module, see docs/time.md.
"""

from __future__ import annotations

import datetime

VN = datetime.timezone(datetime.timedelta(hours=7), "UTC+07:00")
UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
_TINY = datetime.timedelta(microseconds=1)


def to_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: say which zone it is in")
    return moment.astimezone(UTC)


def local_to_utc(naive_local: datetime.datetime) -> datetime.datetime:
    """A wall-clock time in Viet Nam (as dataloggers write it) as an aware UTC time."""
    return naive_local.replace(tzinfo=VN).astimezone(UTC)


def hour_end(moment: datetime.datetime) -> datetime.datetime:
    """The end of the hour (h, h+1] that `moment` belongs to (UTC). 12:00:00 → 12:00;
    12:00:01 → 13:00. Whole-hour offsets make UTC and UTC+7 hours line up."""
    moment = to_utc(moment)
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + HOUR


def latest_complete_hour(now: datetime.datetime) -> datetime.datetime:
    """The end of the newest hour that has ended at `now` (UTC): 17:45 → 17:00 (the hour
    17:00–18:00 is still running), 18:00:00 → 18:00 (it has just ended)."""
    return to_utc(now).replace(minute=0, second=0, microsecond=0)


def hour_span(end: datetime.datetime) -> str:
    """The hour labelled `end` as the interval it covers, in Viet Nam time: "17:00–18:00". The
    hour ending at midnight is "23:00–24:00": it closes its local day (see `local_day`)."""
    start = to_utc(end).astimezone(VN) - HOUR
    stop = "24:00" if start.hour == 23 else f"{start.hour + 1:02d}:00"
    return f"{start:%H}:00–{stop}"


def hour_label(end: datetime.datetime) -> str:
    """`hour_span` with the hour's local day: "17:00–18:00 26/11/2026"; the hour ending at
    00:00 on 27/11 is "23:00–24:00 26/11/2026"."""
    return f"{hour_span(end)} {local_day(end):%d/%m/%Y}"


def hour_bounds(end: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end] of the hour labelled `end`."""
    end = to_utc(end)
    return end - HOUR, end


def local_day(moment: datetime.datetime) -> datetime.date:
    """The local day (00:00, 24:00] UTC+7 that `moment` belongs to: 00:00 counts for the day
    before."""
    return (to_utc(moment).astimezone(VN) - _TINY).date()


def local_days(start: datetime.datetime | None, end: datetime.datetime | None):
    """The first and last local days a period (start, end] touches (None for an open side):
    what a filter on daily values uses, so that `from=2026-03-01` starts on 1 March, not on
    the UTC date of its midnight."""
    return (None if start is None else local_day(start + _TINY),
            None if end is None else local_day(end))


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """(start, end] of a local day, in UTC: (day 00:00 UTC+7, day+1 00:00 UTC+7]."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=VN).astimezone(UTC)
    return start, start + DAY


def month_start(moment: datetime.datetime) -> datetime.datetime:
    """The first instant of the UTC month of `moment` (partitions are by UTC month)."""
    moment = to_utc(moment)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(start: datetime.datetime) -> datetime.datetime:
    return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def parse_moment(text: str, *, end_of_day: bool = False) -> datetime.datetime:
    """A time given by a person or a program: ISO 8601 with an offset, or without one (then it
    is Viet Nam time), or a date alone (its local day start, or with `end_of_day` its end:
    the next day's 00:00, the day being (00:00, 24:00]). Raises ValueError."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.date.fromisoformat(text)
            start, end = day_bounds(day)
            return end if end_of_day else start
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=VN)
        return moment.astimezone(UTC)
    except OverflowError:  # the first or last day of the calendar, shifted by the offset
        raise ValueError(f"{text!r} is out of range") from None


def local_iso(moment: datetime.datetime | None) -> str | None:
    """ISO 8601 in Viet Nam time with its offset: 2026-11-26T08:00:00+07:00."""
    return None if moment is None else to_utc(moment).astimezone(VN).isoformat()


_VN_OFFSET = VN.utcoffset(None)
_VN_SUFFIX = "+07:00"


def local_iso_from_db(value) -> str | None:
    """`local_iso(from_db(value))`, faster for what the drivers give: the offset is fixed, so
    the wall-clock time is the UTC time plus 7 hours, written with the offset (a page of 500
    times spent milliseconds converting between zones). SQLite gives naive UTC (text, or a
    datetime through Django's converter), PostgreSQL aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        return (value + _VN_OFFSET).isoformat() + _VN_SUFFIX
    if value.tzinfo is UTC:
        return (value.replace(tzinfo=None) + _VN_OFFSET).isoformat() + _VN_SUFFIX
    return local_iso(value)


def day_from_db(value) -> datetime.date | None:
    """A date read with a raw cursor: SQLite gives ISO text, PostgreSQL a date."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def from_db(value) -> datetime.datetime | None:
    """A datetime read with a raw cursor: SQLite gives UTC text, PostgreSQL aware values."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)
