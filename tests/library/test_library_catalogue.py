"""The library in the catalogue: each public document a DCAT dataset whose distributions are
its files (downloaded from the library), passing the DCAT-AP 3 shapes; what is not public is
neither offered nor listed, and a document made internal is withdrawn at the next sync."""

from __future__ import annotations

import io

import pytest
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.core import providers
from envhub.core.providers import Filters
from envhub.library import intake
from envhub.library.datasets import LibraryDocuments, dataset_identifier
from envhub.library.models import AccessLevel
from tests.catalog.test_dcat import DCAT, SPDX, conforms, fetch, listed
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db

PDF = one_page_pdf("Tai lieu")


@pytest.fixture
def synced(world, shelf):
    actor = world.actor("librarian")
    shelf.public.subjects = ["không khí"]
    shelf.public.description = "Báo cáo hiện trạng môi trường không khí năm 2025."
    shelf.public.save()
    shelf.public.provinces.set([world.hanoi])
    for document in (shelf.public, shelf.internal, shelf.restricted):
        intake.add_version(actor, document, intake.Incoming("bao-cao.pdf", io.BytesIO(PDF)))
    report = services.sync()
    assert report.problems == []
    return shelf


def _library_datasets():
    return Dataset.objects.filter(provider=LibraryDocuments.key)


def test_it_offers_each_public_document_and_nothing_else(world, synced):
    datasets = list(_library_datasets())
    assert [d.identifier for d in datasets] == [dataset_identifier(synced.public)]
    dataset = datasets[0]
    assert dataset.identifier == f"thu-vien-tl-1-{synced.public.pk}"
    assert dataset.title_vi == "Tài liệu public"
    assert dataset.keywords == ["không khí"]
    assert dataset.access_class == "open"
    assert dataset.row_count == 1
    assert set(dataset.provinces.all()) == {world.hanoi}
    assert "library.documents" in providers.discover()


def test_its_dcat_lists_the_files_as_distributions(world, synced):
    identifier = dataset_identifier(synced.public)
    graph = fetch(world.client("anonymous"), f"/dataset/{identifier}", "ttl")
    subject = URIRef(f"http://testserver/dataset/{identifier}")
    file = synced.public.files.get()
    node = URIRef(f"{subject}/distribution/file-{file.id}")
    assert (subject, DCAT.distribution, node) in graph
    assert (node, RDF.type, DCAT.Distribution) in graph
    download = URIRef(f"http://testserver/library/files/{file.id}/download/")
    assert (node, DCAT.downloadURL, download) in graph
    assert (node, DCTERMS.format,
            URIRef("http://publications.europa.eu/resource/authority/file-type/PDF")) in graph
    checksum = graph.value(node, SPDX.checksum)
    assert str(graph.value(checksum, SPDX.checksumValue)) == file.sha256
    conforms(graph)


@pytest.mark.parametrize("persona", ["anonymous", "officer", "admin"])
def test_the_catalogue_lists_public_documents_only(world, synced, persona):
    graph = fetch(world.client(persona), "/catalog", "ttl")
    library = {name for name in listed(graph) if name.startswith("thu-vien-")}
    assert library == {dataset_identifier(synced.public)}


def test_a_document_made_internal_is_withdrawn(world, synced):
    synced.public.access_level = AccessLevel.INTERNAL
    synced.public.save()
    assert services.sync().withdrawn == 1
    assert _library_datasets().get().withdrawn
    graph = fetch(world.client("anonymous"), "/catalog", "ttl")
    assert not {name for name in listed(graph) if name.startswith("thu-vien-")}


def test_its_rows_are_the_list_of_its_files(world, synced):
    dataset = _library_datasets().get()
    provider = providers.provider_of(dataset)
    rows = list(provider.rows(dataset, Filters()))
    file = synced.public.files.get()
    assert rows == [(1, "original", "bao-cao.pdf", "application/pdf", len(PDF), file.sha256,
                     f"/library/files/{file.id}/download/")]
    assert provider.count(dataset, Filters()) == 1
    response = world.client("anonymous").get(f"/datasets/{dataset.identifier}/download.csv")
    assert response.status_code == 200
    assert b"bao-cao.pdf" in b"".join(response.streaming_content)
