"""Writing a slice of checked files in one transaction: a batch per file (with its raw bytes and
its rejects), the new observations, duplicates told from conflicts, the touched hours queued for
the rollups, and when each station last sent. If the database fails, nothing of the slice stays
and its files are written again one by one, so that one bad file cannot hold back the others."""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import ContextManager

from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from envhub.accounts import token_use
from envhub.core import audit
from envhub.core.permissions import Actor
from envhub.core.timeutil import hour_end, local_iso
from envhub.monitoring import storage
from envhub.monitoring.ingest.checks import CheckedFile, check_file, check_files
from envhub.monitoring.ingest.plan import Plan, plan_slice, plan_with
from envhub.monitoring.ingest.registry_view import directory
from envhub.monitoring.ingest.reports import (
    MAX_STORED_REJECTS,
    BatchReport,
    IncomingFile,
    not_stored,
    status_from_counts,
)
from envhub.monitoring.models import BatchStatus, Series

logger = logging.getLogger("envhub.ingest")

# Files that come from the station itself, as it sends them: their arrival is what a station's
# connectivity follows. A backfill from a folder is not a sign of life (unless said so).
LIVE_CHANNELS = {"ftp", "http"}


def write(actor: Actor, channel: str, files: Sequence[CheckedFile], *,
          now: datetime.datetime, replace: bool = False, live: bool | None = None,
          plan: Plan | None = None,
          while_database_works: Callable[[], ContextManager] = contextlib.nullcontext,
          ) -> list[BatchReport]:
    """Write checked files in one transaction and give their reports; if the database fails,
    write them again one by one (one file alone raises `DatabaseError`).

    `live`: the files arrived from the stations now (default: FTP and HTTP). `plan`: worked
    out for these files ahead (`plan_slice`). `while_database_works`: entered around what the
    database does without holding Python's interpreter lock (the commit, and the statements
    that store the slice where `storage` says so), when a backfill's reading thread may run."""
    live = channel in LIVE_CHANNELS if live is None else live
    # Partitions of new months first, in their own short transaction (see `partitions`).
    storage.prepare_for(_value_times(actor, files, now))
    try:
        with contextlib.ExitStack() as during_commit:
            with transaction.atomic():
                _write_slice(actor, channel, files, plan, now, replace, live,
                             while_database_works)
                # Here, when due, rather than in a write transaction of its own after the
                # request: on SQLite each one waits for the one write lock (`token_use`).
                token_use.record(actor.token)
                during_commit.enter_context(while_database_works())
    except DatabaseError:
        # A station or series deleted since the directory was read shows up here: read it again.
        directory.forget()
        if len(files) == 1:
            logger.exception("ingesting %s failed", files[0].report.file_name)
            raise
        logger.warning("a slice of %d files failed; writing them one by one", len(files))
        return [_write_alone(actor, channel, IncomingFile(f.name, f.content, f.size), replace,
                             now, live) for f in files]
    return [f.report for f in files]


def _write_alone(actor: Actor, channel: str, incoming: IncomingFile, replace: bool,
                 now: datetime.datetime, live: bool) -> BatchReport:
    """One file of a failed slice: its own report, or an `error` report when the database
    cannot store even this file (nothing of it is stored; the sender should send it again)."""
    try:
        return write(actor, channel, check_files(actor, [incoming], now), now=now,
                     replace=replace, live=live)[0]
    except DatabaseError:
        return not_stored((incoming.name or "")[-255:])


def _write_slice(actor: Actor, channel: str, files: Sequence[CheckedFile],
                 planned: Plan | None, now: datetime.datetime, replace: bool, live: bool,
                 while_database_works) -> None:
    work = _plan_as_the_database_says(actor, files, planned, now, replace)
    batch_ids = _number_batches(files, work)
    origin = storage.BatchOrigin(
        actor.label[:200], actor.user.pk if actor.user is not None else None,
        actor.token.pk if actor.token is not None else None, channel, now, replace)
    received = now if live and not replace else None
    if not storage.bulk_writes_release_interpreter():
        while_database_works = contextlib.nullcontext
    with while_database_works():
        storage.insert_batches(work.pending_batches, batch_ids, origin)
        inserted = storage.insert_observations(work.observations, batch_ids)
        if inserted == work.observations.count:
            storage.queue_rollups(work.dirty_hours, now)
            storage.note_station_activity(_newest_by_station(
                (f.station, batch.last_time)
                for f, batch in zip(files, work.batches, strict=True) if batch.accepted),
                received)
    if inserted < work.observations.count:
        _write_around_stored_values(actor, files, work, now, replace, received)
    elif any(f.at_stack_conditions for f in files):
        _check_values_again(actor, files, now)
        storage.note_stack_conditions(_stack_conditions_hours(files, work.rows_of(files)))
    _audit_refusals(actor, files, work.batches)


def _plan_as_the_database_says(actor: Actor, files: Sequence[CheckedFile],
                               planned: Plan | None, now: datetime.datetime,
                               replace: bool) -> Plan:
    """The plan to write, made again unless the one made ahead still holds: no station was
    deleted meanwhile, no file was received before, every series exists."""
    changed = _refuse_deleted_stations(files)
    if not replace:
        changed = _mark_duplicate_files(actor, files, now) or changed
    if planned is not None and not changed:
        return planned
    _check_values_again(actor, files, now)
    work = plan_slice(files)
    if work is None:  # a station's first values: its series are created first
        work = plan_with(files, _series_ids_creating_missing(files))
    return work


def _number_batches(files: Sequence[CheckedFile], work: Plan) -> list[int]:
    """The batches' ids (every observation row carries its file's), told to their reports."""
    batch_ids = storage.allocate_batch_ids(len(files))
    for place, (f, batch, batch_id) in enumerate(zip(files, work.batches, batch_ids,
                                                     strict=True)):
        batch.id = batch_id
        _report_what_the_batch_says(f.report, batch, work.conflicts_of.get(place))
    return batch_ids


def _audit_refusals(actor: Actor, files: Sequence[CheckedFile], batches) -> None:
    """Files for a station the sender may not send for: answered as unknown, known here."""
    for f, batch in zip(files, batches, strict=True):
        if f.refused_station is not None:
            audit.record(actor, "ingest_refused", object_type="monitoring.batch",
                         object_id=str(batch.id), object_repr=batch.file_name,
                         changes={"station": [None, f.refused_station]})


def _write_around_stored_values(actor: Actor, files: Sequence[CheckedFile], work: Plan,
                                now: datetime.datetime, replace: bool,
                                received: datetime.datetime | None) -> None:
    """Some values of the slice were stored already: count them, correct the batches, and
    queue only the hours of the rows that stayed (new, or replaced)."""
    _check_values_again(actor, files, now)
    rows_of = work.rows_of(files)
    for batch, f in _settle_collisions(actor, work.batches, files, rows_of, replace):
        _batch_from_report(batch, f.report)
        storage.update_batch_counts(batch)
    touched = {(row[0], row[1]) for rows in rows_of for row in rows}
    hours = {time: hour_end(time) for time in {time for _series, time in touched}}
    storage.queue_rollups({(series_id, hours[time]) for series_id, time in touched}, now)
    storage.note_station_activity(_newest_by_station(
        (f.station, max(row[1] for row in rows))
        for f, rows in zip(files, rows_of, strict=True) if rows), received)
    storage.note_stack_conditions(_stack_conditions_hours(files, rows_of))


def _stack_conditions_hours(files: Sequence[CheckedFile],
                            rows_of: list[list]) -> set[tuple[int, datetime.datetime]]:
    """The (series, hour end) of the stored values that are at the stack's conditions."""
    hours = set()
    for f, rows in zip(files, rows_of, strict=True):
        if f.at_stack_conditions:
            lines = set(f.at_stack_conditions)
            hours.update((row[0], hour_end(row[1])) for row in rows if row[4] in lines)
    return hours


def _check_values_again(actor: Actor, files: Sequence[CheckedFile],
                        now: datetime.datetime) -> None:
    """The values of the files whose values a backfill's reading process let go
    (`backfill.without_values`), checked again here: the database disagreed with the plan."""
    for f in files:
        if f.values is None:
            again = check_file(actor, IncomingFile(f.name, f.content), now)
            f.values, f.at_stack_conditions = again.values, again.at_stack_conditions


def _series_ids_creating_missing(files: Sequence[CheckedFile]) -> dict[tuple[int, int], int]:
    """Series ids for every (station, parameter) in these files, creating the missing ones."""
    wanted = {(f.station.id, value[0].id) for f in files if f.station for value in f.values}
    known = {key: directory.series[key] for key in wanted if key in directory.series}
    missing = wanted - set(known)
    if missing:
        # A station's first values: create its series (another process may race us: ignore).
        Series.objects.bulk_create(
            [Series(station_id=station_id, parameter_id=parameter_id)
             for station_id, parameter_id in sorted(missing)], ignore_conflicts=True)
        stations = {station_id for station_id, _ in missing}
        for series_id, station_id, parameter_id in Series.objects.filter(
            station_id__in=stations
        ).values_list("id", "station_id", "parameter_id"):
            if (station_id, parameter_id) in missing:
                known[(station_id, parameter_id)] = series_id
        # Only once committed do new ids become known to other files.
        new = {key: known[key] for key in missing}
        transaction.on_commit(lambda: directory.series.update(new))
    return known


def _refuse_deleted_stations(files: Sequence[CheckedFile]) -> bool:
    """Files whose station was deleted since the directory was read are refused as if it had
    never existed (the batch names no station); the others' stations are held until commit.
    Whether any file was refused."""
    gone = storage.hold_stations({f.station.id for f in files if f.station is not None})
    if not gone:
        return False
    directory.forget()
    for f in files:
        if f.station is not None and f.station.id in gone:
            f.station, f.values = None, []
            f.report.station = None
            f.reject_file("unknown_station", _(
                "The station of this file was deleted from the registry while the file was "
                "being received."))
    return True


def _mark_duplicate_files(actor: Actor, files: Sequence[CheckedFile],
                          now: datetime.datetime) -> bool:
    """Same station and same bytes as a file already received (or earlier in this slice).
    Whether any file was."""
    candidates = [f for f in files if f.readable]
    if not candidates:
        return False
    keys = [(f.sha256, f.station.id) for f in candidates]
    digests, stations = zip(*keys, strict=True)
    earlier = storage.earlier_batches(set(digests), set(stations))
    if not earlier and len(set(keys)) == len(keys):  # the usual slice: no file seen before
        return False
    seen: set[tuple[str, int]] = set()
    marked = False
    for f, key in zip(candidates, keys, strict=True):
        if key in earlier or key in seen:
            marked = True
            _check_values_again(actor, [f], now)  # their number is told
            report = f.report
            report.status = BatchStatus.DUPLICATE_FILE
            report.duplicate_of = earlier.get(key)
            report.duplicates = len(f.values)
            report.notes.append(_("This file was already received; nothing was added."))
            f.values = []
        else:
            seen.add(key)
    return marked


def _report_what_the_batch_says(report: BatchReport, batch: storage.BatchRow,
                                conflicts: list[dict] | None) -> None:
    report.batch_id = batch.id
    report.status = batch.status
    report.accepted, report.rejected = batch.accepted, batch.rejected
    report.duplicates, report.conflicts = batch.duplicates, batch.conflicts
    if conflicts is not None:
        report.conflict_details = conflicts


def _batch_from_report(batch: storage.BatchRow, report: BatchReport) -> None:
    """The batch after the database showed some values stored already (counted in the
    report)."""
    report.status = status_from_counts(report.status, report)
    batch.status = report.status
    batch.accepted, batch.rejected = report.accepted, report.rejected
    batch.duplicates, batch.conflicts = report.duplicates, report.conflicts
    batch.conflict_details = report.conflict_details[:MAX_STORED_REJECTS]


def _settle_collisions(actor: Actor, batches, files, rows_of, replace: bool) -> list:
    """Some rows were already stored: tell duplicates (same value and status) from conflicts.
    The (batch, file) pairs whose counts changed."""
    keys = [(row[0], row[1]) for rows in rows_of for row in rows]
    stored = storage.existing(keys)
    replacements, changed = [], []
    for batch, f, rows in zip(batches, files, rows_of, strict=True):
        report = f.report
        before = (report.accepted, report.duplicates, report.conflicts)
        kept_rows = []
        for series_id, time, value, status, line, code in rows:
            old_value, old_status, old_batch = stored.get((series_id, time), (None, None, None))
            if old_batch == batch.id:
                kept_rows.append((series_id, time, value, status, line, code))
                continue
            report.accepted -= 1
            if old_value == value and old_status == status:
                report.duplicates += 1
            elif replace:
                report.accepted += 1
                replacements.append((series_id, time, value, status, batch.id))
                kept_rows.append((series_id, time, value, status, line, code))
                report.conflict_details.append({
                    "line": line, "parameter": code, "time": local_iso(time),
                    "replaced": old_value, "sent": value})
            else:
                report.conflicts += 1
                report.conflict_details.append({
                    "line": line, "parameter": code, "time": local_iso(time),
                    "kept": old_value, "sent": value})
        rows[:] = kept_rows
        if (report.accepted, report.duplicates, report.conflicts) != before:
            changed.append((batch, f))
    if replacements:
        storage.replace_observations(replacements)
        audit.record(actor, "ingest_replace", object_type="monitoring.batch",
                     object_id=",".join(str(b.id) for b in batches)[:100],
                     object_repr=f"{len(replacements)} values replaced",
                     changes={"values": [None, len(replacements)]})
    return changed


def _newest_by_station(latest_of_files) -> dict[int, datetime.datetime]:
    """The newest accepted value time of each station in the slice, from (station, the newest
    accepted value time) of each file with any."""
    newest: dict[int, datetime.datetime] = {}
    for station, latest in latest_of_files:
        if station.id not in newest or latest > newest[station.id]:
            newest[station.id] = latest
    return newest


def _value_times(actor: Actor, files: Sequence[CheckedFile],
                 now: datetime.datetime) -> Iterator[datetime.datetime]:
    """Times that cover every month the files' values fall in. (Given one by one: only
    PostgreSQL's partitions need them.)"""
    for f in files:
        if f.values or f.values is None:
            first, last = f.first_time, f.last_time
            if first is None or (first.year, first.month) != (last.year, last.month):
                _check_values_again(actor, [f], now)
                yield from (value[1] for value in f.values)
            else:
                yield first
