"""What a slice of checked files will write, worked out before the database is touched: the
observation rows (new in the slice; a value that an earlier file of the slice sent too is a
duplicate or a conflict), a batch row per file, the hours to queue for the rollups, and all of
it encoded for the database (`storage`)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from envhub.core.timeutil import hour_end, local_iso
from envhub.monitoring import storage
from envhub.monitoring.ingest.checks import CheckedFile
from envhub.monitoring.ingest.registry_view import directory
from envhub.monitoring.ingest.reports import (
    MAX_STORED_REJECTS,
    BatchReport,
    status_from_counts,
)
from envhub.monitoring.models import BatchStatus

# An observation row as the checks and conflicts see it:
# (series, time, value, status, line, parameter code).
KeptRow = tuple[int, datetime.datetime, float | None, int, int, str]


@dataclass
class Plan:
    """What a slice of checked files will write. The writer works it out again when the
    database says otherwise (a file received before, a station deleted, a station's first
    values)."""

    dirty_hours: set[tuple[int, datetime.datetime]]
    batches: list[storage.BatchRow]
    observations: storage.PendingObservations
    pending_batches: storage.PendingBatches
    # The series ids the rows were made with, and for the files with values that an earlier
    # file of the slice sent too, the lines of those values.
    series_ids: dict[tuple[int, int], int]
    repeated_lines_of: dict[int, set[int]]
    # File place → its conflicts in full, for the files with values that an earlier file of
    # the slice sent otherwise (a batch keeps the first ones).
    conflicts_of: dict[int, list[dict]]

    def rows_of(self, files: Sequence[CheckedFile]) -> list[list[KeptRow]]:
        """Per file, its values new in the slice as rows: needed only when the database holds
        some of them already."""
        return [_kept_rows(f, self.series_ids, self.repeated_lines_of.get(place, ()))
                for place, f in enumerate(files)]


def plan_slice(files: Sequence[CheckedFile]) -> Plan | None:
    """The plan for these files, or None when some of their series do not exist yet (the
    writer creates them)."""
    try:
        return plan_with(files, directory.series)
    except KeyError:
        return None


def plan_with(files: Sequence[CheckedFile], series_ids: dict[tuple[int, int], int]) -> Plan:
    """The plan for these files with these series ids; a KeyError when one is missing."""
    observation_rows, repeats, dirty_hours = _rows(files, series_ids, storage.time_adapter())
    repeats_of: dict[int, list] = {}
    for place, row, held in repeats:
        repeats_of.setdefault(place, []).append((row, held))
    repeated_lines_of = {place: {row[4] for row, _held in found}
                         for place, found in repeats_of.items()}
    batches, conflicts_of = [], {}
    for place, f in enumerate(files):
        if place in repeats_of:
            batch = _batch_row(f, _kept_rows(f, series_ids, repeated_lines_of[place]))
            conflicts_of[place] = _count_repeats(batch, f.report, repeats_of[place])
        else:
            batch = _batch_row(f)
        batches.append(batch)
    # A file received before is not archived again: its batch points at the first one.
    contents = [b"" if f.report.status == BatchStatus.DUPLICATE_FILE else f.content
                for f in files]
    return Plan(dirty_hours, batches, storage.encode_observations(observation_rows),
                storage.encode_batches(batches, contents), series_ids, repeated_lines_of,
                conflicts_of)


def _rows(files: Sequence[CheckedFile], series_ids, db_time):
    """The rows of the slice as the database takes them: (series, time in the database's form,
    value, status, the file's place in the slice) for every value new in the slice. Within the
    slice the first value for a (series, time) wins, as against the database; the later ones
    are in `repeats` as (the file's place, the value as a `KeptRow`, the row held). Also the
    (series, hour end) pairs the rows fall in, for the rollup queue. A KeyError when a series
    is not in `series_ids`. (Runs for every value: a file's values usually share one time, so
    a time's forms are looked up once per file.)"""
    # time → {series → the first row for it}: the first value for each (series, time), found
    # without a key tuple per value.
    first_at: dict[datetime.datetime, dict[int, tuple]] = {}
    observation_rows: list[tuple] = []
    add_observation = observation_rows.append
    series_by_hour: dict[datetime.datetime, set[int]] = {}
    # time → (its database form, `setdefault` of the first rows at that time, `add` of the
    # series of its hour), once per time of the slice.
    times: dict[datetime.datetime, tuple] = {}

    def forms_of(time):
        db_form, hour = db_time(time), hour_end(time)
        found = times[time] = (db_form, first_at.setdefault(time, {}).setdefault,
                               series_by_hour.setdefault(hour, set()).add)
        return found

    repeats = []
    for place, f in enumerate(files):
        if not f.values:
            continue
        station_id = f.station.id
        one_time = f.first_time if f.first_time == f.last_time else None
        if one_time is not None:
            at_db, held_for, mark_dirty = times.get(one_time) or forms_of(one_time)
        for parameter, time, value, status, line in f.values:
            series_id = series_ids[(station_id, parameter.id)]
            if one_time is None:
                at_db, held_for, mark_dirty = times.get(time) or forms_of(time)
            row = (series_id, at_db, value, status, place)
            held = held_for(series_id, row)
            if held is row:
                add_observation(row)
                mark_dirty(series_id)
            else:
                repeats.append((place, (series_id, time, value, status, line, parameter.code),
                                held))
    dirty_hours = {(series_id, hour) for hour, series in series_by_hour.items()
                   for series_id in series}
    return observation_rows, repeats, dirty_hours


def _kept_rows(f: CheckedFile, series_ids, repeated_lines) -> list[KeptRow]:
    if not f.values:
        return []
    station_id = f.station.id
    return [(series_ids[(station_id, parameter.id)], time, value, status, line, parameter.code)
            for parameter, time, value, status, line in f.values if line not in repeated_lines]


def _batch_row(f: CheckedFile, kept: list[KeptRow] | None = None) -> storage.BatchRow:
    """The batch of a file as it stands before the database is asked (the writer copies it to
    the file's report). `kept`: its rows when some of its values were sent by an earlier file
    of the slice; all its values are new otherwise."""
    report = f.report
    if kept is None:
        accepted, first_time, last_time = len(f.values), f.first_time, f.last_time
    elif kept:
        times = [row[1] for row in kept]
        accepted, first_time, last_time = len(kept), min(times), max(times)
    else:
        accepted, first_time, last_time = 0, None, None
    if report.rejects:
        report.rejects.sort(key=lambda reject: reject.line)
    batch = storage.BatchRow(
        f.station.id if f.station is not None else None, report.file_name, f.sha256, f.size,
        report.lines, first_time, last_time, report.duplicate_of, accepted=accepted,
        rejected=len(report.rejects), duplicates=report.duplicates, conflicts=report.conflicts,
        rejects=[r.as_dict() for r in report.rejects[:MAX_STORED_REJECTS]],
        conflict_details=report.conflict_details[:MAX_STORED_REJECTS],
        notes=list(report.notes))
    batch.status = status_from_counts(report.status, batch)
    return batch


def _count_repeats(batch: storage.BatchRow, report: BatchReport, repeats) -> list[dict]:
    """Count a file's values that an earlier file of the slice sent too: duplicates when the
    same, conflicts when not. The file's conflicts in full."""
    details = list(report.conflict_details)
    for (_series, time, value, status, line, code), held in repeats:
        held_value, held_status = held[2], held[3]
        if held_value == value and held_status == status:
            batch.duplicates += 1
        else:
            batch.conflicts += 1
            details.append({
                "line": line, "parameter": code, "time": local_iso(time),
                "kept": held_value, "sent": value,
                "note": _("an earlier file in the same upload sent another value"),
            })
    batch.conflict_details = details[:MAX_STORED_REJECTS]
    batch.status = status_from_counts(report.status, batch)
    return details
