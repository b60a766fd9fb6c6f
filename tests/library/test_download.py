"""Downloads of a library file: streamed, for every role exactly the files of the documents it
may read (old versions too), out of scope a 404, a Vietnamese name kept in the header, and every
download of a non-public document's file in the audit log — none for public ones."""

from __future__ import annotations

import urllib.parse

import pytest

from envhub.core import audit
from envhub.core.text import attachment_disposition as disposition
from envhub.library.models import AccessLevel
from tests.library.sample_files import add_versions, one_page_pdf

pytestmark = pytest.mark.django_db

# Who reads which document of the shelf: TL-1 public, TL-2 internal, TL-3 restricted to the
# Hà Nội department (the officer's).
READS = {
    "anonymous": {"TL-1"},
    "operator": {"TL-1"},
    "survey": {"TL-1", "TL-2"},
    "leader": {"TL-1", "TL-2"},
    "officer": {"TL-1", "TL-2", "TL-3"},
    "steward": {"TL-1", "TL-2", "TL-3"},
    "librarian": {"TL-1", "TL-2", "TL-3"},
    "admin": {"TL-1", "TL-2", "TL-3"},
}


@pytest.fixture
def stocked(world, shelf, library_folder):
    keeper = world.actor("librarian")
    return {document.identifier: add_versions(keeper, document)
            for document in (shelf.public, shelf.internal, shelf.restricted)}


def _downloads():
    return list(audit.events().filter(action="library.file.download").order_by("id"))


@pytest.mark.parametrize("persona", list(READS))
def test_it_sends_each_role_the_files_it_may_read_and_no_other(world, stocked, persona):
    client = world.client(persona)
    for identifier, files in stocked.items():
        for file in files:  # version 1 (old) and version 2 (newest)
            response = client.get(f"/library/files/{file.pk}/download/")
            if identifier in READS[persona]:
                assert response.status_code == 200, (persona, identifier, file.version)
                assert response.streaming
                assert b"".join(response.streaming_content) == one_page_pdf(
                    f"{identifier} phien ban {file.version}")
                assert response["Content-Type"] == "application/pdf"
                assert response["Content-Length"] == str(file.size)
            else:
                assert response.status_code == 404, (persona, identifier, file.version)


@pytest.mark.parametrize("persona", list(READS))
def test_it_records_exactly_the_downloads_of_non_public_files(world, stocked, persona):
    client = world.client(persona)
    before = audit.events().filter(action="library.file.download").count()
    expected = []
    for identifier, files in stocked.items():
        for file in files:
            client.get(f"/library/files/{file.pk}/download/")
            if identifier in READS[persona] and identifier != "TL-1":
                expected.append((identifier, file.version, file.pk))
    events = _downloads()[before:]
    identifiers = {str(files[0].document_id): identifier for identifier, files in stocked.items()}
    assert [(identifiers[e.object_id], e.changes["version"], e.changes["file"])
            for e in events] == expected
    for event in events:
        assert event.user == world.users[persona]
        assert event.object_type == "library.document"
        assert event.changes["access_level"] in (AccessLevel.INTERNAL, AccessLevel.RESTRICTED)


def test_it_names_the_file_in_vietnamese_and_in_ascii(world, stocked):
    file = stocked["TL-1"][0]
    response = world.client("anonymous").get(f"/library/files/{file.pk}/download/")
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="ban-goc.pdf"; ')
    assert urllib.parse.unquote(header.split("filename*=UTF-8''")[1]) == "bản gốc.pdf"
    assert "no-store" not in response.get("Cache-Control", "")
    internal = world.client("leader").get(f"/library/files/{stocked['TL-2'][0].pk}/download/")
    assert "private" in internal["Cache-Control"]


@pytest.mark.parametrize("name,plain", [
    ("Báo cáo hiện trạng 2024.pdf", "bao-cao-hien-trang-2024.pdf"),
    ("Đề án \"đặc biệt\"; v2.docx", "de-an-dac-biet-v2.docx"),
    ("tài liệu", "tai-lieu"),
    ("Ảnh.ㅎㅎ", "anh"),
    ("…pdf.pdf", "pdf.pdf"),
    ("Đ.pdf", "d.pdf"),
    ("中文.pdf", "tai-lieu.pdf"),
])
def test_it_makes_a_header_no_client_can_misread(name, plain):
    header = disposition(name)
    assert header.startswith(f'attachment; filename="{plain}"; filename*=UTF-8\'\'')
    assert urllib.parse.unquote(header.split("''", 1)[1]) == name
    assert header.isascii() and "\n" not in header and "\r" not in header


def test_an_unknown_file_is_a_404_and_a_head_is_no_download(world, stocked):
    client = world.client("admin")
    assert client.get("/library/files/999999/download/").status_code == 404
    file = stocked["TL-3"][1]
    head = client.head(f"/library/files/{file.pk}/download/")
    assert head.status_code == 200 and head["Content-Length"] == str(file.size)
    assert client.post(f"/library/files/{file.pk}/download/").status_code == 405
    assert _downloads() == []
