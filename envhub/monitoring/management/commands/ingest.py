"""`envhub ingest PATH...`: backfill TT10 files from folders and zip archives (after an outage,
or when a province hands over its archive).

Folders are walked recursively; `.txt` files are ingested, and so are the `.txt` members of
`.zip` archives, named on the command line or found in the folders. Files go to the ingestion
service in slices, read and checked ahead while the one before is written, and are committed in
chunks (`--chunk` files, one transaction each) as the server itself (channel folder); then the
rollups are brought up to date.

Safe to interrupt and to run again: Ctrl-C stops once the current chunk is committed or rolled
back, prints what was done and exits with 130; a second run adds nothing for the files already
received (the service knows them by station and SHA-256) and counts them as duplicates.

Memory stays flat whatever the number of files: the walk is a generator (folders are read
entry by entry, unsorted, because sorting a folder of a million files would hold every name),
and at most two slices of contents are held (the one written, the one read). Archives are never
extracted: members are read in memory with caps on their size (declared and read), on an
archive's total, on the compression ratio and on the number of members (zip bombs); a member's
folders are ignored, so `../../etc/x.txt` is just the file name `x.txt`; folders, symbolic links
and other files in an archive are skipped; an unreadable archive or file is reported and the
walk goes on.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils.translation import gettext as _
from tqdm import tqdm

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, parallel, rollups
from envhub.monitoring.models import BatchStatus, Channel

# Files read and checked at a time. Two slices are in memory at once, one written while the next
# is read and planned: 10,000-file slices took the command over 300 MB (bench.memory). With a
# reading process both processes hold slices in flight, beside a Django each: 2,000-file slices
# took them to 319.5 MB together, 1,000-file ones to 284 (and as many files a second).
READ_SLICE = 4_000
READ_SLICE_WITH_READERS = 1_000
# Files per transaction (a chunk) on SQLite. Each commit there writes back and checkpoints the
# pages of the observations' key of every series the chunk touches, whatever the number of
# values: larger chunks share that cost among more files (docs/benchmarks.md). A chunk is
# written slice by slice: its size costs only SQLite's pages waiting for the commit and the
# chunk's reports. PostgreSQL's commit only flushes its log (its own checkpointer writes the
# pages back later), and larger chunks measured no faster there: a chunk is one slice.
SQLITE_CHUNK = 12_000


def read_slice(jobs: int) -> int:
    """Files read at a time with `jobs` reading processes; the callers cap it at the chunk."""
    return READ_SLICE if jobs == 0 else READ_SLICE_WITH_READERS


def default_chunk(jobs: int) -> int:
    """Files per transaction when `--chunk` is not given, with `jobs` reading processes."""
    return SQLITE_CHUNK if connection.vendor == "sqlite" else read_slice(jobs)


# A slice also ends once it holds this many bytes.
CHUNK_BYTES = 32 * 1024 * 1024
# Archive caps. A year of one station's 5-minute files is about 105,000 members.
MAX_ARCHIVE_MEMBERS = 200_000
MAX_ARCHIVE_BYTES = 8 * 1024 ** 3
MAX_COMPRESSION_RATIO = 100
# Below this size a high ratio is harmless (a short file of repeated lines).
RATIO_FLOOR_BYTES = 64 * 1024
# Three files in a row that the database refuses: it is down, stop.
MAX_DATABASE_FAILURES_IN_A_ROW = 3
SHOWN_PROBLEMS = 20
SHOWN_REASONS = 8

_FILE_TYPE_MASK = 0o170000
_SYMLINK_TYPE = 0o120000


# --- what the walk finds --------------------------------------------------------------------

@dataclass
class Found:
    """A `.txt` file (or archive member) to ingest; `origin` is where it was, for messages."""

    origin: str
    file: ingest.IncomingFile


@dataclass
class Skipped:
    origin: str
    reason: str


@dataclass
class Problem:
    origin: str
    message: str


Item = Found | Skipped | Problem


def walk(paths: Iterable[str]) -> Iterator[Item]:
    for path in paths:
        yield from _walk_path(Path(path))


def _walk_path(path: Path) -> Iterator[Item]:
    # A path named on the command line is followed even when it is a symbolic link.
    try:
        info = path.stat()
    except OSError as error:
        yield Problem(str(path), _("cannot be read (%(reason)s)") % {
            "reason": error.strerror or error})
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk_folder(path)
    elif stat.S_ISREG(info.st_mode):
        yield from _file(path, info.st_size)
    else:
        yield Skipped(str(path), _("not a regular file"))


def _walk_folder(top: Path) -> Iterator[Item]:
    pending = [str(top)]
    while pending:
        folder = pending.pop()
        try:
            entries = os.scandir(folder)
        except OSError as error:
            yield Problem(folder, _("cannot be read (%(reason)s)") % {
                "reason": error.strerror or error})
            continue
        subfolders = []
        with entries:
            for entry in entries:
                try:
                    if entry.is_symlink():
                        yield Skipped(entry.path, _("symbolic link (not followed)"))
                    elif entry.is_dir(follow_symlinks=False):
                        subfolders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        size = entry.stat(follow_symlinks=False).st_size
                        yield from _file(Path(entry.path), size)
                    else:
                        yield Skipped(entry.path, _("not a regular file"))
                except OSError as error:
                    yield Problem(entry.path, _("cannot be read (%(reason)s)") % {
                        "reason": error.strerror or error})
        # Depth first, folders in name order (a folder's subfolders are few).
        pending.extend(sorted(subfolders, reverse=True))


def _file(path: Path, size: int) -> Iterator[Item]:
    lower = path.name.lower()
    if lower.endswith(".zip"):
        yield from _walk_archive(path)
        return
    if not lower.endswith(".txt"):
        yield Skipped(str(path), _("not a .txt file"))
        return
    limit = settings.ENVHUB_MAX_FILE_BYTES
    try:
        with open(path, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as error:
        yield Problem(str(path), _("cannot be read (%(reason)s)") % {
            "reason": error.strerror or error})
        return
    if len(content) > limit:
        # Over the limit: the service records it as too large from its size alone.
        yield Found(str(path), ingest.IncomingFile(path.name, b"", size=max(size, len(content))))
    else:
        yield Found(str(path), ingest.IncomingFile(path.name, content))


def _member_count(handle) -> int | None:
    """The number of members an archive declares, read from its end record before zipfile
    loads its whole directory into memory. `_EndRecData` is private but has been stable since
    Python 2; without it the count is simply not checked."""
    end_record = getattr(zipfile, "_EndRecData", None)
    if end_record is None:
        return None
    record = end_record(handle)
    return None if record is None else record[getattr(zipfile, "_ECD_ENTRIES_TOTAL", 4)]


def _walk_archive(path: Path) -> Iterator[Item]:
    try:
        handle = open(path, "rb")
    except OSError as error:
        yield Problem(str(path), _("cannot be read (%(reason)s)") % {
            "reason": error.strerror or error})
        return
    with handle:
        try:
            members = _member_count(handle)
            if members is not None and members > MAX_ARCHIVE_MEMBERS:
                yield Problem(str(path), _(
                    "the archive has %(count)d members; at most %(limit)d are read from one "
                    "archive: split it") % {"count": members, "limit": MAX_ARCHIVE_MEMBERS})
                return
            handle.seek(0)
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as error:
            yield Problem(str(path), _("not a readable zip archive (%(reason)s)") % {
                "reason": error})
            return
        with archive:
            yield from _archive_members(path, archive)


def _archive_members(path: Path, archive: zipfile.ZipFile) -> Iterator[Item]:
    limit = settings.ENVHUB_MAX_FILE_BYTES
    total = 0
    for info in archive.infolist():
        origin = f"{path}!{info.filename}"
        skipped = _skip_reason(info)
        if skipped:
            yield Skipped(origin, skipped)
            continue
        name = _base_name(info.filename)
        if info.file_size > limit:
            yield Found(origin, ingest.IncomingFile(name, b"", size=info.file_size))
            continue
        if info.file_size > RATIO_FLOOR_BYTES and \
                info.file_size > MAX_COMPRESSION_RATIO * max(1, info.compress_size):
            yield Problem(origin, _(
                "refused: it would grow %(ratio)d times when unpacked (a zip bomb?)") % {
                "ratio": info.file_size // max(1, info.compress_size)})
            continue
        total += info.file_size
        if total > MAX_ARCHIVE_BYTES:
            yield Problem(str(path), _(
                "the archive unpacks to more than %(limit)d bytes; the rest of it was not "
                "read: split it") % {"limit": MAX_ARCHIVE_BYTES})
            return
        try:
            with archive.open(info) as member:
                # zipfile stops at the declared size and checks the CRC, so a member whose
                # headers lie about its size fails here instead of filling the memory.
                content = member.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
                NotImplementedError, ValueError) as error:
            yield Problem(origin, _("cannot be read from the archive (%(reason)s)") % {
                "reason": error})
            continue
        if len(content) > limit:
            yield Found(origin, ingest.IncomingFile(name, b"", size=len(content)))
        else:
            yield Found(origin, ingest.IncomingFile(name, content))


def _skip_reason(info: zipfile.ZipInfo) -> str | None:
    if info.is_dir():
        return _("folder")
    if (info.external_attr >> 16) & _FILE_TYPE_MASK == _SYMLINK_TYPE:
        return _("symbolic link (not followed)")
    if not _base_name(info.filename).lower().endswith(".txt"):
        return _("not a .txt file")
    return None


def _base_name(member_name: str) -> str:
    """The last part of a member's path: its folders (`../..` included) are ignored."""
    return member_name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def chunks(items: Iterable[Item], tally: Tally, size: int) -> Iterator[list[Found]]:
    """Found files in lists of at most `size` files (and about CHUNK_BYTES); what is skipped
    or wrong goes to the tally as it passes."""
    chunk: list[Found] = []
    held = 0
    for item in items:
        if isinstance(item, Found):
            chunk.append(item)
            held += len(item.file.content)
            if len(chunk) >= size or held >= CHUNK_BYTES:
                yield chunk
                chunk, held = [], 0
        elif isinstance(item, Skipped):
            tally.skipped[item.reason] += 1
        else:
            tally.problem(item.origin, item.message)
    if chunk:
        yield chunk


# --- counting what happened -------------------------------------------------------------------

@dataclass
class Tally:
    files: int = 0
    ingested: int = 0
    rejected_files: int = 0
    duplicate_files: int = 0
    values: int = 0
    rejected_lines: int = 0
    duplicate_values: int = 0
    conflicts: int = 0
    reasons: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def add(self, report: ingest.BatchReport) -> None:
        self.files += 1
        if report.status == BatchStatus.DUPLICATE_FILE:
            self.duplicate_files += 1
        elif report.status == BatchStatus.REJECTED:
            self.rejected_files += 1
        else:
            self.ingested += 1
        self.values += report.accepted
        self.rejected_lines += sum(1 for reject in report.rejects if reject.line > 0)
        if report.status != BatchStatus.DUPLICATE_FILE:
            self.duplicate_values += report.duplicates
        self.conflicts += report.conflicts
        self.reasons.update(reject.code for reject in report.rejects)

    def problem(self, origin: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{origin}: {message}")


class DatabaseDown(Exception):
    pass


# --- the command ----------------------------------------------------------------------------

class Command(BaseCommand):
    help = ("Ingest TT10 files from folders and zip archives (backfill). Safe to interrupt and "
            "to run again.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="Files, folders (walked recursively) or .zip archives.")
        parser.add_argument("--replace", action="store_true",
                            help="Overwrite values that differ from those already stored "
                                 "(audited).")
        parser.add_argument("--chunk", type=int, default=None, metavar="N",
                            help=f"Files per transaction (default {SQLITE_CHUNK} on SQLite; "
                                 f"on PostgreSQL {READ_SLICE}, or {READ_SLICE_WITH_READERS} "
                                 "with reading processes).")
        parser.add_argument("--no-rollups", action="store_true",
                            help="Leave the rollups to the worker.")
        parser.add_argument("--jobs", type=int, default=None, metavar="N",
                            help="Processes that read and check files while this one writes "
                                 "(default: one with more than two cores, none with two or "
                                 "fewer; with 0 a thread of this process reads the next "
                                 "files while the database writes).")

    def handle(self, *args, paths, replace, chunk, no_rollups, jobs, **options):
        if chunk is not None and chunk < 1:
            raise CommandError(_("--chunk must be at least 1."))
        if jobs is None:
            jobs = parallel.default_jobs()
        if jobs < 0:
            raise CommandError(_("--jobs must be 0 or more."))
        self.actor = system_actor("envhub ingest (server console)")
        self.replace = replace
        self.tally = Tally()
        self.stop_requested = False
        self.failures_in_a_row = 0
        previous_handlers = self._catch_interrupts()
        started = time.monotonic()
        files_word = _("files")
        progress = tqdm(file=getattr(self.stderr, "_out", sys.stderr), unit=f" {files_word}",
                        bar_format=f"{{n_fmt}} {files_word} [{{elapsed}}, {{rate_fmt}}{{postfix}}]",
                        mininterval=0.5)
        outcome = "done"
        if jobs and parallel.usable():
            # The database connection must not be open while worker processes start.
            connections.close_all()
        pool = parallel.reader(self.actor, jobs)
        readers = jobs if isinstance(pool, parallel.PreparePool) else 0
        if chunk is None:
            chunk = default_chunk(readers)
        slices = chunks(walk(paths), self.tally, min(chunk, read_slice(readers)))
        try:
            ingest.check_replace(self.actor, self.replace)
            for origins, reports in ingest.write_in_transactions(
                    self.actor, Channel.FOLDER,
                    pool.prepared(slices, incoming_of=lambda found: found.file),
                    files_per_transaction=chunk, replace=self.replace, gate=pool.gate,
                    kept=lambda found: found.origin):
                self._count(origins, reports)
                progress.update(len(origins))
                progress.set_postfix_str(
                    _("%(rate)s values/s") % {"rate": _rate(self.tally.values, started)})
                if self.stop_requested:
                    outcome = "interrupted"
                    break
        except KeyboardInterrupt:
            outcome = "interrupted"
        except DatabaseDown:
            outcome = "database"
        finally:
            pool.close(cancel=outcome != "done")
            progress.close()
            self._restore(previous_handlers)
        self._summary(started)
        if outcome == "interrupted":
            self.stdout.write(_("Interrupted: the chunks above are stored, nothing of the one "
                                "in progress. Run the same command again to go on."))
            raise SystemExit(130)
        if outcome == "database":
            raise CommandError(_("The database keeps failing; what is counted above is stored. "
                                 "Run the same command again once it is back."))
        if not no_rollups:
            work = rollups.process_queue()
            self.stdout.write(_("Rollups: %(hours)d hours, %(days)d days and %(latest)d latest "
                                "values computed.") % {
                "hours": work.hours, "days": work.days, "latest": work.latest})

    def _count(self, origins: list[str], reports: list[ingest.BatchReport]) -> None:
        for origin, report in zip(origins, reports, strict=True):
            if report.status == ingest.ERROR:
                self.tally.problem(origin, _(
                    "could not be stored (database error); run the command again"))
                self.failures_in_a_row += 1
            else:
                self.tally.add(report)
                self.failures_in_a_row = 0
        if self.failures_in_a_row >= MAX_DATABASE_FAILURES_IN_A_ROW:
            raise DatabaseDown()

    def _catch_interrupts(self) -> dict | None:
        """The first Ctrl-C (or SIGTERM) asks to stop after the current chunk; a second one
        stops at once (the open transaction is rolled back)."""
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT,
                                                                    signal.SIGTERM)}

        def request_stop(signum, frame):
            self.stop_requested = True
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.stderr.write("\n" + _("Stopping after the current chunk (Ctrl-C again to "
                                      "stop now)…"))

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        return previous

    def _restore(self, previous: dict | None) -> None:
        for number, handler in (previous or {}).items():
            signal.signal(number, handler)

    def _summary(self, started: float) -> None:
        tally, write = self.tally, self.stdout.write
        elapsed = max(time.monotonic() - started, 1e-9)
        write(_("Files read: %(files)d (.txt files, also in zip archives)") % {
            "files": tally.files})
        write(_("  ingested: %(ingested)d; rejected: %(rejected)d; duplicate files (already "
                "received, nothing added): %(duplicates)d") % {
            "ingested": tally.ingested, "rejected": tally.rejected_files,
            "duplicates": tally.duplicate_files})
        write(_("Values accepted: %(values)d; lines rejected: %(lines)d; duplicate values: "
                "%(duplicates)d; conflicting values (first kept): %(conflicts)d") % {
            "values": tally.values, "lines": tally.rejected_lines,
            "duplicates": tally.duplicate_values, "conflicts": tally.conflicts})
        if tally.files and tally.duplicate_files == tally.files:
            write(_("Nothing new: every file had already been received."))
        if tally.skipped:
            details = ", ".join(f"{reason}: {count}" for reason, count in
                                tally.skipped.most_common())
            write(_("Skipped: %(count)d (%(details)s)") % {
                "count": sum(tally.skipped.values()), "details": details})
        if tally.problem_count:
            write(_("Problems: %(count)d") % {"count": tally.problem_count})
            for line in tally.problems:
                write(f"  {line}")
            if tally.problem_count > len(tally.problems):
                write(_("  … and %(more)d more") % {
                    "more": tally.problem_count - len(tally.problems)})
        if tally.reasons:
            write(_("Commonest reasons for rejecting:"))
            for code, count in tally.reasons.most_common(SHOWN_REASONS):
                write(f"  {code}: {count}")
        write(_("Time: %(seconds).1f s (%(files)s files/s, %(values)s values/s)") % {
            "seconds": elapsed, "files": _rate(tally.files, started),
            "values": _rate(tally.values, started)})


def _rate(count: int, started: float) -> str:
    return f"{count / max(time.monotonic() - started, 1e-9):,.0f}"
