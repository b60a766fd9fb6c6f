"""The library's documents in the CKAN API: a public document's dataset lists its files as
resources (download address, format, media type, size, SHA-256 as CKAN's `hash`), for every
persona alike; what is not public has no dataset, and a document that stopped being public
before the next sync keeps its dataset but lists no file — the download's own rule. A real
CKAN client (`ckanapi`) reads them from a running server."""

from __future__ import annotations

import io

import ckanapi
import pytest

from envhub.catalog import services
from envhub.library import intake
from envhub.library.datasets import dataset_identifier
from envhub.library.models import AccessLevel
from tests.conftest import PERSONAS
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db

PDF = one_page_pdf("Tai lieu CKAN")
READERS = (*PERSONAS, "librarian")
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"


@pytest.fixture
def synced(world, shelf):
    actor = world.actor("librarian")
    for document in (shelf.public, shelf.internal, shelf.restricted):
        intake.add_version(actor, document, intake.Incoming("bao-cao.pdf", io.BytesIO(PDF)))
    assert services.sync().problems == []
    return shelf


def _action(client, action, **params):
    response = client.get(f"/api/3/action/{action}", params)
    return response.status_code, response.json()


def _files(package) -> list[dict]:
    return [item for item in package["resources"] if "-file-" in item["id"]]


@pytest.mark.parametrize("persona", READERS)
def test_every_persona_gets_the_public_documents_files(world, synced, persona):
    client = world.client(persona)
    file = synced.public.files.get()
    status, body = _action(client, "package_show", id=dataset_identifier(synced.public))
    assert status == 200
    package = body["result"]
    (resource,) = _files(package)
    assert resource["url"] == f"http://testserver/library/files/{file.id}/download/"
    assert (resource["format"], resource["mimetype"]) == ("PDF", "application/pdf")
    assert resource["size"] == len(PDF)
    assert (resource["hash"], resource["hash_algorithm"]) == (file.sha256, SHA256)
    assert resource["resource_type"] == "file"
    assert package["num_resources"] == len(package["resources"])
    assert [item["position"] for item in package["resources"]] == list(
        range(len(package["resources"])))
    assert {item["format"] for item in package["resources"]} == {"CSV", "JSON", "PDF"}
    assert client.get(f"/library/files/{file.id}/download/").status_code == 200

    status, shown = _action(client, "resource_show", id=resource["id"])
    assert status == 200 and shown["result"] == resource


@pytest.mark.parametrize("persona", READERS)
def test_no_persona_finds_a_dataset_for_what_is_not_public(world, synced, persona):
    client = world.client(persona)
    found = _action(client, "package_search", rows=1000)[1]["result"]
    library = [item for item in found["results"] if item["name"].startswith("thu-vien-")]
    assert [item["name"] for item in library] == [dataset_identifier(synced.public)]
    assert [len(_files(item)) for item in found["results"]] == [
        int(item in library) for item in found["results"]]
    for document in (synced.internal, synced.restricted):
        assert _action(client, "package_show", id=dataset_identifier(document))[0] == 404
        for file in document.files.all():
            resource = f"{synced.public.pk}-file-{file.id}"
            assert _action(client, "resource_show", id=resource)[0] == 404


def test_a_document_made_internal_lists_no_file_before_the_sync(world, synced):
    synced.public.access_level = AccessLevel.INTERNAL
    synced.public.save()
    file = synced.public.files.get()
    client = world.client("anonymous")
    status, body = _action(client, "package_show", id=dataset_identifier(synced.public))
    assert status == 200 and _files(body["result"]) == []
    assert client.get(f"/library/files/{file.id}/download/").status_code == 404
    dataset = body["result"]["id"]
    assert _action(client, "resource_show", id=f"{dataset}-file-{file.id}")[0] == 404
    services.sync()
    assert _action(client, "package_show", id=dataset_identifier(synced.public))[0] == 404


@pytest.mark.parametrize("forged", ["x-file-1", "999999-file-1", "-file-", "1-file-x"])
def test_a_forged_file_resource_is_not_found(world, synced, forged):
    status, body = _action(world.client("admin"), "resource_show", id=forged)
    assert status == 404 and body["success"] is False


@pytest.mark.django_db(transaction=True)
def test_ckanapi_reads_the_files_of_a_document(world, shelf, live_server):
    intake.add_version(world.actor("librarian"), shelf.public,
                       intake.Incoming("Báo cáo.pdf", io.BytesIO(PDF)))
    services.sync()
    file = shelf.public.files.get()
    with ckanapi.RemoteCKAN(live_server.url, user_agent="envhub-tests") as ckan:
        package = ckan.action.package_show(id=dataset_identifier(shelf.public))
        (resource,) = _files(package)
        assert resource["url"] == f"{live_server.url}/library/files/{file.id}/download/"
        assert (resource["size"], resource["hash"]) == (len(PDF), file.sha256)
        assert ckan.action.resource_show(id=resource["id"]) == resource
        listed = ckan.action.current_package_list_with_resources(limit=100)
        assert [len(_files(item)) for item in listed
                if item["name"] == dataset_identifier(shelf.public)] == [1]
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=dataset_identifier(shelf.internal))
