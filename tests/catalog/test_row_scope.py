"""One rule per row, whatever the road: a dataset's rows are cut to what the policy shows the
reader (`permissions.scope`, as the API does) — through the portal's downloads and preview, the
CKAN API and DCAT — and the registry's tax codes (the facilities' FTP user names) are published
only to those who may see the facility, or when a steward opens them."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from envhub.accounts import services as accounts
from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.compliance.models import EventStatus, ExceedanceEvent, Permit, Regulation
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from envhub.registry.models import Parameter
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous",
            "station_token", "facility_token")
NATIONAL = {"admin", "steward", "leader"}
EXCEEDANCES = "su-co-vuot-quy-chuan"
REGISTRY = "co-so-va-nguon-thai"
EMISSION_DN = "quan-trac-kt-hourly-75-dong-nai"
EMISSION_HN = "quan-trac-kt-hourly-01-thanh-pho-ha-noi"


@pytest.fixture
def catalogue(world):
    """Exceedance events in Hà Nội and Đồng Nai, an hour of stack data at a station of each,
    and the catalogue built from them."""
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn)):
        permit = Permit.objects.create(
            source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3")
        ExceedanceEvent.objects.create(
            source=source, parameter=so2, permit=permit, start=now - datetime.timedelta(hours=3),
            end=now - datetime.timedelta(hours=1), peak_value=600, peak_multiple=1.333,
            peak_at=now - datetime.timedelta(hours=2), band="2", hours=2, limit=450,
            unit="mg/Nm3", status=EventStatus.CLOSED)
    local = now.astimezone(VN).replace(tzinfo=None)
    files = [tt10_file(station, local - datetime.timedelta(hours=hours),
                       [("SO2", 100.0 + hours, "mg/Nm3")])
             for station in (world.station_stack_hn, world.station_stack_dn)
             for hours in (2, 1)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    report = services.sync()
    assert not report.problems
    return world


def client_of(world, persona: str) -> Client:
    """A signed-in persona, or a program with a station's or a facility's token."""
    if persona in ("station_token", "facility_token"):
        owner = {"station": world.station_stack_hn} if persona == "station_token" else \
            {"facility": world.facility_hn}
        issued = accounts.create_token(system_actor("tests"), name=persona, **owner)
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    return world.client(persona)


def download(client: Client, identifier: str, fmt: str = "csv"):
    response = client.get(f"/datasets/{identifier}/download.{fmt}")
    if response.status_code != 200:
        return response.status_code, None
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return 200, list(csv.DictReader(io.StringIO(text)))


# Which facilities' exceedance rows each persona downloads (None: the dataset is not theirs).
EVENTS = {"admin": {"hn", "dn"}, "steward": {"hn", "dn"}, "leader": {"hn", "dn"},
          "officer": {"hn"}}


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_shared_dataset_holds_only_the_readers_rows(catalogue, persona):
    world = catalogue
    status, rows = download(client_of(world, persona), EXCEEDANCES)
    if persona not in EVENTS:  # shared data is for government accounts
        assert status == (302 if persona == "anonymous" else 404)
        return
    names = {world.facility_hn.name: "hn", world.facility_dn.name: "dn"}
    assert {names[row["facility"]] for row in rows} == EVENTS[persona]


def body_text(client: Client, identifier: str, fmt: str) -> str:
    """A download's content as text (an XLSX's cells joined)."""
    content = b"".join(client.get(f"/datasets/{identifier}/download.{fmt}").streaming_content)
    if fmt != "xlsx":
        return content.decode("utf-8-sig")
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(cell) for row in book.active.iter_rows(values_only=True) for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "json", "geojson", "xlsx"])
def test_the_hanoi_officer_gets_no_dong_nai_stack_values(catalogue, fmt):
    """The officer's API says 404 for the Đồng Nai station: so does every download format
    (here, an empty file of the right shape; Hà Nội's dataset is whole)."""
    client = client_of(catalogue, "officer")
    assert "DNKT1" not in body_text(client, EMISSION_DN, fmt)
    assert "HNKT1" in body_text(client, EMISSION_HN, fmt)
    assert "DNKT1" in body_text(client_of(catalogue, "leader"), EMISSION_DN, fmt)


# Whose tax codes each persona finds in the open registry dataset.
TAX_CODES = {"admin": {"hn", "hn2", "dn"}, "steward": {"hn", "hn2", "dn"},
             "leader": {"hn", "hn2", "dn"}, "officer": {"hn", "hn2"}, "operator": {"hn"},
             "survey": set(), "anonymous": set(), "station_token": set(),
             "facility_token": {"hn"}}


@pytest.mark.parametrize("persona", PERSONAS)
def test_tax_codes_go_only_to_readers_who_see_the_facility(catalogue, persona):
    world = catalogue
    status, rows = download(client_of(world, persona), REGISTRY)
    assert status == 200
    keys = {world.facility_hn.name: "hn", world.facility_hn2.name: "hn2",
            world.facility_dn.name: "dn"}
    assert {keys[row["facility"]] for row in rows} == {"hn", "hn2", "dn"}  # the open register
    codes = {world.facility_hn.tax_code: "hn", world.facility_hn2.tax_code: "hn2",
             world.facility_dn.tax_code: "dn"}
    assert {codes[row["tax_code"]] for row in rows if row["tax_code"]} == TAX_CODES[persona]
    assert all(row["address"] for row in rows)  # addresses are public register data


def test_a_steward_opens_the_tax_codes_audited(catalogue):
    world = catalogue
    assert all(not row["tax_code"] for row in download(Client(), REGISTRY)[1])
    dataset = Dataset.objects.get(identifier=REGISTRY)
    dataset.tax_codes_open = True
    services.save_metadata(world.actor("steward"), dataset)
    version = dataset.metadata_versions.order_by("-number").first()
    assert version.changes["tax_codes_open"] == [False, True]
    assert version.actor == "user:steward"
    assert {row["tax_code"] for row in download(Client(), REGISTRY)[1]} == {
        world.facility_hn.tax_code, world.facility_hn2.tax_code, world.facility_dn.tax_code}


def package(client: Client, identifier: str) -> dict | None:
    response = client.get("/api/3/action/package_show", {"id": identifier})
    if response.status_code != 200:
        return None
    result = response.json()["result"]
    return {item["key"]: item["value"] for item in result["extras"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_ckan_shows_whole_dataset_figures_only_to_national_roles(catalogue, persona):
    """The exceedances cover Hà Nội and Đồng Nai: the officer's CKAN record counts no rows and
    names no province but their own; open datasets keep their figures for everyone."""
    extras = package(client_of(catalogue, persona), EXCEEDANCES)
    if persona in NATIONAL:
        assert extras["row_count"] == "2" and extras["provinces"] == "01,75"
        assert "temporal_start" in extras and "rows_cut_to_scope" not in extras
    elif persona == "officer":
        assert "row_count" not in extras and "temporal_start" not in extras
        assert extras["provinces"] == "01" and extras["rows_cut_to_scope"] == "true"
    else:
        assert extras is None
    registry = package(client_of(catalogue, persona), REGISTRY)
    assert registry["row_count"] == "4" and registry["provinces"] == "01,75"


def test_ckan_search_facets_count_no_province_out_of_scope(catalogue):
    client = client_of(catalogue, "officer")
    response = client.get("/api/3/action/package_search", {
        "fq": "access_class:shared", "facet.field": '["province"]', "rows": 100})
    result = response.json()["result"]
    assert set(result["facets"]["province"]) == {"01"}  # Đồng Nai's datasets count for none
    assert {item["name"] for item in result["results"]} >= {EXCEEDANCES, EMISSION_DN}
    shown = client.get("/api/3/action/package_search", {"fq": "province:75", "rows": 100})
    assert EXCEEDANCES not in {item["name"] for item in shown.json()["result"]["results"]}


def dcat_places(client: Client, path: str) -> tuple[set[str], bool]:
    """The province codes the exceedances' DCAT record covers, and whether it has a period."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    response = client.get(path)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    subject = URIRef(f"http://testserver/dataset/{EXCEEDANCES}")
    places = {str(place).rsplit("/", 1)[1] for place in graph.objects(subject, DCTERMS.spatial)}
    return places, any(graph.objects(subject, DCAT.startDate)) or any(
        graph.objects(period, DCAT.startDate) for period in graph.objects(subject,
                                                                          DCTERMS.temporal))


@pytest.mark.parametrize("persona", ["leader", "officer"])
def test_dcat_gives_the_period_and_places_only_to_national_roles(catalogue, persona):
    client = client_of(catalogue, persona)
    for path in (f"/dataset/{EXCEEDANCES}.ttl", "/catalog.ttl"):
        places, has_period = dcat_places(client, path)
        assert places == ({"01", "75"} if persona == "leader" else {"01"})
        assert has_period == (persona == "leader")


def test_the_dataset_page_tells_a_scoped_reader_and_previews_their_rows(catalogue):
    world = catalogue
    officer = client_of(world, "officer").get(f"/datasets/{EXCEEDANCES}/").content.decode()
    assert 'id="scope-notice"' in officer
    assert world.facility_hn.name in officer and world.facility_dn.name not in officer
    assert "Đồng Nai" not in officer
    leader = client_of(world, "leader").get(f"/datasets/{EXCEEDANCES}/").content.decode()
    assert 'id="scope-notice"' not in leader and world.facility_dn.name in leader
    anonymous = Client().get(f"/datasets/{REGISTRY}/").content.decode()
    assert 'id="scope-notice"' not in anonymous
    assert world.facility_dn.tax_code not in anonymous and world.facility_dn.address in anonymous


@pytest.mark.parametrize("persona", ["steward", "leader", "officer"])
def test_the_catalogue_admin_with_its_whole_figures_is_for_national_roles(catalogue, persona):
    dataset = Dataset.objects.get(identifier=EXCEEDANCES)
    client = client_of(catalogue, persona)
    listing = client.get("/admin/catalog/dataset/")
    record = client.get(f"/admin/catalog/dataset/{dataset.pk}/change/")
    expected = 200 if persona in NATIONAL else 403
    assert (listing.status_code, record.status_code) == (expected, expected)


def test_a_reader_with_an_empty_scope_gets_no_row_on_either_database(catalogue):
    """An officer whose membership names no province: nothing in scope, also on the path where
    PostgreSQL writes the CSV itself (the scope as a subquery)."""
    from envhub.core.permissions import PROVINCIAL_OFFICER, Actor
    from envhub.core.providers import Filters, provider_of

    nobody = Actor(kind="user", label="user:nobody", roles=frozenset({PROVINCIAL_OFFICER}))
    dataset = Dataset.objects.get(identifier=EMISSION_HN)
    provider = provider_of(dataset)
    filters = Filters(reader=nobody)
    assert list(provider.rows(dataset, filters)) == []
    body = provider.copy_csv(dataset, filters)
    assert body is None or b"".join(body) == b""
    everyone = Filters(reader=catalogue.actor("leader"))
    assert len(list(provider.rows(dataset, everyone))) == 2
