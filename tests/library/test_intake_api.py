"""`POST /api/v1/documents` and `POST /api/v1/documents/{id}/files`: a keeper sends metadata
and files with a token; the files reach the service on disk (never whole in memory) and the
temporary copies are gone after the request; every refusal in the error envelope, nothing
stored."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.library import intake, storage, uploads
from envhub.library.models import Document, DocumentFile
from tests.library.sample_files import (
    docx,
    pdf,
    stored_files,
)

pytestmark = pytest.mark.django_db

METADATA = {"collection": "bao-cao", "title": "Báo cáo hiện trạng môi trường 2024",
            "identifier": "BC-2024", "issued_on": "15/03/2024", "access_level": "public",
            "subjects": ["không khí", "nước mặt"], "type": "state_of_environment"}


@pytest.fixture(autouse=True)
def upload_folder(monkeypatch, tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setattr(storage, "upload_folder", lambda: folder)
    return folder


def token_of(world, persona: str) -> dict:
    issued = accounts.create_token(system_actor(), name="thu vien", user=world.users[persona])
    return {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}


def post(url: str, fields: dict, files: list[tuple[str, bytes]], **headers):
    body = {**fields, "files": [SimpleUploadedFile(name, data) for name, data in files]}
    return Client().post(url, body, **headers)


def error_of(response) -> dict:
    body = response.json()
    assert body["ok"] is False
    return body["error"]


def test_a_librarian_adds_a_document_with_its_files(world, shelf, library_folder,
                                                    upload_folder, monkeypatch):
    seen = []
    real = intake.add_document

    def spy(actor, document, files, *args):
        seen.extend((type(item.stream), item.stream.temporary_file_path()) for item in files)
        return real(actor, document, files, *args)

    monkeypatch.setattr(intake, "add_document", spy)
    original = pdf(3)
    response = post("/api/v1/documents", METADATA,
                    [("Báo cáo 2024.pdf", original), ("phu-luc.docx", docx())],
                    **token_of(world, "librarian"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["identifier"], body["collection"], body["page_count"]) == ("BC-2024",
                                                                           "bao-cao", 3)
    assert [(f["version"], f["name"]) for f in body["files"]] == [(1, "Báo cáo 2024.pdf"),
                                                                  (2, "phu-luc.docx")]
    assert body["files"][0]["sha256"] == hashlib.sha256(original).hexdigest()
    document = Document.objects.get(identifier="BC-2024")
    assert document.subjects == ["không khí", "nước mặt"]
    assert document.issued_on.isoformat() == "2024-03-15" and document.year == 2024
    # The files came on disk, in the library's upload folder, and are gone after the request.
    assert [kind for kind, _ in seen] == [uploads.DiskUpload, uploads.DiskUpload]
    assert all(path.startswith(str(upload_folder)) for _, path in seen)
    assert list(upload_folder.iterdir()) == []
    assert len(stored_files(library_folder)) == 2


def test_a_new_version_by_api(world, shelf, library_folder):
    headers = token_of(world, "librarian")
    url = f"/api/v1/documents/{shelf.restricted.pk}/files"
    first = post(url, {}, [("v1.pdf", pdf(1))], **headers)
    second = post(url, {}, [("v2.pdf", pdf(2))], **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert [f["version"] for f in second.json()["files"]] == [1, 2]
    assert error_of(post(url, {}, [("a.pdf", pdf(1)), ("b.pdf", pdf(1))], **headers))[
        "details"] == {"files": ["one_file"]}


@pytest.mark.parametrize("persona,document,status", [
    (None, "public", 401),
    ("leader", "public", 403),  # sees it, may not change it
    ("operator", "internal", 404),  # may not even see it
    ("officer", "restricted", 403),
])
def test_only_keepers_add_versions(world, shelf, library_folder, persona, document,
                                   status):
    headers = token_of(world, persona) if persona else {}
    url = f"/api/v1/documents/{getattr(shelf, document).pk}/files"
    response = post(url, {}, [("v.pdf", pdf(1))], **headers)
    assert response.status_code == status and error_of(response)
    assert DocumentFile.objects.count() == 0 and stored_files(library_folder) == []


def test_unknown_document_is_404(world, shelf):
    response = post("/api/v1/documents/999999/files", {}, [("v.pdf", pdf(1))],
                    **token_of(world, "librarian"))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("persona,status", [(None, 401), ("leader", 403), ("operator", 403)])
def test_only_keepers_add_documents(world, shelf, library_folder, persona,
                                    status):
    headers = token_of(world, persona) if persona else {}
    response = post("/api/v1/documents", METADATA, [("a.pdf", pdf(1))], **headers)
    assert response.status_code == status and error_of(response)
    assert not Document.objects.filter(identifier="BC-2024").exists()


def test_bad_metadata_and_bad_files_are_refused_by_field(world, shelf,
                                                         library_folder):
    headers = token_of(world, "librarian")
    bad = post("/api/v1/documents", {**METADATA, "title": "", "issued_on": "31/02/2024",
                                     "mau": "x"}, [("a.pdf", pdf(1))], **headers)
    assert bad.status_code == 400
    assert set(error_of(bad)["details"]) == {"title", "issued_on", "fields"}
    locked = post("/api/v1/documents", METADATA, [("a.pdf", pdf(1)),
                                                  ("b.pdf", pdf(1, password="khoa"))],
                  **headers)
    assert locked.status_code == 400
    assert error_of(locked)["details"] == {"file": ["encrypted"]}
    assert "mật khẩu" in error_of(locked)["message"]  # Vietnamese, the default language
    none = post("/api/v1/documents", METADATA, [], **headers)
    assert none.status_code == 400
    assert not Document.objects.filter(identifier="BC-2024").exists()
    assert stored_files(library_folder) == []


def test_a_file_over_the_limit_is_refused_while_it_streams(world, shelf, settings,
                                                           library_folder,
                                                           upload_folder):
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 50_000
    response = post("/api/v1/documents", METADATA, [("lon.pdf", pdf(1) + b"\n" * 60_000)],
                    **token_of(world, "librarian"))
    assert response.status_code == 413
    assert error_of(response)["details"] == {"files": ["too_large"]}
    assert "lon.pdf" in error_of(response)["message"]
    assert stored_files(library_folder) == [] and list(upload_folder.iterdir()) == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(world, shelf, settings,
                                                            library_folder):
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 1_000
    response = post("/api/v1/documents", METADATA, [("lon.pdf", b"%" * 400_000)],
                    **token_of(world, "librarian"))
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"


class _MultipartBody(io.RawIOBase):
    """A multipart body of one `size`-byte file, made as it is read (as a socket gives it)."""

    BOUNDARY = "thuvienranhgioi"

    def __init__(self, size: int):
        self.parts = [
            f"--{self.BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"lon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n".encode(),
            size, f"\r\n--{self.BOUNDARY}--\r\n".encode()]
        self.length = len(self.parts[0]) + size + len(self.parts[2])

    def readable(self):
        return True

    def readinto(self, buffer):
        while self.parts:
            part = self.parts[0]
            if isinstance(part, int):
                count = min(part, len(buffer))
                if count:
                    buffer[:count] = b"x" * count
                    self.parts[0] = part - count
                    return count
            elif part:
                count = min(len(part), len(buffer))
                buffer[:count] = part[:count]
                self.parts[0] = part[count:]
                return count
            self.parts.pop(0)
        return 0


def test_an_upload_streams_to_disk_with_memory_flat(upload_folder):
    """Django's parser with the library's handler, fed 40 MB as a socket would: the file is
    on disk whole, and memory held a few chunks, not the file."""
    import tracemalloc
    from types import SimpleNamespace

    from django.http.multipartparser import MultiPartParser

    size = 40 << 20
    body = _MultipartBody(size)
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={body.BOUNDARY}",
            "CONTENT_LENGTH": str(body.length)}
    handler = uploads.LibraryUploadHandler(SimpleNamespace(path="/api/v1/documents"))
    tracemalloc.start()
    try:
        _, files = MultiPartParser(meta, io.BufferedReader(body, 64 << 10), [handler]).parse()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    upload = files["files"]
    assert isinstance(upload, uploads.DiskUpload) and upload.size == size
    assert os.path.getsize(upload.temporary_file_path()) == size
    assert peak < 4 << 20, peak
    upload.close()
    assert list(upload_folder.iterdir()) == []
