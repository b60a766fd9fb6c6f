"""The library's bytes, through Django's storage API (the `library` storage: a folder under
ENVHUB_VAR_DIR by default, an S3-compatible object store in production).

A file is streamed in: read a chunk at a time, hashed and counted on the way, and refused as
soon as it passes the size limit — never held whole in memory, never stored past the limit.
It is stored under a name of its own (not the uploader's) and read back as a stream."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils.translation import gettext as _

from envhub.core.errors import InvalidInput, TooLarge
from envhub.core.uploads import size_words

CHUNK = 1 << 20
# What the media type is read from: enough for a PDF's or a ZIP's signature.
HEAD_BYTES = 8192


def library_storage():
    return storages["library"]


def max_bytes() -> int:
    return settings.ENVHUB_LIBRARY_MAX_FILE_BYTES


class _Counted(File):
    """The incoming stream, hashed and counted as the storage reads it; past `limit` bytes the
    read fails, and the storage's write with it."""

    def __init__(self, stream: BinaryIO, limit: int):
        super().__init__(stream)
        self.limit = limit
        self.sha256 = hashlib.sha256()
        self.count = 0
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(CHUNK if size is None or size < 0 else size)
        self.count += len(data)
        if self.count > self.limit:
            raise TooLarge(_("The file is larger than %(limit)s, the most the library takes.")
                           % {"limit": size_words(self.limit)}, {"file": ["too_large"]})
        self.sha256.update(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[:HEAD_BYTES - len(self.head)]
        return data

    def chunks(self, chunk_size=None):
        while data := self.read(chunk_size or CHUNK):
            yield data

    @property
    def size(self) -> int:  # unknown until read: the storage must not ask the stream
        return self.count

    def seek(self, *args):  # a stream is read once, from where it stands
        return self.count

    def tell(self) -> int:
        return self.count


@dataclass(frozen=True)
class Stored:
    storage_name: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for `formats.media_type`


def save_stream(stream: BinaryIO, limit: int | None = None) -> Stored:
    """Store the bytes of `stream` under a new name; refuse an empty file and one over the
    limit (nothing of it is left in the storage)."""
    storage = library_storage()
    counted = _Counted(stream, max_bytes() if limit is None else limit)
    today = datetime.date.today()
    name = f"documents/{today:%Y/%m}/{uuid.uuid4().hex}"
    try:
        stored_name = storage.save(name, counted)
    except BaseException:
        if storage.exists(name):
            storage.delete(name)
        raise
    if counted.count == 0:
        storage.delete(stored_name)
        raise InvalidInput(_("The file is empty."), {"file": ["empty"]})
    return Stored(stored_name, counted.count, counted.sha256.hexdigest(), counted.head)


def open_stored(storage_name: str) -> BinaryIO:
    """The stored bytes as a stream (the caller closes it)."""
    return library_storage().open(storage_name, "rb")


def delete_stored(storage_name: str) -> None:
    library_storage().delete(storage_name)
