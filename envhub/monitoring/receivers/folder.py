"""The folder receiver (`envhub ingest PATH...`): TT10 files from folders and zip archives,
for a backfill after an outage, or when a province hands over its archive.

Folders are walked recursively; `.txt` files are ingested, and so are the `.txt` members of
`.zip` archives, named on the command line or found in the folders. Files go to the ingestion
service in slices, read and checked ahead while the one before is written, and are committed in
chunks (several slices a transaction, `monitoring.backfill`) as the server itself (channel
folder).

Safe to interrupt and to run again: what is committed stays; a second run adds nothing for the
files already received (the service knows them by station and SHA-256) and counts them as
duplicates.

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
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from envhub.core.permissions import Actor
from envhub.monitoring import backfill, ingest, parallel
from envhub.monitoring.models import BatchStatus, Channel

# Files read and checked at a time. Two slices are in memory at once, one written while the next
# is read and planned; with reading processes both processes hold slices in flight, beside a
# Django each, so their slices are smaller.
READ_SLICE = 4_000
READ_SLICE_WITH_READERS = 1_000
# Files per transaction (a chunk) on SQLite. Each commit there writes back and checkpoints the
# pages of the observations' key of every series the chunk touches, whatever the number of
# values: larger chunks share that cost among more files. A chunk is written slice by slice:
# its size costs only SQLite's pages waiting for the commit and the chunk's reports.
# PostgreSQL's commit only flushes its log (its own checkpointer writes the pages back later):
# there a chunk is one slice.
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
    failures_in_a_row: int = 0

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

    def add_transaction(self, origins: list[str], reports: list[ingest.BatchReport]) -> None:
        """Count a committed transaction's files; `DatabaseDown` when the database refused
        too many files in a row."""
        for origin, report in zip(origins, reports, strict=True):
            if report.status == ingest.ERROR:
                self.problem(origin, _(
                    "could not be stored (database error); run the command again"))
                self.failures_in_a_row += 1
            else:
                self.add(report)
                self.failures_in_a_row = 0
        if self.failures_in_a_row >= MAX_DATABASE_FAILURES_IN_A_ROW:
            raise DatabaseDown()

    def problem(self, origin: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{origin}: {message}")


class DatabaseDown(Exception):
    pass


# --- receiving ------------------------------------------------------------------------------

def receive(actor: Actor, paths: Iterable[str], tally: Tally, *, replace: bool = False,
            chunk: int | None = None, jobs: int | None = None) -> Iterator[int]:
    """Ingest the files found under `paths`, counting them in `tally`; yield the number of
    files of each transaction once it is committed. Stopping early (closing the generator)
    leaves the transactions committed so far. `chunk`: files per transaction; `jobs`: reading
    processes (see `parallel.reader`). Raises `DatabaseDown` when the database keeps
    failing."""
    if jobs is None:
        jobs = parallel.default_jobs()
    ingest.check_replace(actor, replace)
    if jobs and parallel.usable():
        # The database connection must not be open while worker processes start.
        connections.close_all()
    pool = parallel.reader(actor, jobs)
    readers = jobs if isinstance(pool, parallel.ProcessReader) else 0
    chunk = chunk or default_chunk(readers)
    slices = chunks(walk(paths), tally, min(chunk, read_slice(readers)))
    finished = False
    try:
        for origins, reports in backfill.write_in_transactions(
                actor, Channel.FOLDER, pool.checked(slices, incoming_of=lambda found: found.file),
                files_per_transaction=chunk, replace=replace, gate=pool.gate,
                kept=lambda found: found.origin):
            tally.add_transaction(origins, reports)
            yield len(origins)
        finished = True
    finally:
        # Stopped early: a slice being read is thrown away rather than waited for.
        pool.close(cancel=not finished)
