"""OAI-PMH deleted records: a public document deleted, made internal or restricted, or given a
new identifier is told as `<header status="deleted">` in ListIdentifiers, ListRecords and
GetRecord, at the instant it left, within `from`/`until` and its set, for good (`deletedRecord`
persistent) — until its identifier is public again. A document that was never public leaves
no trace, not even in a count. Answers valid against the OAI-PMH 2.0 schema; a real harvester
(`oaipmh`) reads the tombstones."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader

from envhub.library import oai_views
from envhub.library.models import AccessLevel, Collection, DeletedRecord, Document
from tests.library import test_oai
from tests.library.oai_schemas import NS, valid
from tests.library.test_oai import PREFIX, _get

library = test_oai.library  # five public documents changed on 1–5 March 2026 (the fixture)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LEFT = datetime.datetime(2026, 3, 10, 9, 30, 0, 500000, tzinfo=UTC)


def _left_at(identifier: str, moment: datetime.datetime) -> None:
    assert DeletedRecord.objects.filter(identifier=identifier).update(deleted_at=moment) == 1


def _headers(client, **query) -> list[tuple[str, str, str | None, list[str]]]:
    """Every header of a whole ListIdentifiers, following the tokens: (identifier, datestamp,
    status, sets)."""
    found, query = [], {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", **query}
    while True:
        root = _get(client, **query)
        for header in root.findall("oai:ListIdentifiers/oai:header", NS):
            found.append((header.findtext("oai:identifier", namespaces=NS),
                          header.findtext("oai:datestamp", namespaces=NS), header.get("status"),
                          [s.text for s in header.findall("oai:setSpec", NS)]))
        token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS)
        if token is None or not token.text:
            return found
        query = {"verb": "ListIdentifiers", "resumptionToken": token.text}


def test_it_declares_deleted_records_persistent(world, library):
    root = _get(world.client("anonymous"), verb="Identify")
    assert root.findtext("oai:Identify/oai:deletedRecord", namespaces=NS) == "persistent"


@pytest.mark.parametrize("persona", ["anonymous", "admin", "librarian"])
def test_a_deleted_public_document_is_told_deleted_everywhere(world, library, persona):
    client = world.client(persona)
    library["publics"][1].delete()  # CK-2, in the collection bao-cao
    _left_at("CK-2", LEFT)
    headers = _headers(client)
    assert headers[-1] == (PREFIX + "CK-2", "2026-03-10T09:30:00Z", "deleted", ["bao-cao"])
    assert [status for _i, _d, status, _s in headers[:-1]] == [None] * 4

    root = _get(client, verb="ListRecords", metadataPrefix="oai_dc", set="bao-cao")
    records = root.findall("oai:ListRecords/oai:record", NS)
    last = records[-1]
    assert last.find("oai:header", NS).get("status") == "deleted"
    assert last.find("oai:metadata", NS) is None
    assert all(record.find("oai:metadata", NS) is not None for record in records[:-1])

    root = _get(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=PREFIX + "CK-2")
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findtext("oai:datestamp", namespaces=NS) == "2026-03-10T09:30:00Z"
    assert root.find("oai:GetRecord/oai:record/oai:metadata", NS) is None
    root = _get(client, verb="ListMetadataFormats", identifier=PREFIX + "CK-2")
    assert root.find("oai:ListMetadataFormats", NS) is not None


def test_a_document_made_internal_is_deleted_until_it_is_public_again(world, library):
    client = world.client("anonymous")
    document = library["publics"][2]  # CK-3, in ban-do
    for level in (AccessLevel.INTERNAL, AccessLevel.RESTRICTED):
        document.access_level = level
        document.save()
        assert (PREFIX + "CK-3", "deleted") in {(h[0], h[2]) for h in _headers(client)}
    assert DeletedRecord.objects.count() == 1
    document.access_level = AccessLevel.PUBLIC
    document.save()
    assert not DeletedRecord.objects.exists()
    headers = {h[0]: h[2] for h in _headers(client)}
    assert headers[PREFIX + "CK-3"] is None and len(headers) == 5


def test_a_new_identifier_tells_the_old_one_deleted(world, library):
    document = library["publics"][3]
    document.identifier = "CK-4-MOI"
    document.save()
    headers = {h[0]: h[2] for h in _headers(world.client("anonymous"))}
    assert headers[PREFIX + "CK-4"] == "deleted"
    assert headers[PREFIX + "CK-4-MOI"] is None


def test_what_was_never_public_leaves_no_trace(world, library):
    client = world.client("anonymous")
    before = _headers(client)
    shelf = library["shelf"]
    shelf.restricted.access_level = AccessLevel.INTERNAL
    shelf.restricted.save()
    shelf.internal.delete()
    shelf.restricted.delete()
    assert not DeletedRecord.objects.exists()
    assert _headers(client) == before
    root = _get(client, verb="GetRecord", metadataPrefix="oai_dc", identifier=PREFIX + "TL-2")
    assert root.find("oai:error", NS).get("code") == "idDoesNotExist"


def test_a_rolled_back_deletion_leaves_no_tombstone(library):
    with pytest.raises(RuntimeError), transaction.atomic():
        library["publics"][0].delete()
        raise RuntimeError
    assert not DeletedRecord.objects.exists()


def test_from_and_until_select_deleted_records_by_when_they_left(world, library):
    client = world.client("anonymous")
    library["publics"][4].delete()  # CK-5, in ban-do
    _left_at("CK-5", LEFT)
    assert [h[0] for h in _headers(client, **{"from": "2026-03-06"})] == [PREFIX + "CK-5"]
    assert [h[0] for h in _headers(client, **{"from": "2026-03-10T09:30:00Z",
                                              "until": "2026-03-10T09:30:00Z"})] == [
        PREFIX + "CK-5"]
    assert PREFIX + "CK-5" not in {h[0] for h in _headers(client, until="2026-03-09")}
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc",
                **{"from": "2026-03-10T09:30:01Z"})
    assert root.find("oai:error", NS).get("code") == "noRecordsMatch"
    assert [h[0] for h in _headers(client, set="bao-cao", **{"from": "2026-03-06"})] == []
    root = _get(client, verb="Identify")  # the earliest of records and tombstones
    assert root.findtext("oai:Identify/oai:earliestDatestamp", namespaces=NS) == (
        "2026-03-01T08:00:00Z")


@pytest.mark.parametrize("page", [1, 2, 3])
def test_tokens_page_through_records_and_tombstones_at_the_same_instant(
        world, library, monkeypatch, page):
    """Three tombstones at the instant of a record: each item given once, in order."""
    client = world.client("anonymous")
    same = datetime.datetime(2026, 3, 3, 8, 0, 0, 250000, tzinfo=UTC)  # CK-3's instant
    for number, document in ((2, library["publics"][1]), (4, library["publics"][3]),
                             (5, library["publics"][4])):
        document.delete()
        _left_at(f"CK-{number}", same)
    monkeypatch.setattr(oai_views, "PAGE_SIZE", page)
    headers = _headers(client)
    assert [(h[0].removeprefix(PREFIX), h[2]) for h in headers] == [
        ("TL-1", None), ("CK-3", None), ("CK-2", "deleted"), ("CK-4", "deleted"),
        ("CK-5", "deleted")]
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS)
    assert token.get("completeListSize") == "5"


@pytest.mark.django_db(transaction=True)
def test_a_harvester_reads_the_deleted_records(shelf, live_server, monkeypatch):
    maps = Collection.objects.create(code="ban-do", title="Bản đồ")
    for number in range(2, 6):
        Document.objects.create(collection=maps, identifier=f"BD-{number}",
                                title=f"Bản đồ số {number}", access_level=AccessLevel.PUBLIC)
    Document.objects.get(identifier="BD-3").delete()
    made_internal = Document.objects.get(identifier="BD-5")
    made_internal.access_level = AccessLevel.INTERNAL
    made_internal.save()
    shelf.internal.delete()
    monkeypatch.setattr(oai_views, "PAGE_SIZE", 2)

    class CheckedClient(Client):
        def makeRequest(self, **kw):
            xml = super().makeRequest(**kw)
            valid(xml)
            return xml

    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    client = CheckedClient(f"{live_server.url}/oai", registry)
    assert client.identify().deletedRecord() == "persistent"
    records = {header.identifier().removeprefix(PREFIX): (header.isDeleted(), metadata)
               for header, metadata, _about in client.listRecords(metadataPrefix="oai_dc")}
    assert set(records) == {"TL-1", "BD-2", "BD-3", "BD-4", "BD-5"}
    assert {key for key, (deleted, _m) in records.items() if deleted} == {"BD-3", "BD-5"}
    assert records["BD-3"][1] is None and records["BD-4"][1]["title"] == ["Bản đồ số 4"]
    headers = list(client.listIdentifiers(metadataPrefix="oai_dc", set="ban-do"))
    assert sorted((h.identifier().removeprefix(PREFIX), h.isDeleted()) for h in headers) == [
        ("BD-2", False), ("BD-3", True), ("BD-4", False), ("BD-5", True)]
    header, metadata, _about = client.getRecord(identifier=PREFIX + "BD-3",
                                                metadataPrefix="oai_dc")
    assert header.isDeleted() and metadata is None
