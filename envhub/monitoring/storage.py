"""Writing observations fast, the same way on SQLite and PostgreSQL in effect.

The ingestion service hands over plain rows; this module is the only place that knows how each
database takes them fastest. Rows are first encoded (`encode_observations`, `encode_batches`),
which the ingestion service may do in its reading thread, then written:

- SQLite: the slice's rows as multi-row VALUES lists of bound values, some thousands of rows a
  statement (`core.sqlite_rows`). Such a statement runs without Python's interpreter lock from
  start to end, so a thread reading the next files runs on the other core meanwhile; an
  `executemany` gives the lock back and takes it again for every row, and would leave that
  thread waiting.
- PostgreSQL: COPY, straight into the table when no row collides (the usual case: a resent file
  is caught earlier by its SHA-256), else through a staging table with ON CONFLICT DO NOTHING.

Either way a row that exists already is left as it is (the caller tells duplicates from
conflicts). Rows name their file by its place in the slice; the batches' ids, allocated when
writing, replace those places.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

from django.db import IntegrityError, connection, transaction

from envhub.core import queues, sqlite_rows
from envhub.monitoring import partitions

TABLE = "monitoring_observation"
COLUMNS = ("series_id", "time", "value", "status", "batch_id")
# (series_id, time, value, status, batch_id)
Row = tuple[int, datetime.datetime, float | None, int, int]

# Rows in one statement at most, whatever SQLite's limit of bound values would allow (a
# statement's values are bound holding Python's interpreter lock).
_ROWS_PER_STATEMENT = 6000
# Raw files in one statement at most: SQLite copies each one bound.
_FILES_PER_STATEMENT = 1000


def bulk_writes_release_interpreter() -> bool:
    """Whether writing a slice's rows runs without Python's interpreter lock (SQLite's single
    statements): another thread may then run Python meanwhile. PostgreSQL's COPY is fed by
    this process row by row."""
    return connection.vendor != "postgresql"


def prepare_for(times: Iterable[datetime.datetime]) -> None:
    """Whatever the database needs before rows for these times can be written (PostgreSQL:
    the months' partitions)."""
    partitions.ensure(times)


def time_adapter():
    """A function giving a time (or None) as the database driver wants it (the time itself on
    PostgreSQL; cached: the files of a slice share a few times). Rows built with it go to
    `encode_observations` as they are."""
    if connection.vendor == "postgresql":
        return lambda time: time
    adapt = connection.ops.adapt_datetimefield_value
    cache: dict[datetime.datetime, object] = {}

    def db_time(time):
        found = cache.get(time)
        if found is None:
            found = cache[time] = adapt(time)
        return found

    return db_time


@dataclass
class PendingObservations:
    """Observation rows (series, time as `time_adapter` gives it, value, status, the file's
    place in the slice) as the database takes them: the rows themselves on PostgreSQL, their
    values flat on SQLite (`sqlite_rows.flatten`; the rows are not kept beside them)."""

    count: int
    rows: list[tuple] | None = None
    values: list | None = None


# The columns of an observation row.
_WIDTH = len(COLUMNS)


def encode_observations(rows: list[tuple]) -> PendingObservations:
    """Rows made ready for `insert_observations` (may run in another thread). They are put
    in key order: the files of a slice come time after time, each touching every series of
    its station, and inserted in that order the rows would land all over the table's key;
    in key order each series' rows go into one place."""
    rows = sorted(rows)
    if connection.vendor == "postgresql" or not rows:
        return PendingObservations(len(rows), rows=rows)
    return PendingObservations(len(rows), values=sqlite_rows.flatten(rows))


def insert_observations(pending: PendingObservations, batch_ids: Sequence[int]) -> int:
    """Insert the rows that are not there yet, each with its file's batch id; return how many
    were inserted. Must run inside the caller's transaction."""
    if not pending.count:
        return 0
    if connection.vendor == "postgresql":
        rows = [(series_id, time, value, status, batch_ids[place])
                for series_id, time, value, status, place in pending.rows]
        partitions.ensure({row[1] for row in rows})
        return _insert_postgresql(rows)
    first = _first_id(batch_ids)
    values = list(pending.values)  # a copy: the pending rows keep their files' places
    values[4::_WIDTH] = [first + place for place in values[4::_WIDTH]]  # places → batch ids
    return sqlite_rows.insert(
        f'INSERT INTO "{TABLE}" ({", ".join(COLUMNS)}) {{values}} ON CONFLICT DO NOTHING',
        values, _WIDTH, most_rows=_ROWS_PER_STATEMENT)


def _first_id(batch_ids: Sequence[int]) -> int:
    # SQLite's ids are allocated in one run (`_allocate_ids`): a place plus the first is the id.
    if batch_ids[-1] - batch_ids[0] != len(batch_ids) - 1:
        raise ValueError("batch ids must be consecutive")
    return batch_ids[0]


def _copy(cursor, table: str, rows: Sequence[tuple], columns: Sequence[str] = COLUMNS,
          binary_types: Sequence[str] | None = None) -> None:
    # The raw psycopg cursor: Django's wrapper has no COPY. Its errors are turned into Django's
    # (IntegrityError, ...) so that callers handle one kind. With `binary_types` (the columns'
    # types), in PostgreSQL's binary format: raw bytes then need no escaping.
    form = " (FORMAT BINARY)" if binary_types else ""
    with connection.wrap_database_errors, cursor.cursor.copy(
        f'COPY "{table}" ({", ".join(columns)}) FROM STDIN{form}'
    ) as copy:
        if binary_types:
            copy.set_types(binary_types)
        for row in rows:
            copy.write_row(row)


def _insert_postgresql(rows: Sequence[Row]) -> int:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            _copy(cursor, TABLE, rows)
        return len(rows)
    except IntegrityError:
        pass  # some rows exist already: take the careful path below
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS "{TABLE}_staging" '
            f'(LIKE "{TABLE}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        cursor.execute(f'TRUNCATE "{TABLE}_staging"')
        _copy(cursor, f"{TABLE}_staging", rows)
        cursor.execute(
            f'INSERT INTO "{TABLE}" ({", ".join(COLUMNS)}) '
            f'SELECT {", ".join(COLUMNS)} FROM "{TABLE}_staging" ON CONFLICT DO NOTHING'
        )
        return cursor.rowcount


def existing(keys: Iterable[tuple[int, datetime.datetime]]) -> dict[tuple, tuple]:
    """{(series_id, time): (value, status, batch_id)} for those keys that are stored."""
    from envhub.monitoring.models import Observation

    by_series: dict[int, set[datetime.datetime]] = {}
    for series_id, time in keys:
        by_series.setdefault(series_id, set()).add(time)
    found = {}
    for series_id, times in by_series.items():
        rows = Observation.objects.filter(
            series_id=series_id, time__gte=min(times), time__lte=max(times)
        ).values_list("time", "value", "status", "batch_id")
        for time, value, status, batch_id in rows:
            if time in times:
                found[(series_id, time)] = (value, status, batch_id)
    return found


def replace_observations(rows: Sequence[Row]) -> int:
    """Overwrite stored values with these (a steward's re-ingest with replace)."""
    from envhub.monitoring.models import Observation

    count = 0
    for series_id, time, value, status, batch_id in rows:
        count += Observation.objects.filter(series_id=series_id, time=time).update(
            value=value, status=status, batch_id=batch_id
        )
    return count


def queue_rollups(keys: Iterable[tuple[int, datetime.datetime]], now: datetime.datetime) -> None:
    """Mark (series, hour_end) pairs dirty for the rollup worker."""
    queues.add("monitoring_rollupqueue", "series_id", set(keys), now)


def note_stack_conditions(keys: set[tuple[int, datetime.datetime]]) -> None:
    """Note (series, hour_end) pairs that hold values at stack conditions (few: most stations
    send at normal conditions)."""
    from envhub.monitoring.models import StackConditionsHour

    if keys:
        StackConditionsHour.objects.bulk_create(
            [StackConditionsHour(series_id=series_id, hour_end=hour)
             for series_id, hour in sorted(keys)], ignore_conflicts=True)


def note_station_activity(newest: dict[int, datetime.datetime],
                          received_at: datetime.datetime | None) -> None:
    """Move the stations' newest value time forward (never back: a late file does not make a
    station look older) and, for data that arrived from the station itself (`received_at`),
    note when: that is what connectivity follows."""
    if not newest:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO "monitoring_stationstatus" AS status (station_id, state, '
                "last_received_at, last_data_at) SELECT station_id, 'never', %s, latest "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS sent(station_id, latest) "
                "ON CONFLICT (station_id) DO UPDATE SET last_received_at = COALESCE("
                "excluded.last_received_at, status.last_received_at), last_data_at = "
                "GREATEST(status.last_data_at, excluded.last_data_at)",
                [received_at, list(newest), list(newest.values())])
        return
    adapt = connection.ops.adapt_datetimefield_value
    received = adapt(received_at) if received_at is not None else None
    values = sqlite_rows.flatten((station_id, adapt(latest))
                                 for station_id, latest in newest.items())
    # Few statements (see `bulk_writes_release_interpreter`); "WHERE true" tells SQLite's
    # parser that ON CONFLICT is the upsert's, not part of the join.
    sqlite_rows.insert(
        'INSERT INTO "monitoring_stationstatus" (station_id, state, last_received_at, '
        "last_data_at) SELECT column1, 'never', ?, column2 FROM ({values}) WHERE true "
        "ON CONFLICT (station_id) DO UPDATE SET last_received_at = COALESCE("
        "excluded.last_received_at, last_received_at), last_data_at = CASE WHEN "
        "last_data_at IS NULL OR last_data_at < excluded.last_data_at THEN "
        "excluded.last_data_at ELSE last_data_at END", values, 2, leading=[received])


# --- received files ------------------------------------------------------------------------

# PostgreSQL: table → the sequence of its ids.
_sequences: dict[str, str] = {}


def _allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh primary keys for `table`, taken before inserting so that one executemany
    can write the rows (Django's bulk_create would prepare every value through its fields,
    which costs more than the whole rest of ingestion)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence named once (looking it up for each id would cost more than the
            # ids), and one row holding every id (an array) rather than a row per id.
            sequence = _sequences.get(table)
            if sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"'])
                sequence = _sequences[table] = cursor.fetchone()[0]
            cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
                           [sequence, count])
            return cursor.fetchone()[0]
        # SQLite: the transaction holds the write lock (BEGIN IMMEDIATE), so nobody else can
        # take these ids; sqlite_sequence keeps AUTOINCREMENT's promise never to reuse one.
        cursor.execute(
            f'SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), '
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0))', [table])
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _json_text(value) -> str:
    """A JSON column's value as text (most lists are empty: "[]"). PostgreSQL's COPY reads
    jsonb from its text form, so both databases take the same string."""
    return json.dumps(value, ensure_ascii=False) if value else "[]"


@dataclass(slots=True)
class BatchOrigin:
    """Where the batches of a slice come from, which they all share: who sent them, by which
    channel, when, and whether they replace stored values."""

    sender: str
    sender_user_id: int | None
    sender_token_id: int | None
    channel: str
    received_at: datetime.datetime
    replaced: bool


@dataclass(slots=True)
class BatchRow:
    """A batch about to be written: the columns of `Batch` that are the file's own (the rest is
    the slice's `BatchOrigin`), without the cost of a model instance (which would cost more
    than the rest of a small file's ingestion)."""

    station_id: int | None
    file_name: str
    sha256: str
    size: int
    lines: int
    first_time: datetime.datetime | None
    last_time: datetime.datetime | None
    duplicate_of: int | None = None
    status: str = ""
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejects: list = field(default_factory=list)
    conflict_details: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    id: int | None = None

    def __reduce__(self):
        # Sent by the thousand from a reading process: a flat tuple unpickles faster than a
        # dataclass's state.
        return BatchRow, tuple(getattr(self, name) for name in _BATCH_ROW_FIELDS)


_BATCH_ROW_FIELDS = tuple(f.name for f in fields(BatchRow))


# A batch's own columns, as `_own_values` gives them; the rest come from the slice's
# `BatchOrigin`.
_OWN_COLUMNS = ("station_id", "file_name", "sha256", "size", "status", "lines", "accepted",
                "rejected", "duplicates", "conflicts", "rejects", "conflict_details", "notes",
                "first_time", "last_time", "duplicate_of")
_SHARED_COLUMNS = ("sender", "sender_user_id", "sender_token_id", "channel", "received_at",
                   "replaced")
# SQLite: a batch's values go as (its place in the slice, its own values); the first batch id
# is added to the place, and the shared values are given once.
_BATCH_WIDTH = 1 + len(_OWN_COLUMNS)
_BATCHES_FROM_VALUES = (
    f'INSERT INTO "monitoring_batch" (id, {", ".join(_OWN_COLUMNS)}, '
    f'{", ".join(_SHARED_COLUMNS)}) SELECT column1 + ?, '
    + ", ".join(f"column{n}" for n in range(2, _BATCH_WIDTH + 1)) + ", "
    + ", ".join("?" * len(_SHARED_COLUMNS)) + " FROM ({values})")
# A raw file as (its place, its bytes).
_FILES_FROM_VALUES = (
    'INSERT INTO "monitoring_batchfile" (batch_id, content) SELECT column1 + ?, column2 '
    "FROM ({values})")


def allocate_batch_ids(count: int) -> list[int]:
    """Ids for `count` batches about to be written by `insert_batches` in this transaction."""
    return _allocate_ids("monitoring_batch", count) if count else []


@dataclass
class PendingBatches:
    """Batches and their raw files, made ready for the database (SQLite: the values of the
    batches and of the files flat, see `_BATCHES_FROM_VALUES` and `_FILES_FROM_VALUES`)."""

    batches: Sequence[BatchRow]
    contents: Sequence[bytes]
    values: list | None = None
    file_values: list | None = None


def encode_batches(batches: Sequence[BatchRow], contents: Sequence[bytes]) -> PendingBatches:
    """Batches made ready for `insert_batches` (may run in another thread)."""
    pending = PendingBatches(batches, contents)
    if connection.vendor == "postgresql" or not batches:
        return pending
    when = time_adapter()
    pending.values = sqlite_rows.flatten((place, *_own_values(b, when))
                                         for place, b in enumerate(batches))
    pending.file_values = sqlite_rows.flatten(enumerate(contents))
    return pending


def _own_values(b: BatchRow, when) -> tuple:
    """A batch's values for `_OWN_COLUMNS`, its times as `when` gives them. (Most lists are
    empty: "[]" without the encoder.)"""
    return (b.station_id, b.file_name, b.sha256, b.size, b.status, b.lines, b.accepted,
            b.rejected, b.duplicates, b.conflicts,
            _json_text(b.rejects) if b.rejects else "[]",
            _json_text(b.conflict_details) if b.conflict_details else "[]",
            _json_text(b.notes) if b.notes else "[]",
            when(b.first_time), when(b.last_time), b.duplicate_of)


def insert_batches(pending: PendingBatches, batch_ids: Sequence[int],
                   origin: BatchOrigin) -> None:
    """Write the batches, with these ids, and their raw bytes."""
    batches = pending.batches
    if not batches:
        return
    if connection.vendor != "postgresql":
        first = _first_id(batch_ids)
        leading = [first, origin.sender, origin.sender_user_id, origin.sender_token_id,
                   origin.channel,
                   connection.ops.adapt_datetimefield_value(origin.received_at),
                   origin.replaced]
        sqlite_rows.insert(_BATCHES_FROM_VALUES, pending.values, _BATCH_WIDTH, leading=leading,
                           most_rows=_ROWS_PER_STATEMENT)
        sqlite_rows.insert(_FILES_FROM_VALUES, pending.file_values, 2, leading=[first],
                           most_rows=_FILES_PER_STATEMENT)
        return
    with connection.cursor() as cursor:
        shared = (origin.sender, origin.sender_user_id, origin.sender_token_id,
                  origin.channel, origin.received_at, origin.replaced)
        when = time_adapter()
        rows = [(batch_id, *_own_values(b, when), *shared)
                for b, batch_id in zip(batches, batch_ids, strict=True)]
        _copy(cursor, "monitoring_batch", rows, ("id", *_OWN_COLUMNS, *_SHARED_COLUMNS))
        _copy(cursor, "monitoring_batchfile", list(zip(batch_ids, pending.contents,
                                                       strict=True)),
              ("batch_id", "content"), binary_types=("int8", "bytea"))


def hold_stations(station_ids: set[int]) -> set[int]:
    """Of these stations, those that no longer exist. On PostgreSQL the others are held (FOR KEY
    SHARE, the lock a reference check takes) until the transaction ends, so that none is deleted
    under the batches about to name it: one statement for a slice, where the database's own
    check took a lookup and a lock per file. (SQLite has one writer at a time.)"""
    if not station_ids:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                'SELECT "id" FROM "registry_station" WHERE "id" = '
                """ANY(string_to_array(%s, ',')::bigint[]) FOR KEY SHARE""",
                [",".join(str(station_id) for station_id in sorted(station_ids))])
        else:
            placeholders = ", ".join(["%s"] * len(station_ids))
            cursor.execute(f'SELECT "id" FROM "registry_station" WHERE "id" IN ({placeholders})',
                           sorted(station_ids))
        return set(station_ids) - {row[0] for row in cursor.fetchall()}


def earlier_batches(digests: set[str], stations: set[int]) -> dict[tuple[str, int], int]:
    """{(sha256, station): first batch id} for files already received and accepted whole (a
    file that had rejected lines is read again: a fixed alias may let them in now). Looked up
    through the index of the digests' heads (`Batch.sha256`) and matched to the stations
    here: with both in the query, SQLite may pick the station index and scan every batch of
    those stations."""
    from envhub.monitoring.models import SHA256_INDEXED_DIGITS as digits

    found: dict[tuple[str, int], int] = {}
    if not digests:
        return found
    ordered = sorted(digests)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two uploads of the same file at once: the second waits for the first to commit,
            # then sees it (SQLite has one writer at a time anyway). The locks are taken in
            # sorted order (no deadlock between two slices), in one statement.
            # The digests go as one comma-separated text (hexadecimal: no commas), which the
            # server splits faster than psycopg dumps a list of them.
            joined = ",".join(ordered)
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(hashtext(digest))) FROM ("
                "SELECT digest FROM unnest(string_to_array(%s, ',')) WITH ORDINALITY "
                "AS sent(digest, n) ORDER BY n) AS locked", [joined])
            # The index's own expression, as Django wrote it (SUBSTRING on PostgreSQL).
            cursor.execute(
                'SELECT "id", "sha256", "station_id" FROM "monitoring_batch" '
                f'WHERE SUBSTRING("sha256", 1, {digits}) = '
                "ANY(string_to_array(%s, ',')) "
                """AND "sha256" = ANY(string_to_array(%s, ',')) AND "status" = %s """
                'ORDER BY "id"',
                [",".join(digest[:digits] for digest in ordered), joined, "accepted"])
        else:
            placeholders = ", ".join(["%s"] * len(ordered))
            cursor.execute(
                'SELECT "id", "sha256", "station_id" FROM "monitoring_batch" '
                f'WHERE SUBSTR("sha256", 1, {digits}) IN ({placeholders}) '
                f'AND "sha256" IN ({placeholders}) AND "status" = %s ORDER BY "id"',
                [*(digest[:digits] for digest in ordered), *ordered, "accepted"])
        for batch_id, digest, station_id in cursor.fetchall():
            if station_id in stations:
                found.setdefault((digest, station_id), batch_id)
    return found


def update_batch_counts(batch: BatchRow) -> None:
    from envhub.monitoring.models import Batch

    Batch.objects.filter(pk=batch.id).update(
        status=batch.status, accepted=batch.accepted, rejected=batch.rejected,
        duplicates=batch.duplicates, conflicts=batch.conflicts, rejects=batch.rejects,
        conflict_details=batch.conflict_details, notes=batch.notes)
