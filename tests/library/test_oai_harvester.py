"""A real harvester, `oaipmh.client.Client` (the maintained fork of pyoai), harvests the
library from a running server (Django's live server) as it harvests any OAI-PMH repository:
it identifies it, lists its formats and sets, follows resumption tokens through a whole list,
asks for one record and understands the protocol's errors. Every answer it receives is also
validated against the OAI-PMH 2.0 and oai_dc schemas."""

from __future__ import annotations

import datetime

import pytest
from oaipmh import error as oai_errors
from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader

from envhub.library import oai_views
from envhub.library.models import AccessLevel, Collection, Document
from tests.library.oai_schemas import valid

# A live server needs real transactions (see the note in tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True)

PREFIX = f"oai:{oai_views.REPOSITORY_IDENTIFIER}:"


class CheckedClient(Client):
    """The harvester's client, with every answer validated before it reads it."""

    answers = 0

    def makeRequest(self, **kw):
        xml = super().makeRequest(**kw)
        valid(xml)
        CheckedClient.answers += 1
        return xml


@pytest.fixture
def harvested(shelf, monkeypatch):
    """Seven public documents besides the internal and restricted ones; pages of three."""
    maps = Collection.objects.create(code="ban-do", title="Bản đồ")
    for number in range(2, 8):
        Document.objects.create(collection=maps, identifier=f"BD-{number}",
                                title=f"Bản đồ hiện trạng số {number}",
                                access_level=AccessLevel.PUBLIC, creator="Cục Viễn thám",
                                subjects=["bản đồ", "hiện trạng"])
    # The server thread reads the module's setting (one process).
    monkeypatch.setattr(oai_views, "PAGE_SIZE", 3)
    return shelf


def _client(live_server, **options) -> Client:
    registry = MetadataRegistry()
    registry.registerReader("oai_dc", oai_dc_reader)
    return CheckedClient(f"{live_server.url}/oai", registry, **options)


@pytest.mark.parametrize("options", [{}, {"force_http_get": True}], ids=["post", "get"])
def test_it_lets_a_harvester_take_the_public_part(harvested, live_server, options):
    client = _client(live_server, **options)
    identify = client.identify()
    assert identify.baseURL() == f"{live_server.url}/oai"
    assert identify.protocolVersion() == "2.0"
    assert identify.granularity() == "YYYY-MM-DDThh:mm:ssZ"
    assert [f[0] for f in client.listMetadataFormats()] == ["oai_dc"]
    assert [s[:2] for s in client.listSets()] == [
        ("ban-do", "Bản đồ"), ("bao-cao", "Báo cáo hiện trạng môi trường")]

    before = CheckedClient.answers
    records = list(client.listRecords(metadataPrefix="oai_dc"))
    # Seven records in pages of three: three answers, two resumption tokens followed.
    assert CheckedClient.answers - before == 3
    identifiers = [header.identifier() for header, _metadata, _about in records]
    assert sorted(identifiers) == sorted(
        [PREFIX + "TL-1"] + [f"{PREFIX}BD-{n}" for n in range(2, 8)])
    metadata = {header.identifier(): meta for header, meta, _about in records}
    assert metadata[PREFIX + "BD-4"]["title"] == ["Bản đồ hiện trạng số 4"]
    assert metadata[PREFIX + "BD-4"]["subject"] == ["bản đồ", "hiện trạng"]
    assert metadata[PREFIX + "TL-1"]["title"] == ["Tài liệu public"]

    headers = list(client.listIdentifiers(metadataPrefix="oai_dc", set="ban-do"))
    assert sorted(h.identifier() for h in headers) == [f"{PREFIX}BD-{n}" for n in range(2, 8)]
    assert all(h.setSpec() == ["ban-do"] for h in headers)

    header, meta, _about = client.getRecord(identifier=PREFIX + "TL-1", metadataPrefix="oai_dc")
    assert meta["identifier"][0] == "TL-1"


def test_it_tells_a_harvester_the_protocols_errors(harvested, live_server):
    client = _client(live_server)
    for hidden in ("TL-2", "TL-3"):
        with pytest.raises(oai_errors.IdDoesNotExistError):
            client.getRecord(identifier=PREFIX + hidden, metadataPrefix="oai_dc")
    with pytest.raises(oai_errors.CannotDisseminateFormatError):
        list(client.listRecords(metadataPrefix="marc21"))
    with pytest.raises(oai_errors.NoRecordsMatchError):
        list(client.listIdentifiers(metadataPrefix="oai_dc",
                                    from_=datetime.datetime(2999, 1, 1)))
    # The client checks its own arguments, so a made-up token goes by its lower-level call.
    with pytest.raises(oai_errors.BadResumptionTokenError):
        client.makeRequestErrorHandling(verb="ListIdentifiers", resumptionToken="not-a-token")
