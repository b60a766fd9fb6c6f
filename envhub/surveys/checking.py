"""Checking uploaded files in the worker: claim a waiting upload, validate it streamed against
the schema version it was uploaded under, store the rows checked as it goes (the page shows
them), then the report; for the inventory, also what loading it would change in the registry.

A worker that dies mid-check stops renewing its heartbeat; another takes the file over after
`STALE`. Nothing about a file is lost when a check fails: its report says why."""

from __future__ import annotations

import datetime
import json
import logging
import queue
import threading
from collections.abc import Iterator
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from envhub.core import workers
from envhub.surveys import storage
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.models import CheckState, SchemaKind, SchemaVersion, Upload
from envhub.surveys.readers import ZIP_MAGIC
from envhub.surveys.tableschema import TableSchema, compile_schema
from envhub.surveys.validation import Report, validate

logger = logging.getLogger("envhub.surveys")

STALE = datetime.timedelta(minutes=2)
PROGRESS_EVERY = 1000


@lru_cache(maxsize=64)
def _compiled(descriptor: str) -> TableSchema:
    return compile_schema(json.loads(descriptor))


def schema_of(version: SchemaVersion) -> TableSchema:
    """The compiled schema of a version, kept per descriptor: keyed by the version's id, a
    version made in a transaction that was rolled back would leave its schema to the next one
    given that id (SQLite gives a rolled-back id again)."""
    return _compiled(json.dumps(version.descriptor, sort_keys=True, ensure_ascii=False))


def estimate_rows(stream) -> int | None:
    """About how many rows the file has, for the progress bar: the sheet's declared size, or
    the CSV's line count. Only a guide: the check counts the rows it reads."""
    try:
        stream.seek(0)
        if stream.read(4).startswith(ZIP_MAGIC):
            from openpyxl import load_workbook

            stream.seek(0)
            workbook = load_workbook(stream, read_only=True)
            try:
                return max(0, (workbook.worksheets[0].max_row or 1) - 1) or None
            finally:
                workbook.close()
        stream.seek(0)
        lines = 0
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
        return max(lines - 1, 0) or None
    except Exception:  # noqa: BLE001 - a guess only; the check itself reports a bad file
        return None
    finally:
        stream.seek(0)


def claim(worker: str) -> Upload | None:
    """Take the oldest waiting upload (or one whose checker stopped answering)."""
    now = timezone.now()
    claimable = Q(check_state=CheckState.QUEUED) | Q(check_state=CheckState.RUNNING,
                                                     heartbeat_at__lt=now - STALE)
    for upload_id in Upload.objects.filter(claimable).order_by("id").values_list(
            "id", flat=True)[:10]:
        taken = Upload.objects.filter(claimable, pk=upload_id).update(
            check_state=CheckState.RUNNING, claimed_by=worker, heartbeat_at=now,
            rows_checked=0)
        if taken:
            return Upload.objects.select_related(
                "schema_version", "submission__assignment__schema").get(pk=upload_id)
    return None


def check(upload: Upload) -> Report:
    """Validate the upload and store its report (and, for the inventory, its plan)."""
    schema = schema_of(upload.schema_version)
    codes = RegistryCodes.load()
    with storage.open_stored(upload.stored_as) as stream:
        expected = estimate_rows(stream)
        Upload.objects.filter(pk=upload.pk).update(rows_expected=expected)

        def progress(rows: int) -> None:
            Upload.objects.filter(pk=upload.pk).update(rows_checked=rows,
                                                       heartbeat_at=timezone.now())

        # The inventory's plan (what loading would change in the registry) is made in the
        # same pass, from the typed rows: the steward sees it before approving.
        planner = None
        if upload.submission.assignment.schema.kind == SchemaKind.EMISSION_INVENTORY:
            from envhub.registry.inventory import InventoryPlanner

            planner = InventoryPlanner()
        report = validate(stream, schema, codes, progress=progress, every=PROGRESS_EVERY,
                          on_row=planner.on_row if planner is not None else None)
    values = {"rows": report.rows, "error_count": report.error_count,
              "rows_with_errors": report.rows_with_errors, "report": report.as_dict(),
              "rows_checked": report.rows}
    if planner is not None and report.ok:
        values["plan"] = planner.diff().as_dict()
    Upload.objects.filter(pk=upload.pk).update(check_state=CheckState.DONE,
                                               checked_at=timezone.now(), **values)
    return report


def run(limit: int = 20) -> int:
    """The worker's job: check waiting uploads, one after the other; returns how many."""
    worker = workers.worker_id()
    done = 0
    while done < limit and (upload := claim(worker)) is not None:
        try:
            check(upload)
        except Exception as error:  # noqa: BLE001 - stored on the row, never lost
            logger.exception("survey upload %s could not be checked", upload.pk)
            Upload.objects.filter(pk=upload.pk).update(
                check_state=CheckState.FAILED, checked_at=timezone.now(),
                report={"failure": str(error)[:500]})
        done += 1
    return done


_END = object()


def typed_rows(upload: Upload, *, only_clean: bool = True) -> Iterator[tuple[int, dict]]:
    """The file's rows as `(line, values)`, typed by the schema and checked against today's
    registry, streamed. A row that no longer passes (the registry changed since the check)
    raises `RowNoLongerValid`, so a loader stops before writing anything half.

    `validate` calls back once per row; a thread runs it and hands the rows over through a
    small queue, so the loader pulls them one by one and never holds the file."""
    schema = schema_of(upload.schema_version)
    codes = RegistryCodes.load()
    rows: queue.Queue = queue.Queue(maxsize=2000)
    stop = threading.Event()
    outcome: dict = {}

    def on_row(line: int, values: dict, ok: bool) -> None:
        if stop.is_set():
            raise _Stopped()
        rows.put((line, values, ok))

    def produce() -> None:
        try:
            with storage.open_stored(upload.stored_as) as stream:
                outcome["report"] = validate(stream, schema, codes, on_row=on_row)
        except _Stopped:
            pass
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            outcome["error"] = error
        finally:
            _put(rows, _END, stop)

    thread = threading.Thread(target=produce, name=f"survey-rows-{upload.pk}", daemon=True)
    thread.start()
    try:
        while (item := rows.get()) is not _END:
            line, values, ok = item
            if only_clean and not ok:
                raise RowNoLongerValid(line)
            yield line, values
        if "error" in outcome:
            raise outcome["error"]
        report = outcome.get("report")
        if report is not None and report.refused is not None:
            raise RowNoLongerValid(0)
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full queue see the stop
            try:
                rows.get(timeout=0.05)
            except queue.Empty:
                pass
        thread.join()


def _put(rows: queue.Queue, item, stop: threading.Event) -> None:
    while True:
        try:
            rows.put(item, timeout=0.1)
            return
        except queue.Full:
            if stop.is_set():
                return


class _Stopped(Exception):
    pass


class RowNoLongerValid(ValueError):
    """A row of an approved file fails today's checks (the registry changed since)."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line
