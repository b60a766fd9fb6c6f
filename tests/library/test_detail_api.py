"""`GET /api/v1/documents/{id}` and the per-document Dublin Core: what each persona gets."""

from __future__ import annotations

import io

import pytest

from envhub.accounts.models import AuditEvent
from envhub.library import intake
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db

PDF = one_page_pdf("Tai lieu")


def _error(response) -> str:
    return response.json()["error"]["code"]


def test_it_shows_a_public_document_to_anonymous_visitors(world, shelf):
    shelf.public.creator = "Cục Kiểm soát ô nhiễm môi trường"
    shelf.public.subjects = ["không khí", "Hà Nội"]
    shelf.public.save()
    shelf.public.provinces.set([world.hanoi])
    response = world.client("anonymous").get("/api/v1/documents/TL-1")
    assert response.status_code == 200
    body = response.json()
    assert body["identifier"] == "TL-1"
    assert body["title"] == "Tài liệu public"
    assert body["subjects"] == ["không khí", "Hà Nội"]
    assert body["collection"] == {"code": "bao-cao", "title": "Báo cáo hiện trạng môi trường"}
    assert body["provinces"] == [{"code": world.hanoi.code, "name": world.hanoi.name}]
    assert body["links"]["dublin_core_xml"] == f"/api/v1/documents/{shelf.public.id}/dc.xml"
    # By number as well as by identifier.
    assert world.client("anonymous").get(
        f"/api/v1/documents/{shelf.public.id}").json()["identifier"] == "TL-1"


@pytest.mark.parametrize("persona, internal, restricted", [
    ("anonymous", 404, 404),
    ("operator", 404, 404),
    ("officer", 200, 200),  # Hà Nội's department is named on TL-3
    ("leader", 200, 404),
    ("survey", 200, 404),
    ("librarian", 200, 200),
    ("steward", 200, 200),
    ("admin", 200, 200),
])
def test_it_answers_each_persona_by_the_access_rule(world, shelf, persona, internal,
                                                    restricted):
    client = world.client(persona)
    for identifier, status in (("TL-1", 200), ("TL-2", internal), ("TL-3", restricted)):
        for suffix in ("", "/dc.json", "/dc.xml"):
            response = client.get(f"/api/v1/documents/{identifier}{suffix}")
            assert response.status_code == status, (identifier, suffix)
            if status == 404:
                assert _error(response) == "not_found"


def test_it_lists_the_files_of_every_version(world, shelf):
    actor = world.actor("librarian")
    intake.add_version(actor, shelf.public, intake.Incoming("bao-cao.pdf", io.BytesIO(PDF)))
    intake.add_version(actor, shelf.public, intake.Incoming("bao-cao.pdf", io.BytesIO(PDF + b" ")))
    body = world.client("anonymous").get("/api/v1/documents/TL-1").json()
    assert body["version"] == 2
    assert [(f["version"], f["role"], f["media_type"]) for f in body["files"]] == [
        (2, "original", "application/pdf"), (1, "original", "application/pdf")]
    assert body["files"][0]["size"] == len(PDF) + 1
    assert body["files"][0]["download_url"] == f"/library/files/{body['files'][0]['id']}/download/"


def test_it_audits_who_reads_a_restricted_document(world, shelf):
    before = AuditEvent.objects.filter(action="library.document.view").count()
    assert world.client("officer").get("/api/v1/documents/TL-3").status_code == 200
    assert world.client("officer").get("/api/v1/documents/TL-1").status_code == 200
    events = AuditEvent.objects.filter(action="library.document.view")
    assert events.count() == before + 1
    assert events.latest("id").object_id == str(shelf.restricted.id)


def test_it_gives_dublin_core_as_json(world, shelf):
    shelf.public.issuing_body = "Bộ Tài nguyên và Môi trường"
    shelf.public.number, shelf.public.symbol = "45", "2022/NĐ-CP"
    shelf.public.save()
    body = world.client("anonymous").get("/api/v1/documents/TL-1/dc.json").json()
    assert body["identifier"] == "TL-1"
    elements = body["elements"]
    assert elements["title"] == ["Tài liệu public"]
    assert elements["creator"] == ["Bộ Tài nguyên và Môi trường"]
    assert elements["identifier"] == ["TL-1", "45/2022/NĐ-CP",
                                      "http://testserver/library/documents/TL-1/"]
    assert elements["type"] == ["Text", "Tài liệu khác"]
    assert set(elements) == {"title", "creator", "subject", "description", "publisher",
                             "contributor", "date", "type", "format", "identifier", "source",
                             "language", "relation", "coverage", "rights"}


def test_it_refuses_an_unknown_or_overlong_identifier(world, shelf):
    client = world.client("admin")
    assert _error(client.get("/api/v1/documents/TL-404")) == "not_found"
    assert _error(client.get("/api/v1/documents/" + "x" * 5000)) == "not_found"
    assert _error(client.get("/api/v1/documents/99999999999999999999999")) == "not_found"
