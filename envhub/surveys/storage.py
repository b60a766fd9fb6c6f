"""Uploaded survey files, kept as they came: stored once by their SHA-256 in the default file
storage (a folder under ENVHUB_VAR_DIR, or object storage when configured), never rewritten,
read back as a stream (validation and the annotated copy never hold a whole file)."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput, TooLarge
from envhub.core.uploads import size_words

CHUNK = 1 << 20
EXTENSIONS = {".xlsx", ".csv", ".txt"}


def max_bytes() -> int:
    return settings.ENVHUB_MAX_DATASET_FILE_BYTES


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks(CHUNK)
        return
    while chunk := upload.read(CHUNK):
        yield chunk


def keep(upload, file_name: str) -> tuple[str, int, str]:
    """Store the file `upload` (an uploaded file or a binary stream) and return (where it is
    stored, its size, its SHA-256). The content decides what it is, later; the name only has
    to look like a spreadsheet, so a unit that picked the wrong file hears it at once."""
    extension = PurePath(file_name).suffix.lower()
    if extension not in EXTENSIONS:
        raise InvalidInput(_("Upload the table as an XLSX or CSV file (this file is “%(name)s”).")
                           % {"name": file_name[:100]}, {"file": [extension or "?"]})
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(upload):
        size += len(chunk)
        if size > max_bytes():
            raise TooLarge(_("The file is larger than %(limit)s, the most a survey file may be.")
                           % {"limit": size_words(max_bytes())})
        digest.update(chunk)
    if size == 0:
        raise InvalidInput(_("The file is empty."), {"file": ["empty"]})
    sha256 = digest.hexdigest()
    name = f"surveys/{sha256[:2]}/{sha256}{extension}"
    if not default_storage.exists(name):
        upload.seek(0)
        stored = default_storage.save(name, upload)
        if stored != name:  # another request stored the same bytes at the same moment
            default_storage.delete(stored)
    return name, size, sha256


def open_stored(name: str):
    """The stored file, opened for reading in binary (seekable)."""
    return default_storage.open(name, "rb")
