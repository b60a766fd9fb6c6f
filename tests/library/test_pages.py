"""The library's pages for every role: the collections (counts of what the reader may see), a
document's page (404 out of scope), its preview, the upload and edit pages (keepers only: a
visitor is sent to sign in, a reader gets 403, out of scope 404), and the reading log: exactly
one event for each view of a restricted document, none for the others."""

from __future__ import annotations

import pytest

from envhub.core import audit
from envhub.library import preview
from envhub.library.models import Collection, Document, Dossier
from tests.library.sample_files import add_versions

pytestmark = pytest.mark.django_db

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
KEEPERS = {"steward", "librarian", "admin"}
ROLES = list(READS)


def _views():
    return audit.events().filter(action="library.document.view")


@pytest.mark.parametrize("persona", ROLES)
def test_the_shelves_count_only_what_the_reader_may_see(world, shelf, persona):
    dossier = Dossier.objects.create(collection=shelf.collection, code="HS-01",
                                     title="Hồ sơ quan trắc")
    Document.objects.filter(pk=shelf.restricted.pk).update(dossier=dossier)
    Collection.objects.create(code="trong", title="Phông trống")
    client = world.client(persona)
    page = client.get("/library/collections/")
    assert page.status_code == 200
    text = page.content.decode()
    count = len(READS[persona])
    assert f"{count} tài liệu" in text and "Phông trống" in text
    page = client.get("/library/collections/bao-cao/")
    assert page.status_code == 200
    shown = {document.identifier for document in page.context["page"].object_list}
    assert shown == READS[persona]
    assert page.context["total"] == count
    counts = {d.code: d.document_count for d in page.context["dossiers"]}
    assert counts == {"HS-01": 1 if "TL-3" in READS[persona] else 0}
    in_dossier = client.get("/library/collections/bao-cao/?dossier=HS-01")
    assert {d.identifier for d in in_dossier.context["page"].object_list} == (
        READS[persona] & {"TL-3"})
    assert client.get("/library/collections/nothing/").status_code == 404


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_reads_the_documents_in_its_scope_and_no_other(world, shelf, persona):
    client = world.client(persona)
    for document in (shelf.public, shelf.internal, shelf.restricted):
        response = client.get(f"/library/documents/{document.identifier}/")
        if document.identifier in READS[persona]:
            assert response.status_code == 200, (persona, document.identifier)
            assert document.title in response.content.decode()
            edit_link = f"/library/documents/{document.identifier}/edit/"
            assert (edit_link in response.content.decode()) == (persona in KEEPERS)
        else:
            assert response.status_code == 404, (persona, document.identifier)
            assert document.title not in response.content.decode()


@pytest.mark.parametrize("persona", ROLES)
def test_every_view_of_a_restricted_document_is_recorded_once(world, shelf, persona):
    client = world.client(persona)
    before = _views().count()
    for _round in range(2):
        for document in (shelf.public, shelf.internal, shelf.restricted):
            client.get(f"/library/documents/{document.identifier}/")
    events = list(_views().order_by("id")[before:])
    if "TL-3" in READS[persona]:
        assert [(e.object_id, e.changes) for e in events] == [
            (str(shelf.restricted.pk), {"part": "page"})] * 2
        assert all(e.user == world.users[persona] for e in events)
        assert all(e.ip_address == "127.0.0.1" for e in events)
    else:
        assert events == []


def test_the_page_shows_the_metadata_in_vietnamese_and_the_versions(world, shelf,
                                                                   library_folder):
    document = shelf.restricted
    Document.objects.filter(pk=document.pk).update(
        number="45", symbol="2022/NĐ-CP", issuing_body="Chính phủ", retention_permanent=True,
        page_count=12, physical_location="Kho lưu trữ, giá 3")
    files = add_versions(world.actor("librarian"), document)
    page = world.client("officer").get("/library/documents/TL-3/")
    text = page.content.decode()
    for words in ("Số và ký hiệu", "45/2022/NĐ-CP", "Cơ quan ban hành", "Chính phủ",
                  "Vĩnh viễn", "Kho lưu trữ, giá 3", "Sở Nông nghiệp và Môi trường Hà Nội",
                  "bản gốc.pdf", "bản sửa.pdf", files[0].sha256):
        assert words in text, words
    assert [v["number"] for v in page.context["versions"]] == [2, 1]
    assert f"/library/files/{files[0].pk}/download/" in text


@pytest.mark.skipif(not preview.available(), reason="poppler-utils (pdftoppm) not installed")
@pytest.mark.parametrize("persona", ROLES)
def test_the_preview_is_drawn_once_and_served_to_readers_only(world, shelf, persona,
                                                              library_folder,
                                                              monkeypatch):
    drawn = []
    draw = preview.render_first_page
    monkeypatch.setattr(preview, "render_first_page",
                        lambda file: drawn.append(file.pk) or draw(file))
    keeper = world.actor("librarian")
    for document in (shelf.public, shelf.internal, shelf.restricted):
        add_versions(keeper, document)
    client = world.client(persona)
    before = _views().count()
    for document in (shelf.public, shelf.internal, shelf.restricted) * 2:
        response = client.get(f"/library/documents/{document.identifier}/preview.png")
        if document.identifier in READS[persona]:
            assert response.status_code == 200
            picture = b"".join(response.streaming_content)
            assert picture.startswith(b"\x89PNG\r\n\x1a\n")
            assert response["Content-Type"] == "image/png"
        else:
            assert response.status_code == 404
    assert len(drawn) == len(set(drawn)) == len(READS[persona])
    previews = list((library_folder / "previews").glob("*.png"))
    assert len(previews) == len(READS[persona])  # one per document, kept for the next reader
    events = list(_views().order_by("id")[before:])
    assert [e.changes for e in events] == (
        [{"part": "preview"}] * 2 if "TL-3" in READS[persona] else [])


def test_a_document_without_a_pdf_has_no_preview(world, shelf, library_folder):
    page = world.client("anonymous").get("/library/documents/TL-1/")
    assert "Chưa có hình xem trước" in page.content.decode()
    assert world.client("anonymous").get(
        "/library/documents/TL-1/preview.png").status_code == 404


@pytest.mark.parametrize("persona", ROLES)
def test_only_keepers_reach_the_upload_and_edit_pages(world, shelf, persona):
    client = world.client(persona)
    upload = client.get("/library/upload/")
    posted = client.post("/library/upload/", {"title": "X"})
    if persona == "anonymous":
        assert upload.status_code == 302 and upload["Location"].startswith("/login/")
        assert posted.status_code in (401, 403)
    elif persona in KEEPERS:
        assert upload.status_code == 200
    else:
        assert upload.status_code == 403 and posted.status_code == 403
    for document in (shelf.public, shelf.internal, shelf.restricted):
        edit = client.get(f"/library/documents/{document.identifier}/edit/")
        save = client.post(f"/library/documents/{document.identifier}/edit/",
                           {"title": "Đổi tên", "collection": "bao-cao"})
        version = client.post(f"/library/documents/{document.identifier}/versions/")
        statuses = (edit.status_code, save.status_code, version.status_code)
        if persona in KEEPERS:
            # A restricted document must keep naming its readers (none were posted).
            assert edit.status_code == 200 and save.status_code == (
                400 if document == shelf.restricted else 302)
            assert version.status_code == 302  # back to the page: no file was chosen
        elif document.identifier not in READS[persona]:
            assert statuses == (404, 404, 404), (persona, document.identifier)
        elif persona == "anonymous":  # a visitor is asked to sign in
            assert statuses == (302, 401, 401)
            assert edit["Location"].startswith("/login/?next=")
        else:
            assert statuses == (403, 403, 403), (persona, document.identifier)
    assert Document.objects.filter(title="Đổi tên").count() == (2 if persona in KEEPERS else 0)
    assert Document.objects.get(pk=shelf.restricted.pk).access_level == "restricted"
