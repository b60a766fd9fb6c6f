"""Library uploads go to disk a chunk at a time: a document may be gigabytes, so the files of a
multipart request to a library route (`/library/…` pages, `/api/v1/documents…`) are written to
temporary files under ENVHUB_VAR_DIR/uploads, never held in memory.

`LibraryUploadHandler` stands first in FILE_UPLOAD_HANDLERS and takes the files of library
routes only (the others go on to `core.uploads.BoundedUploadHandler`). A body larger than
`MAX_FILES` files of the limit is refused from its Content-Length; a file that passes
ENVHUB_LIBRARY_MAX_FILE_BYTES while it streams stops being written (what was written is
deleted at once) and only its size is counted, so that the view refuses it by name and size.
The temporary files are deleted when the request ends (Django closes its uploads)."""

from __future__ import annotations

import io
import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers

from envhub.core.uploads import UploadTooLarge

PATHS = ("/library/", "/api/v1/documents")
# The most files one upload (a document with its originals) carries.
MAX_FILES = 20


def body_limit() -> int:
    return settings.ENVHUB_LIBRARY_MAX_FILE_BYTES * MAX_FILES + \
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def is_library_path(path: str) -> bool:
    return path.startswith(PATHS)


class DiskUpload(UploadedFile):
    """A file of a library upload, on disk (`over_limit`: only counted, nothing kept)."""

    over_limit = False

    def temporary_file_path(self) -> str:
        return self.file.name


class LibraryUploadHandler(FileUploadHandler):
    active = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.active = self.request is not None and is_library_path(self.request.path)
        if self.active and content_length > body_limit():
            raise UploadTooLarge(content_length, body_limit())
        return None  # Django's parser reads the parts

    def new_file(self, *args, **kwargs):
        if not self.active:
            return  # the next handler takes it
        super().new_file(*args, **kwargs)
        from envhub.library.storage import upload_folder

        self.limit = settings.ENVHUB_LIBRARY_MAX_FILE_BYTES
        self.over = False
        self.file = tempfile.NamedTemporaryFile(dir=upload_folder(), suffix=".upload")
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if not self.active:
            return raw_data
        if not self.over and start + len(raw_data) > self.limit:
            self.over = True
            self.file.close()  # deletes what was written
        if not self.over:
            self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.active:
            return None
        if self.over:
            upload = DiskUpload(io.BytesIO(), self.file_name, self.content_type, file_size,
                                self.charset, self.content_type_extra)
            upload.over_limit = True
            return upload
        self.file.flush()
        self.file.seek(0)
        return DiskUpload(self.file, self.file_name, self.content_type, file_size,
                          self.charset, self.content_type_extra)

    def upload_interrupted(self):
        if self.active and getattr(self, "file", None) is not None:
            self.file.close()
