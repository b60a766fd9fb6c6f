"""DCAT-AP 3 endpoints: the catalogue (paged with Hydra, `modified_since`) and each dataset in
Turtle, JSON-LD and RDF/XML parse with rdflib and pass the DCAT-AP 3.0.0 SHACL shapes; the
EU vocabularies are used; and every persona sees only its access classes."""

from __future__ import annotations

import datetime
import hashlib
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from django.utils import timezone
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, SKOS

from envhub.catalog import dcat
from envhub.catalog.models import Dataset
from tests.catalog.published import (
    AIR_HANOI,
    CHECKSUM,
    INTERNAL,
    PERSONAS,
    WITHDRAWN,
    publish,
    seen_by,
)

pytestmark = pytest.mark.django_db

# The shapes travel with the tests (no network here), unchanged: their SHA-256 is the released
# file's (standards/README.md).
SHAPES = Path(__file__).resolve().parent / "standards" / "dcat-ap-3.0.0-SHACL.ttl"
SHAPES_SHA256 = "92f76609d78d257123e75bc6b7155df5cc0a63f14c29fbc12b0ac95c56af2059"
BASE = "http://testserver"
EU = "http://publications.europa.eu/resource/authority/"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
FORMATS = {"ttl": ("turtle", "text/turtle"), "jsonld": ("json-ld", "application/ld+json"),
           "rdf": ("xml", "application/rdf+xml")}


@cache
def shapes() -> Graph:
    # No skip: without the shapes the conformance test must fail.
    return Graph().parse(data=SHAPES.read_text(encoding="utf-8"), format="turtle")


@pytest.fixture
def classes(world):
    return publish(world)


def fetch(client, path, fmt="ttl", **params) -> Graph:
    response = client.get(f"{path}.{fmt}", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith(FORMATS[fmt][1])
    return Graph().parse(data=response.content, format=FORMATS[fmt][0])


def conforms(graph: Graph) -> None:
    ok, _report, text = pyshacl.validate(graph, shacl_graph=shapes(), inference="none",
                                         abort_on_first=False, allow_warnings=False)
    assert ok, text


def listed(graph: Graph) -> set[str]:
    catalogue = URIRef(f"{BASE}/catalog")
    return {str(node).rsplit("/", 1)[1] for node in graph.objects(catalogue, DCAT.dataset)}


# --- conformance --------------------------------------------------------------------------------

def test_the_shapes_are_there():
    assert SHAPES.is_file(), f"missing {SHAPES}"
    assert len(shapes()) > 1000
    assert hashlib.sha256(SHAPES.read_bytes()).hexdigest() == SHAPES_SHA256


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_catalogue_passes_the_dcat_ap_3_shapes(world, classes, fmt):
    graph = fetch(world.client("admin"), "/catalog", fmt)
    assert listed(graph) == seen_by(classes, "admin")
    conforms(graph)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_dataset_passes_the_dcat_ap_3_shapes(world, classes, fmt):
    client = world.client("admin")
    turtle = fetch(client, f"/dataset/{AIR_HANOI}", "ttl")
    for identifier in sorted(seen_by(classes, "admin")):
        graph = fetch(client, f"/dataset/{identifier}", fmt)
        assert (URIRef(f"{BASE}/dataset/{identifier}"), RDF.type, DCAT.Dataset) in graph
        conforms(graph)
    assert len(fetch(client, f"/dataset/{AIR_HANOI}", fmt)) == len(turtle)


def test_the_shapes_catch_a_dataset_without_a_description(world, classes):
    graph = fetch(world.client("anonymous"), f"/dataset/{AIR_HANOI}")
    graph.remove((URIRef(f"{BASE}/dataset/{AIR_HANOI}"), DCTERMS.description, None))
    ok, _report, text = pyshacl.validate(graph, shacl_graph=shapes(), inference="none")
    assert not ok and "description" in text


# --- content ------------------------------------------------------------------------------------

def test_a_dataset_uses_the_dcat_ap_vocabularies(world, classes):
    graph = fetch(world.client("anonymous"), f"/dataset/{AIR_HANOI}")
    dataset = Dataset.objects.get(identifier=AIR_HANOI)
    subject = URIRef(f"{BASE}/dataset/{AIR_HANOI}")
    one = graph.value

    assert set(graph.objects(subject, DCTERMS.title)) == {
        Literal(dataset.title_vi, lang="vi"), Literal(dataset.title_en, lang="en")}
    assert {literal.language for literal in graph.objects(subject, DCTERMS.description)} == \
        {"vi", "en"}
    assert one(subject, DCTERMS.identifier) == Literal(AIR_HANOI)
    assert {str(word) for word in graph.objects(subject, DCAT.keyword)} == set(dataset.keywords)
    assert set(graph.objects(subject, DCAT.theme)) == {URIRef(EU + "data-theme/ENVI")}
    assert set(graph.objects(subject, DCTERMS.language)) == {URIRef(EU + "language/VIE"),
                                                              URIRef(EU + "language/ENG")}
    assert one(subject, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/HOURLY")
    assert one(subject, DCTERMS.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert one(subject, DCAT.landingPage) == URIRef(f"{BASE}/datasets/{AIR_HANOI}/")
    assert one(subject, DCTERMS.issued).datatype == XSD.date
    assert one(subject, DCTERMS.modified).toPython() == dataset.modified
    assert one(subject, DCAT.version) == Literal("1.2")
    assert one(subject, OWL.versionInfo) == Literal("1.2")
    assert set(graph.objects(subject, DCTERMS.spatial)) == {URIRef(f"{BASE}/provinces/01")}
    provenance = one(subject, DCTERMS.provenance)
    assert (provenance, RDF.type, DCTERMS.ProvenanceStatement) in graph

    period = one(subject, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert one(period, DCAT.startDate).toPython() == dataset.temporal_start
    assert one(period, DCAT.endDate).toPython() == dataset.temporal_end

    publisher = one(subject, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert str(one(publisher, FOAF.name)) == "Cục Môi trường"
    contact = one(subject, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert str(one(contact, VCARD.fn)) == dataset.contact_name
    assert one(contact, VCARD.hasEmail) == URIRef(f"mailto:{dataset.contact_email}")

    distributions = {str(one(node, DCTERMS.format)).rsplit("/", 1)[1]: node
                     for node in graph.objects(subject, DCAT.distribution)}
    assert set(distributions) == {"CSV", "JSON", "XLSX", "PARQUET", "GEOJSON"}
    csv = distributions["CSV"]
    download = URIRef(f"{BASE}/datasets/{AIR_HANOI}/download.csv")
    assert one(csv, DCAT.downloadURL) == download and one(csv, DCAT.accessURL) == download
    assert one(csv, DCAT.mediaType) == URIRef("https://www.iana.org/assignments/media-types/"
                                              "text/csv")
    assert one(csv, DCTERMS.license) == URIRef(dataset.licence)
    assert one(csv, DCAT.byteSize) == Literal(123456, datatype=XSD.nonNegativeInteger)
    checksum = one(csv, SPDX.checksum)
    assert str(one(checksum, SPDX.checksumValue)) == CHECKSUM
    assert one(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    parquet = distributions["PARQUET"]
    assert one(parquet, DCAT.downloadURL) == URIRef(
        f"{BASE}/datasets/{AIR_HANOI}/download.parquet")
    assert one(parquet, DCAT.byteSize) is None and one(parquet, SPDX.checksum) is None
    assert one(distributions["GEOJSON"], DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/geo+json")

    theme = URIRef(EU + "data-theme/ENVI")
    assert (theme, RDF.type, SKOS.Concept) in graph and one(theme, SKOS.prefLabel)


def test_the_legal_basis_is_the_applicable_legislation(world, classes):
    dataset = Dataset.objects.get(identifier=AIR_HANOI)
    assert dataset.legal_basis
    subject = URIRef(f"{BASE}/dataset/{AIR_HANOI}")
    for fmt in FORMATS:
        graph = fetch(world.client("anonymous"), f"/dataset/{AIR_HANOI}", fmt)
        [legislation] = graph.objects(subject, DCATAP.applicableLegislation)
        assert (legislation, RDF.type, ELI.LegalResource) in graph
        assert graph.value(legislation, DCTERMS.title) == Literal(dataset.legal_basis, lang="vi")
        conforms(graph)
    dataset.legal_basis = ""
    dataset.save()
    graph = fetch(world.client("anonymous"), f"/dataset/{AIR_HANOI}")
    assert graph.value(subject, DCATAP.applicableLegislation) is None
    conforms(graph)


def test_access_rights_follow_the_access_class(world, classes):
    client = world.client("admin")
    expected = {"open": "PUBLIC", "shared": "RESTRICTED", "internal": "NON_PUBLIC"}
    for access, identifiers in classes.items():
        identifier = sorted(identifiers)[0]
        graph = fetch(client, f"/dataset/{identifier}")
        rights = graph.value(URIRef(f"{BASE}/dataset/{identifier}"), DCTERMS.accessRights)
        assert rights == URIRef(EU + "access-right/" + expected[access])


def test_the_catalogue_describes_itself(world, classes):
    graph = fetch(world.client("anonymous"), "/catalog")
    catalogue = URIRef(f"{BASE}/catalog")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert {literal.language for literal in graph.objects(catalogue, DCTERMS.title)} == \
        {"vi", "en"}
    assert graph.value(catalogue, DCTERMS.description) is not None
    assert str(graph.value(graph.value(catalogue, DCTERMS.publisher), FOAF.name)) == \
        "Cục Môi trường"
    assert graph.value(catalogue, FOAF.homepage) == URIRef(f"{BASE}/datasets/")
    assert graph.value(catalogue, DCTERMS.issued) is not None


# --- access classes -----------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_only_its_access_classes(world, classes, persona):
    client = world.client(persona)
    expected = seen_by(classes, persona)
    graph = fetch(client, "/catalog")
    assert listed(graph) == expected
    assert WITHDRAWN not in listed(graph)
    described = {str(node).rsplit("/", 1)[1] for node in graph.subjects(RDF.type, DCAT.Dataset)}
    assert described == expected
    for identifiers in classes.values():
        for identifier in identifiers:
            response = client.get(f"/dataset/{identifier}.ttl")
            assert response.status_code == (200 if identifier in expected else 404)
    assert client.get(f"/dataset/{INTERNAL}.jsonld").status_code == \
        (200 if INTERNAL in expected else 404)


# --- paging and modified_since ------------------------------------------------------------------

def test_the_catalogue_is_paged_with_hydra(world, classes, monkeypatch):
    monkeypatch.setattr(dcat, "PAGE_SIZE", 5)
    client = world.client("admin")
    everything = seen_by(classes, "admin")
    pages = -(-len(everything) // 5)
    seen: list[str] = []
    for number in range(1, pages + 1):
        graph = fetch(client, "/catalog", page=number)
        view = URIRef(f"{BASE}/catalog.ttl?page={number}")
        assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
        assert graph.value(view, HYDRA.totalItems).toPython() == len(everything)
        assert graph.value(view, HYDRA.first) == URIRef(f"{BASE}/catalog.ttl?page=1")
        assert graph.value(view, HYDRA.last) == URIRef(f"{BASE}/catalog.ttl?page={pages}")
        following = graph.value(view, HYDRA.next)
        previous = graph.value(view, HYDRA.previous)
        assert following == (URIRef(f"{BASE}/catalog.ttl?page={number + 1}")
                             if number < pages else None)
        assert previous == (URIRef(f"{BASE}/catalog.ttl?page={number - 1}")
                            if number > 1 else None)
        page = listed(graph)
        assert len(page) == (5 if number < pages else len(everything) - 5 * (pages - 1))
        seen += sorted(page)
        conforms(graph)
    assert seen == sorted(everything)
    assert client.get("/catalog.ttl", {"page": pages + 1}).status_code == 404
    for bad in ("0", "abc", "-1"):
        assert client.get("/catalog.ttl", {"page": bad}).status_code == 400
    # Without `page`, the first page.
    assert listed(fetch(client, "/catalog")) == set(seen[:5])


def test_modified_since_keeps_what_changed(world, classes):
    client = world.client("anonymous")
    old = timezone.now() - datetime.timedelta(days=30)
    Dataset.objects.update(updated_at=old, modified=old)
    Dataset.objects.filter(identifier=AIR_HANOI).update(modified=timezone.now())
    Dataset.objects.filter(identifier="co-so-va-nguon-thai").update(updated_at=timezone.now())
    week_ago = (timezone.now() - datetime.timedelta(days=7)).date().isoformat()
    graph = fetch(client, "/catalog", modified_since=week_ago)
    assert listed(graph) == {AIR_HANOI, "co-so-va-nguon-thai"}
    view = URIRef(f"{BASE}/catalog.ttl?modified_since={week_ago}&page=1")
    assert graph.value(view, HYDRA.totalItems).toPython() == 2
    assert graph.value(view, HYDRA.next) is None
    later = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert listed(fetch(client, "/catalog", "jsonld", modified_since=later)) == set()
    assert listed(fetch(client, "/catalog", modified_since=old.date().isoformat())) == \
        classes["open"]
    assert client.get("/catalog.ttl", {"modified_since": "last week"}).status_code == 400


def test_unknown_formats_and_datasets_are_not_found(world, classes, client):
    assert client.get("/catalog.csv").status_code == 404
    assert client.get(f"/dataset/{AIR_HANOI}.xml").status_code == 404
    assert client.get("/dataset/khong-ton-tai.ttl").status_code == 404


# --- the URIs answer ---------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_a_dataset_uri_answers_rdf_to_rdf_clients_and_a_page_to_browsers(world, classes,
                                                                        persona):
    client = world.client(persona)
    expected = seen_by(classes, persona)
    for identifier in sorted({i for ids in classes.values() for i in ids}):
        for accept, (syntax, content_type) in [
                ("text/turtle", FORMATS["ttl"]),
                ("text/turtle; charset=utf-8", FORMATS["ttl"]),
                ("application/ld+json", FORMATS["jsonld"]),
                ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"',
                 FORMATS["jsonld"]),
                ("application/rdf+xml;q=0.9, */*;q=0.1", FORMATS["rdf"]),
                ("text/html;q=0.5, text/turtle", FORMATS["ttl"])]:
            response = client.get(f"/dataset/{identifier}", HTTP_ACCEPT=accept)
            if identifier not in expected:
                assert response.status_code == 404
                continue
            assert response.status_code == 200 and "Accept" in response["Vary"].split(", ")
            assert response["Content-Type"].startswith(content_type)
            graph = Graph().parse(data=response.content, format=syntax)
            assert (URIRef(f"{BASE}/dataset/{identifier}"), RDF.type, DCAT.Dataset) in graph
        # A browser (or a client that says nothing) is sent to the dataset's page.
        for accept in ("text/html,application/xhtml+xml,*/*;q=0.8", None):
            headers = {"HTTP_ACCEPT": accept} if accept else {}
            response = client.get(f"/dataset/{identifier}", **headers)
            assert response.status_code == 303
            assert response["Location"] == f"/datasets/{identifier}/"
            assert "Accept" in response["Vary"].split(", ")


def test_the_province_and_publisher_uris_lead_to_their_datasets(world, classes, client):
    graph = fetch(client, f"/dataset/{AIR_HANOI}")
    subject = URIRef(f"{BASE}/dataset/{AIR_HANOI}")
    places = list(graph.objects(subject, DCTERMS.spatial))
    publishers = list(graph.objects(subject, DCTERMS.publisher))
    assert places and publishers
    dataset = Dataset.objects.get(identifier=AIR_HANOI)
    # Another open dataset with another publisher, which the publisher's list must leave out.
    other = Dataset.objects.filter(identifier__in=classes["open"]).exclude(pk=dataset.pk).first()
    other.publisher = world.dept_hanoi
    other.save()
    expected = {f"{BASE}/provinces/{p.code}": f"/datasets/?province={p.code}"
                for p in dataset.provinces.all()}
    expected[f"{BASE}/organisations/{dataset.publisher_id}"] = \
        f"/datasets/?publisher={dataset.publisher_id}"
    assert {str(uri) for uri in places + publishers} == set(expected)
    for uri, location in expected.items():
        response = client.get(uri.removeprefix(BASE))
        assert (response.status_code, response["Location"]) == (303, location)
        page = client.get(location).content.decode()
        assert f"/datasets/{AIR_HANOI}/" in page
        # Filtered: a dataset of another province or publisher is not on the page.
        others = Dataset.objects.exclude(provinces__in=dataset.provinces.all()) if \
            "province" in location else Dataset.objects.exclude(publisher=dataset.publisher)
        others = others.filter(identifier__in=seen_by(classes, "anonymous"))
        assert others.exists()
        for other in others:
            assert f"/datasets/{other.identifier}/" not in page
    assert client.get("/provinces/99").status_code == 404
    assert client.get("/organisations/999999").status_code == 404


def test_an_organisation_publishing_nothing_visible_is_not_found(world, classes, client):
    from envhub.registry.models import Organisation

    quiet = Organisation.objects.exclude(
        pk__in=Dataset.objects.values("publisher_id")).first()
    assert quiet is not None
    assert client.get(f"/organisations/{quiet.pk}").status_code == 404
