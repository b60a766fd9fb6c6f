"""The OAI-PMH endpoint `/oai`: every verb, selective harvests, resumption tokens and the
protocol's errors, each answer valid against the OAI-PMH 2.0 and oai_dc schemas — and only
public documents, to everyone, never counted otherwise."""

from __future__ import annotations

import datetime

import pytest

from envhub.library import oai_views
from envhub.library.models import AccessLevel, Collection, Document
from tests.library.oai_schemas import NS, valid

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PREFIX = f"oai:{oai_views.REPOSITORY_IDENTIFIER}:"


def _at(document: Document, moment: datetime.datetime) -> None:
    Document.objects.filter(pk=document.pk).update(updated_at=moment)


@pytest.fixture
def library(shelf):
    """Five public documents in two collections, changed on 1–5 March 2026 at 08:00 UTC; the
    internal and restricted ones changed earlier and later than all of them."""
    maps = Collection.objects.create(code="ban-do", title="Bản đồ & sơ đồ")
    publics = [shelf.public]
    for number in range(2, 6):
        publics.append(Document.objects.create(
            collection=maps if number % 2 else shelf.collection, identifier=f"CK-{number}",
            title=f"Báo cáo số {number}", access_level=AccessLevel.PUBLIC))
    for day, document in enumerate(publics, start=1):
        _at(document, datetime.datetime(2026, 3, day, 8, 0, 0, 250000, tzinfo=UTC))
    _at(shelf.internal, datetime.datetime(2026, 2, 1, tzinfo=UTC))
    _at(shelf.restricted, datetime.datetime(2026, 4, 1, tzinfo=UTC))
    return {"shelf": shelf, "publics": publics, "maps": maps}


def _get(client, **query):
    response = client.get("/oai", query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return valid(response.content)


def _error(root) -> str:
    errors = root.findall("oai:error", NS)
    assert len(errors) == 1
    return errors[0].get("code")


def test_it_identifies_the_repository(world, library):
    root = _get(world.client("anonymous"), verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    # The earliest public change: the internal document's older date is not told.
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2026-03-01T08:00:00Z"
    assert root.find("oai:request", NS).get("verb") == "Identify"


def test_it_lists_oai_dc_as_its_metadata_format(world, library):
    root = _get(world.client("anonymous"), verb="ListMetadataFormats")
    formats = root.findall("oai:ListMetadataFormats/oai:metadataFormat", NS)
    assert [f.findtext("oai:metadataPrefix", namespaces=NS) for f in formats] == ["oai_dc"]
    root = _get(world.client("anonymous"), verb="ListMetadataFormats",
                identifier=PREFIX + "TL-1")
    assert root.find("oai:ListMetadataFormats", NS) is not None
    for hidden in ("TL-2", "TL-3", "TL-404"):
        root = _get(world.client("admin"), verb="ListMetadataFormats", identifier=PREFIX + hidden)
        assert _error(root) == "idDoesNotExist"


def test_it_lists_the_collections_as_sets(world, library):
    root = _get(world.client("anonymous"), verb="ListSets")
    sets = [(s.findtext("oai:setSpec", namespaces=NS), s.findtext("oai:setName", namespaces=NS))
            for s in root.findall("oai:ListSets/oai:set", NS)]
    assert sets == [("ban-do", "Bản đồ & sơ đồ"), ("bao-cao", "Báo cáo hiện trạng môi trường")]


def test_it_gives_a_public_record_in_dublin_core(world, library):
    document = library["publics"][0]
    document.subjects = ["không khí"]
    document.issued_on = datetime.date(2025, 12, 31)
    document.save()
    root = _get(world.client("anonymous"), verb="GetRecord", identifier=PREFIX + "TL-1",
                metadataPrefix="oai_dc")
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == PREFIX + "TL-1"
    assert record.findtext("oai:header/oai:setSpec", namespaces=NS) == "bao-cao"
    dc = record.find("oai:metadata/oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Tài liệu public"
    assert dc.findtext("dc:subject", namespaces=NS) == "không khí"
    assert dc.findtext("dc:date", namespaces=NS) == "2025-12-31"
    assert [e.text for e in dc.findall("dc:identifier", NS)] == [
        "TL-1", "http://testserver/library/documents/TL-1/"]


@pytest.mark.parametrize("persona", ["anonymous", "officer", "librarian", "admin"])
def test_it_never_gives_what_is_not_public(world, library, persona):
    client = world.client(persona)
    for hidden in ("TL-2", "TL-3"):
        root = _get(client, verb="GetRecord", identifier=PREFIX + hidden, metadataPrefix="oai_dc")
        assert _error(root) == "idDoesNotExist"
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    identifiers = [h.text for h in root.iterfind("oai:ListIdentifiers/oai:header/oai:identifier",
                                                 NS)]
    assert identifiers == [PREFIX + i for i in ("TL-1", "CK-2", "CK-3", "CK-4", "CK-5")]
    # The restricted document changed last: a harvest from its day finds nothing, not a count.
    root = _get(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2026-03-06"})
    assert _error(root) == "noRecordsMatch"


def _harvest(client, verb: str, **query) -> tuple[list[str], list[dict]]:
    """Every identifier of a list, following its tokens; and what each token said."""
    identifiers, tokens = [], []
    root = _get(client, verb=verb, **query)
    while True:
        headers = root.iterfind(f"oai:{verb}//oai:header/oai:identifier", NS)
        identifiers += [header.text for header in headers]
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None:
            return identifiers, tokens
        tokens.append({"text": token.text, **dict(token.attrib)})
        if not token.text:
            return identifiers, tokens
        root = _get(client, verb=verb, resumptionToken=token.text)


@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_it_pages_with_resumption_tokens(world, library, monkeypatch, verb):
    monkeypatch.setattr(oai_views, "PAGE_SIZE", 2)
    identifiers, tokens = _harvest(world.client("steward"), verb, metadataPrefix="oai_dc")
    assert identifiers == [PREFIX + i for i in ("TL-1", "CK-2", "CK-3", "CK-4", "CK-5")]
    assert [(t["cursor"], t["completeListSize"], bool(t["text"])) for t in tokens] == [
        ("0", "5", True), ("2", "5", True), ("4", "5", False)]


def test_it_pages_a_selective_harvest(world, library, monkeypatch):
    monkeypatch.setattr(oai_views, "PAGE_SIZE", 1)
    identifiers, tokens = _harvest(world.client("anonymous"), "ListIdentifiers",
                                   metadataPrefix="oai_dc", set="bao-cao",
                                   **{"from": "2026-03-02", "until": "2026-03-04"})
    assert identifiers == [PREFIX + "CK-2", PREFIX + "CK-4"]
    assert [t["completeListSize"] for t in tokens] == ["2", "2"]


@pytest.mark.parametrize("start, end, expected", [
    ("2026-03-02", "2026-03-03", ["CK-2", "CK-3"]),
    ("2026-03-02T08:00:00Z", "2026-03-03T08:00:00Z", ["CK-2", "CK-3"]),
    # A datestamp is to the second: 08:00:00.25 is within the second 08:00:00.
    ("2026-03-02T08:00:01Z", "2026-03-04T07:59:59Z", ["CK-3"]),
    (None, "2026-03-01", ["TL-1"]),
    ("2026-03-05", None, ["CK-5"]),
])
def test_it_harvests_from_and_until(world, library, start, end, expected):
    query = {key: value for key, value in (("from", start), ("until", end)) if value}
    root = _get(world.client("anonymous"), verb="ListIdentifiers", metadataPrefix="oai_dc",
                **query)
    found = [h.text for h in root.iterfind("oai:ListIdentifiers/oai:header/oai:identifier", NS)]
    assert found == [PREFIX + i for i in expected]
    assert root.find("oai:ListIdentifiers/oai:resumptionToken", NS) is None


@pytest.mark.parametrize("query, code", [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "set": "bao-cao"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "01/03/2026"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-02-30"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-02",
      "until": "2026-03-03T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-04",
      "until": "2026-03-03"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "x" * 600}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai dc"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "bao cao"}, "badArgument"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x: y"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": PREFIX + "TL-1"},
     "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "TL-1"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "khong-co"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "eyJ2IjoiTGlzdFJlY29yZHMifQ.AAAA"},
     "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
])
def test_it_answers_the_protocols_errors(world, library, query, code):
    root = _get(world.client("anonymous"), **query)
    assert _error(root) == code
    request = root.find("oai:request", NS)
    assert request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the base URL alone, as the protocol asks


def test_it_refuses_a_token_changed_or_given_to_another_verb(world, library, monkeypatch):
    monkeypatch.setattr(oai_views, "PAGE_SIZE", 2)
    client = world.client("anonymous")
    root = _get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find("oai:ListIdentifiers/oai:resumptionToken", NS).text
    assert _error(_get(client, verb="ListRecords", resumptionToken=token)) == \
        "badResumptionToken"
    body, _dot, signature = token.partition(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    assert _error(_get(client, verb="ListIdentifiers", resumptionToken=forged)) == \
        "badResumptionToken"


def test_it_answers_a_posted_form_and_refuses_other_methods(world, library):
    client = world.client("anonymous")
    response = client.post("/oai", {"verb": "ListSets"})
    assert response.status_code == 200
    assert len(valid(response.content).findall("oai:ListSets/oai:set", NS)) == 2
    assert client.put("/oai").status_code == 405


def test_it_keeps_the_xml_valid_whatever_a_title_holds(world, library):
    document = library["publics"][0]
    document.title = "Nước thải <loại A> & \x0bđộ đục \"NTU\""
    document.save()
    root = _get(world.client("anonymous"), verb="GetRecord", identifier=PREFIX + "TL-1",
                metadataPrefix="oai_dc")
    assert root.findtext(".//dc:title", namespaces=NS) == "Nước thải <loại A> & độ đục \"NTU\""


def test_it_gives_a_documents_dublin_core_as_valid_oai_dc(world, library):
    response = world.client("anonymous").get("/api/v1/documents/TL-1/dc.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = valid(response.content, "oai_dc.xsd")
    assert root.findtext("dc:title", namespaces=NS) == "Tài liệu public"
