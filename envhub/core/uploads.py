"""Every multipart upload is read through `BoundedUploadHandler` (settings.FILE_UPLOAD_HANDLERS),
on every route: the API's file receiver, a file dataset's versions (its page, the admin).

A body larger than the route allows is refused from its `Content-Length`, before a byte of it is
read (413). Each file is kept in memory up to the largest file the route takes; past that its
bytes are only counted, so that the service can report it too large by its size while memory
holds one chunk of it. Nothing is written to a temporary file, so nothing is left behind.
"""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


def size_words(size: int) -> str:
    """A size in bytes as people read it, in the page's language ("1,5 MB")."""
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    from envhub.core.numbers import format_number

    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return f"{format_number(size / factor, get_language(), decimals=1)} {unit}"
    return _("%(size)s bytes") % {"size": format_number(size, get_language())}


class UploadTooLarge(RequestDataTooBig):
    """A multipart body over the route's limit (a SuspiciousOperation, as Django's own)."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"multipart body of {size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit


# Routes that take one dataset-sized file: a survey unit's table (its page, and the API).
DATASET_FILE_PATHS = ("/surveys/", "/api/v1/submissions")

# Routes with limits of their own, registered by the app that owns them when Django starts
# (the library's, whose files go to disk): (does this path belong to it?, its limits).
ROUTE_LIMITS: list[tuple[Callable[[str], bool], Callable[[], tuple[int, int]]]] = []


def register_route_limits(matches: Callable[[str], bool],
                          limits: Callable[[], tuple[int, int]]) -> None:
    if (matches, limits) not in ROUTE_LIMITS:
        ROUTE_LIMITS.append((matches, limits))


def upload_limits(request) -> tuple[int, int]:
    """(largest file kept, largest body) of a multipart request. The API receives monitoring
    files, except a survey unit's table; elsewhere (a dataset's page, a survey upload, the
    admin) a steward or a unit uploads its file with a form."""
    path = request.path if request is not None else ""
    for matches, limits in ROUTE_LIMITS:
        if matches(path):
            return limits()
    if path.startswith("/api/") and not path.startswith(DATASET_FILE_PATHS):
        return settings.ENVHUB_MAX_FILE_BYTES, settings.ENVHUB_MAX_UPLOAD_BYTES
    largest = settings.ENVHUB_MAX_DATASET_FILE_BYTES
    return largest, largest + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BoundedUploadHandler(FileUploadHandler):
    largest_file = 0
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.largest_file, largest_body = upload_limits(self.request)
        if content_length > largest_body:
            raise UploadTooLarge(content_length, largest_body)
        return None  # let Django's parser read the parts

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.content = BytesIO()
        self.kept = True
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self.kept and start + len(raw_data) <= self.largest_file:
            self.content.write(raw_data)
        elif self.kept:
            self.content = BytesIO()  # over the limit: only its size is reported
            self.kept = False
        return None

    def file_complete(self, file_size):
        self.content.seek(0)
        return InMemoryUploadedFile(
            file=self.content, field_name=self.field_name, name=self.file_name,
            content_type=self.content_type, size=file_size, charset=self.charset,
            content_type_extra=self.content_type_extra)
