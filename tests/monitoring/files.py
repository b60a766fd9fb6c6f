"""Building TT10 files for tests."""

from __future__ import annotations

import datetime

from envhub.monitoring import storage
from envhub.monitoring.formats import tt10
from envhub.monitoring.ingest import IncomingFile


def name_for(station, local_time: datetime.datetime) -> str:
    return f"{station.tt10_prefix}{local_time:%Y%m%d%H%M%S}.txt"


def tt10_file(station, local_time: datetime.datetime, lines: list[tuple]) -> IncomingFile:
    """A file for `station` stamped `local_time`; each line is (symbol, value, unit[, status])
    at `local_time`, or (symbol, value, unit, status, other_local_time)."""
    readings = []
    for line in lines:
        symbol, value, unit = line[:3]
        status = line[3] if len(line) > 3 else 0
        at = line[4] if len(line) > 4 else local_time
        readings.append(tt10.Reading.of(symbol, value, unit, at, status))
    return IncomingFile(name_for(station, local_time), tt10.format_file(readings))


def raw_file(station, local_time: datetime.datetime, text: str) -> IncomingFile:
    return IncomingFile(name_for(station, local_time), text.encode("utf-8"))


def local(*args) -> datetime.datetime:
    """A naive Viet Nam wall-clock time, as dataloggers write it."""
    return datetime.datetime(*args)


def utc(*args) -> datetime.datetime:
    """The same wall-clock time given in Viet Nam, as an aware UTC time."""
    vn = datetime.timezone(datetime.timedelta(hours=7))
    return datetime.datetime(*args, tzinfo=vn).astimezone(datetime.timezone.utc)


def pending_rows(pending) -> list[tuple]:
    """The rows of a `storage.PendingObservations`: as they are on PostgreSQL, from their flat
    values on SQLite."""
    if pending.rows is not None:
        return pending.rows
    width = len(storage.COLUMNS)
    return [tuple(pending.values[start:start + width])
            for start in range(0, len(pending.values), width)]
