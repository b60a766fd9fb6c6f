"""The library's bytes, through Django's storage API (the `library` storage: a folder under
ENVHUB_VAR_DIR by default, an S3-compatible object store in production).

A file is streamed in: read a chunk at a time, hashed and counted on the way, and refused as
soon as it passes the size limit — never held whole in memory, never stored past the limit.
It is stored under a name of its own (not the uploader's) and read back as a stream."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
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
            raise _too_large(self.limit)
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

    def seekable(self) -> bool:
        # Else boto3 would seek to the end to learn the size, and upload nothing.
        return False

    def tell(self) -> int:
        return self.count


@dataclass(frozen=True)
class Stored:
    storage_name: str
    size: int
    sha256: str
    head: bytes  # the first bytes, for `formats.media_type`


def _too_large(limit: int) -> TooLarge:
    return TooLarge(_("The file is larger than %(limit)s, the most the library takes.")
                    % {"limit": size_words(limit)}, {"file": ["too_large"]})


def upload_folder() -> Path:
    """Where uploads and unseekable streams wait on disk while they are checked: under
    ENVHUB_VAR_DIR, not the system's /tmp (often memory)."""
    folder = Path(settings.CONFIG.var_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _seekable(stream) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def local_copy(stream: BinaryIO, limit: int | None = None) -> Iterator[BinaryIO]:
    """`stream` as a local file the checks can seek in, positioned at its start: the stream
    itself when it can seek (an upload on disk, a file of the import), else a copy written
    to disk a chunk at a time. Refused as empty or over the limit before anything is stored."""
    limit = max_bytes() if limit is None else limit
    if _seekable(stream):
        start = stream.tell()
        size = stream.seek(0, io.SEEK_END) - start
        stream.seek(start)
        if size > limit:
            raise _too_large(limit)
        if size == 0:
            raise InvalidInput(_("The file is empty."), {"file": ["empty"]})
        yield stream
        return
    with tempfile.TemporaryFile(dir=upload_folder()) as copy:
        size = 0
        while data := stream.read(CHUNK):
            size += len(data)
            if size > limit:
                raise _too_large(limit)
            copy.write(data)
        if size == 0:
            raise InvalidInput(_("The file is empty."), {"file": ["empty"]})
        copy.seek(0)
        yield copy


def save_stream(stream: BinaryIO, limit: int | None = None, folder: str = "documents") -> Stored:
    """Store the bytes of `stream` under a new name in `folder` (the news keeps its images
    and files beside the documents); refuse an empty file and one over the limit (nothing of
    it is left in the storage)."""
    storage = library_storage()
    counted = _Counted(stream, max_bytes() if limit is None else limit)
    today = datetime.date.today()
    name = f"{folder}/{today:%Y/%m}/{uuid.uuid4().hex}"
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


def chunks(storage_name: str, size: int = CHUNK, start: int = 0,
           length: int | None = None) -> Iterator[bytes]:
    """The stored bytes, a chunk at a time: all of them, or `length` bytes from `start`. The
    file is opened now (a missing one raises here, before a response starts), read as the
    iterator is."""
    store = library_storage()
    if hasattr(store, "open_chunks"):  # an object store: its GET's body, not a local copy
        return store.open_chunks(storage_name, size, start, length)
    handle = store.open(storage_name, "rb")
    if start:
        handle.seek(start)

    def read() -> Iterator[bytes]:
        left = length
        with handle:
            while left is None or left > 0:
                data = handle.read(size if left is None else min(size, left))
                if not data:
                    break
                if left is not None:
                    left -= len(data)
                yield data
    return read()


def etag(file) -> str:
    """A file's strong ETag: its SHA-256 (the bytes of a stored file never change)."""
    return f'"{file.sha256}"'


def stream(file, as_attachment: bool = True, byte_range=None,
           send_body: bool = True) -> StreamingHttpResponse:
    """A response streaming `file` (a DocumentFile) to the client, a chunk at a time, named as
    it was sent (Vietnamese names kept, RFC 6266): whole (200), or the one `byte_range`
    (`ranges.ByteRange`: 206 with its Content-Range); `send_body` False for a HEAD, which
    reads nothing from the store. The caller has checked the reader's access; a file missing
    from the storage raises FileNotFoundError (or the store's error) here."""
    if not send_body:
        body: Iterator[bytes] = iter(())
    elif byte_range is not None:
        body = chunks(file.storage_name, start=byte_range.start, length=byte_range.length)
    else:
        body = chunks(file.storage_name)
    response = StreamingHttpResponse(body, content_type=file.media_type,
                                     status=200 if byte_range is None else 206)
    response["Content-Length"] = str(file.size if byte_range is None else byte_range.length)
    if byte_range is not None:
        response["Content-Range"] = byte_range.content_range()
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(as_attachment, file.name)
    response["ETag"] = etag(file)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def open_stored(storage_name: str) -> BinaryIO:
    """The stored bytes as a stream (the caller closes it)."""
    return library_storage().open(storage_name, "rb")


def delete_stored(storage_name: str) -> None:
    library_storage().delete(storage_name)
