"""Orphan bytes: a process killed outright while it stored a file — an upload, `envhub library
import`, the worker writing a searchable PDF — leaves the bytes in the library's storage with
no `DocumentFile` row naming them (its transaction never committed, and the cleanup that
deletes them never ran), and may leave its temporary copy in `ENVHUB_VAR_DIR/uploads`. Nothing
else deletes them.

`orphans(older_than)` lists them: under `documents/`, the files no row names; under
`previews/`, the first-page pictures of bytes no file has any more; in the upload folder,
every temporary file. Only those older than the grace period (24 hours by default): a file
being stored now has no row yet. Names the library does not write are never touched. The
store is listed page by page and checked against the database a thousand names at a time, so
memory stays flat whatever the library's size. `envhub library sweep` shows them (dry run) or
deletes them (`--delete`); `envhub check` counts them.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from envhub.core import audit
from envhub.core.permissions import Actor
from envhub.library import storage
from envhub.library.models import DocumentFile

GRACE = datetime.timedelta(hours=24)
BATCH = 1000
DOCUMENTS, PREVIEWS = "documents/", "previews/"
UPLOADS = "uploads"  # what an orphan in the upload folder is shown under
SWEEP = "library.sweep"


@dataclass(frozen=True)
class Orphan:
    where: str  # "storage" or UPLOADS
    name: str
    size: int
    modified: datetime.datetime


def _stored() -> Iterator[tuple[str, int, datetime.datetime]]:
    """Every file of the library's storage under the prefixes it writes: (name, size, when)."""
    store = storage.library_storage()
    if hasattr(store, "walk_objects"):  # an object store: its listing, a page at a time
        yield from store.walk_objects((DOCUMENTS, PREVIEWS))
        return
    root = Path(store.location)
    for prefix in (DOCUMENTS, PREVIEWS):
        yield from _walk_folder(root, root / prefix)


def _walk_folder(root: Path, folder: Path) -> Iterator[tuple[str, int, datetime.datetime]]:
    for path, _dirs, files in os.walk(folder):
        for file_name in files:
            full = Path(path) / file_name
            try:
                stat = full.lstat()
            except FileNotFoundError:  # deleted meanwhile
                continue
            if full.is_symlink():
                continue
            yield (full.relative_to(root).as_posix(), stat.st_size,
                   datetime.datetime.fromtimestamp(stat.st_mtime, datetime.UTC))


def _batches(items: Iterable, size: int = BATCH) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _preview_sha256(name: str) -> str:
    return name.removeprefix(PREVIEWS).split("-", 1)[0]


def orphans(older_than: datetime.timedelta = GRACE,
            now: datetime.datetime | None = None) -> Iterator[Orphan]:
    """The library's orphan files last written more than `older_than` before `now`."""
    limit = (now or timezone.now()) - older_than
    old = ((name, size, when) for name, size, when in _stored() if when < limit)
    for batch in _batches(old):
        documents = [name for name, _size, _when in batch if name.startswith(DOCUMENTS)]
        named = set(DocumentFile.objects.filter(storage_name__in=documents)
                    .values_list("storage_name", flat=True))
        digests = [_preview_sha256(name) for name, _s, _w in batch if name.startswith(PREVIEWS)]
        kept = set(DocumentFile.objects.filter(sha256__in=digests)
                   .values_list("sha256", flat=True))
        for name, size, when in batch:
            if name.startswith(DOCUMENTS) and name in named:
                continue
            if name.startswith(PREVIEWS) and _preview_sha256(name) in kept:
                continue
            yield Orphan("storage", name, size, when)
    uploads = storage.upload_folder()
    for name, size, when in _walk_folder(uploads, uploads):
        if when < limit:
            yield Orphan(UPLOADS, name, size, when)


def delete(actor: Actor, found: Iterable[Orphan]) -> tuple[int, int]:
    """Delete `found` (as `orphans` gave them; a name a row has named since is kept); the
    number of files and bytes deleted, recorded in the audit log."""
    files = size = 0
    store = storage.library_storage()
    for orphan in found:
        if orphan.where == UPLOADS:
            (storage.upload_folder() / orphan.name).unlink(missing_ok=True)
        elif DocumentFile.objects.filter(storage_name=orphan.name).exists():
            continue  # stored and committed between the listing and now
        else:
            store.delete(orphan.name)
        files += 1
        size += orphan.size
    if files:
        audit.record(actor, SWEEP, None, {"files": files, "bytes": size})
    return files, size
