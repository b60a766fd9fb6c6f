"""The portal and its downloads against every persona (access classes of the Law on Data),
freshness computed from the data, and diacritic-insensitive search with facets."""

from __future__ import annotations

import csv
import datetime
import io
import json

import openpyxl
import pyarrow.parquet as pq
import pytest
from django.utils import timezone

from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")
SEES = {  # open / shared / internal
    "admin": {"open", "shared", "internal"}, "steward": {"open", "shared", "internal"},
    "leader": {"open", "shared", "internal"}, "officer": {"open", "shared"},
    "operator": {"open"}, "survey": {"open"}, "anonymous": {"open"},
}


def send_air(world, hours_ago_list, value=30.0):
    now = timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0,
                                                microsecond=0)
    files = [tt10_file(world.air_hn, now - datetime.timedelta(hours=h),
                       [("PM2,5", value, "ug/m3")]) for h in hours_ago_list]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()


@pytest.fixture
def catalogue(world):
    send_air(world, [3, 2, 1])
    services.sync()
    registry = Dataset.objects.get(identifier="co-so-va-nguon-thai")
    registry.access_class = "internal"
    registry.save()
    return {
        "open": Dataset.objects.get(identifier__startswith="quan-trac-kk-hourly-01"),
        "shared": Dataset.objects.get(identifier="su-co-vuot-quy-chuan"),
        "internal": registry,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_sees_and_downloads_only_its_access_classes(world, catalogue, persona):
    client = world.client(persona)
    listing = client.get("/datasets/").content.decode()
    for access, dataset in catalogue.items():
        allowed = access in SEES[persona]
        assert (f'data-identifier="{dataset.identifier}"' in listing) == allowed, access
        page = client.get(f"/datasets/{dataset.identifier}/")
        download = client.get(f"/datasets/{dataset.identifier}/download.csv")
        if allowed:
            assert page.status_code == 200 and download.status_code == 200
            b"".join(download.streaming_content)
        else:
            assert page.status_code == 404
            # A visitor is asked to sign in; someone signed in learns nothing.
            assert download.status_code == (302 if persona == "anonymous" else 404)


def test_freshness_follows_the_data(world, catalogue):
    dataset = catalogue["open"]
    first_end = dataset.temporal_end
    assert dataset.row_count == 3 and not dataset.is_late()
    send_air(world, [0])  # a new hour arrives
    services.sync()
    dataset.refresh_from_db()
    assert dataset.temporal_end > first_end and dataset.row_count == 4
    assert dataset.current_until == dataset.temporal_end
    # The data stops: four hours later the hourly dataset is late (3 hours allowed).
    later = timezone.now() + datetime.timedelta(hours=4)
    assert dataset.is_late(later)
    page = world.client("anonymous").get(f"/datasets/{dataset.identifier}/")
    assert b'id="late-badge"' not in page.content
    Dataset.objects.filter(pk=dataset.pk).update(
        current_until=timezone.now() - datetime.timedelta(hours=5))
    page = world.client("anonymous").get(f"/datasets/{dataset.identifier}/")
    assert b'id="late-badge"' in page.content
    late = world.client("steward").get("/catalogue/late/")
    assert dataset.identifier.encode() in late.content
    assert world.client("operator").get("/catalogue/late/").status_code == 403


@pytest.mark.parametrize("query, expected", [
    ("chat luong khong khi", "chi-so-chat-luong-khong-khi-vn-aqi-hourly"),
    ("Chất lượng không khí", "chi-so-chat-luong-khong-khi-vn-aqi-daily"),
    ("ha noi", "quan-trac-kk-hourly-01"),
    ("nguon thai", "co-so-va-nguon-thai"),
])
def test_search_ignores_diacritics(world, catalogue, query, expected):
    found = [item.identifier for item in services.search(system_actor("t"),
                                                         services.Search(q=query))]
    assert any(identifier.startswith(expected) for identifier in found), found


def test_dong_nai_finds_the_dong_nai_datasets(world, catalogue):
    ingest.ingest(system_actor("tests"), "ftp", [tt10_file(
        world.air_dn, timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0,
                                                            microsecond=0),
        [("PM2,5", 20, "ug/m3")])], live=True)
    services.sync()
    found = services.search(system_actor("t"), services.Search(q="dong nai"))
    assert found and all("dong-nai" in item.identifier for item in found)


def test_facets_count_the_other_filters(world, catalogue):
    actor = system_actor("t")
    chosen = services.Search(access_class=["open"])
    facets = services.facets(actor, chosen)
    classes = {value: count for value, _label, count in facets["access_class"]}
    assert classes["open"] >= 1 and classes["shared"] >= 1  # siblings stay visible
    assert all(item.access_class == "open" for item in services.search(actor, chosen))
    formats = {value for value, _label, _count in facets["format"]}
    assert {"CSV", "PARQUET", "GEOJSON"} <= formats


def test_every_format_downloads_and_parses(world, catalogue):
    client = world.client("steward")
    base = f"/datasets/{catalogue['open'].identifier}/download"
    text = b"".join(client.get(f"{base}.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and rows[0]["parameter"] == "PM2_5"
    data = json.loads(b"".join(client.get(f"{base}.json").streaming_content))
    assert len(data) == 3 and data[0]["mean"] == 30.0
    geo = json.loads(b"".join(client.get(f"{base}.geojson").streaming_content))
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [105.83, 21.02]}
    book = openpyxl.load_workbook(io.BytesIO(b"".join(
        client.get(f"{base}.xlsx").streaming_content)), read_only=True)
    assert len(list(book.active.iter_rows(values_only=True))) == 4  # header + 3
    table = pq.read_table(io.BytesIO(b"".join(client.get(f"{base}.parquet").streaming_content)),
                          use_threads=False)
    assert table.num_rows == 3 and table.column("mean").to_pylist() == [30.0, 30.0, 30.0]


def test_download_filters_and_bad_input(world, catalogue):
    client = world.client("anonymous")
    identifier = catalogue["open"].identifier
    now = timezone.now().astimezone(VN)
    later = client.get(f"/datasets/{identifier}/download.json?from="
                       f"{(now + datetime.timedelta(days=1)).date()}")
    assert json.loads(b"".join(later.streaming_content)) == []
    for query in ("from=yesterday", "from=2026-11-20&to=2026-11-01", "version=x"):
        assert client.get(f"/datasets/{identifier}/download.csv?{query}").status_code == 400
    assert client.get(f"/datasets/{identifier}/download.exe").status_code == 404
    # The exceedances have no coordinates: no GeoJSON.
    assert world.client("steward").get(
        "/datasets/su-co-vuot-quy-chuan/download.geojson").status_code == 404


def test_the_dataset_page_embeds_schema_org_json_ld(world, catalogue):
    page = world.client("anonymous").get(f"/datasets/{catalogue['open'].identifier}/")
    html = page.content.decode()
    start = html.index('<script type="application/ld+json" id="dataset-json-ld">')
    body = html[html.index(">", start) + 1:html.index("</script>", start)]
    data = json.loads(body)
    assert data["@type"] == "Dataset" and data["distribution"]
    assert any(d["contentUrl"].endswith("download.csv") for d in data["distribution"])


def test_a_steward_edit_is_audited_and_versioned(world, catalogue):
    from envhub.accounts.models import AuditEvent
    from envhub.core.errors import InvalidInput

    dataset = catalogue["open"]
    dataset.title_en = "Ha Noi ambient air, hourly"
    services.save_metadata(world.actor("steward"), dataset)
    assert AuditEvent.objects.filter(object_type="catalog.dataset",
                                     object_id=str(dataset.pk), action="update").exists()
    latest = dataset.metadata_versions.order_by("-number").first()
    assert latest.number == 2 and "title_en" in latest.changes
    dataset.title_vi = " "
    with pytest.raises(InvalidInput):
        services.save_metadata(world.actor("steward"), dataset)
    from envhub.core.errors import EnvhubError

    dataset.refresh_from_db()
    dataset.title_en = "x"
    with pytest.raises(EnvhubError):
        services.save_metadata(world.actor("officer"), dataset)


def test_a_daily_download_from_a_date_starts_on_that_local_day(world, catalogue):
    send_air(world, [30])  # 29 hours before the others: always another day
    daily = Dataset.objects.get(identifier__startswith="quan-trac-kk-daily-01")
    client = world.client("anonymous")

    def days(query=""):
        return {row["day"] for row in json.loads(b"".join(client.get(
            f"/datasets/{daily.identifier}/download.json{query}").streaming_content))}

    # The days come from the data, not the clock: just after midnight the latest
    # values still belong to yesterday.
    every_day = days()
    assert len(every_day) >= 2
    last = max(every_day)
    assert days(f"?from={last}&to={last}") == {last}


def test_sync_keeps_a_stewards_withdrawal_and_a_failing_providers_datasets(world, catalogue,
                                                                           monkeypatch):
    from envhub.core import providers

    dataset = catalogue["open"]
    dataset.withdrawn = True
    services.save_metadata(world.actor("steward"), dataset)
    services.sync()
    dataset.refresh_from_db()
    assert dataset.withdrawn  # the steward's decision stands

    def broken():
        raise RuntimeError("database unavailable")

    aqi = providers.discover()["airquality.vn_aqi"]
    monkeypatch.setattr(aqi, "specs", broken)
    report = services.sync()
    assert any("airquality.vn_aqi" in problem for problem in report.problems)
    assert not Dataset.objects.filter(provider="airquality.vn_aqi", withdrawn=True).exists()
