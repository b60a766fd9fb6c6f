"""A generic table's approved rows: the page of a version's rows filtered by a column (exact
or contains for text, a range for numbers) and sorted by any column — numbers as numbers —
on SQLite and PostgreSQL; downloads of the filtered rows; and the catalogue provider that
publishes each loaded table (versions, columns, access class, rows cut by the one rule)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from envhub.catalog import services
from envhub.catalog.models import Dataset
from envhub.surveys.models import Assignment
from tests.surveys.steps import PERSONAS, loaded, well, wells_file

pytestmark = pytest.mark.django_db

SEE_ALL = {"admin", "steward", "leader"}


@pytest.fixture
def table(world, campaign):
    """Three wells in version 1; version 2 corrects one depth and adds a well."""
    v1 = loaded(world, campaign.generic, wells_file(
        well(world, "HN-0001", depth="12,5", owner="Nguyễn Văn Á", households="3"),
        well(world, "HN-0002", depth="3", owner="Trần Thị Bích", households="12"),
        well(world, "HN-0003", depth="100", owner="Lê Văn Cường", households="7")))
    v2 = loaded(world, campaign.generic, wells_file(
        well(world, "HN-0001", depth="12,5", owner="Nguyễn Văn Á", households="3"),
        well(world, "HN-0002", depth="4", owner="Trần Thị Bích", households="12"),
        well(world, "HN-0003", depth="100", owner="Lê Văn Cường", households="7"),
        well(world, "HN-0004", depth="25", owner="Phạm Thị Dung", households="20")))
    return {"v1": v1, "v2": v2, "url": f"/surveys/assignments/{campaign.generic.pk}/rows/"}


def wells_shown(page: str) -> list[str]:
    return re.findall(r"<td>(HN-\d{4})</td>", page)


def test_it_shows_the_newest_loaded_version_by_default_and_any_by_number(world, table):
    client = world.client("steward")
    assert wells_shown(client.get(table["url"]).content.decode()) == [
        "HN-0001", "HN-0002", "HN-0003", "HN-0004"]
    page = client.get(table["url"], {"version": 1}).content.decode()
    assert wells_shown(page) == ["HN-0001", "HN-0002", "HN-0003"]
    assert client.get(table["url"], {"version": 9}).status_code == 404


@pytest.mark.parametrize("sort, expected", [
    ("depth", ["HN-0002", "HN-0001", "HN-0004", "HN-0003"]),  # 4 < 12,5 < 25 < 100
    ("-depth", ["HN-0003", "HN-0004", "HN-0001", "HN-0002"]),
    ("households", ["HN-0001", "HN-0003", "HN-0002", "HN-0004"]),  # 3 < 7 < 12 < 20
    ("owner", ["HN-0003", "HN-0001", "HN-0004", "HN-0002"]),
    ("-well_id", ["HN-0004", "HN-0003", "HN-0002", "HN-0001"]),
])
def test_it_sorts_by_any_column_numbers_as_numbers(world, table, sort, expected):
    page = world.client("steward").get(table["url"], {"sort": sort}).content.decode()
    assert wells_shown(page) == expected


@pytest.mark.parametrize("query, expected", [
    ({"owner": "thị"}, ["HN-0002", "HN-0004"]),  # contains, regardless of case
    ({"well_id": "HN-0003"}, ["HN-0003"]),
    ({"depth": "12,5"}, ["HN-0001"]),  # a number: equal, written as a reader writes it
    ({"min_depth": "10", "max_depth": "30"}, ["HN-0001", "HN-0004"]),
    ({"min_households": "8", "sort": "-households"}, ["HN-0004", "HN-0002"]),
    ({"survey_date": "2026-04-03", "max_depth": "5"}, ["HN-0002"]),
    ({"owner": "không có ai"}, []),
])
def test_it_filters_by_a_column(world, table, query, expected):
    page = world.client("steward").get(table["url"], query).content.decode()
    assert wells_shown(page) == expected


def test_a_bad_range_is_said_not_a_failure(world, table):
    response = world.client("steward").get(table["url"], {"min_depth": "sâu"})
    assert response.status_code == 200 and "không phải là số" in response.content.decode()


def test_the_filtered_rows_download_as_csv_and_xlsx(world, table):
    client = world.client("steward")
    response = client.get(table["url"], {"min_depth": "10", "sort": "-depth", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["line", "well_id"]
    assert [row[1] for row in rows[1:]] == ["HN-0003", "HN-0004", "HN-0001"]
    assert "-v2.csv" in response["Content-Disposition"]
    response = client.get(table["url"], {"owner": "Thị", "format": "xlsx", "version": "1"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in values[1:]] == ["HN-0002"]
    assert values[1][values[0].index("depth")] == 3


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_rows_page_of_an_unpublished_table_is_for_whoever_sees_the_assignment(
        world, table, persona):
    response = world.client(persona).get(table["url"])
    if persona in SEE_ALL | {"survey"}:
        assert len(wells_shown(response.content.decode())) == 4
    elif persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_only_generic_tables_have_a_rows_page(world, campaign):
    url = f"/surveys/assignments/{campaign.periodic.pk}/rows/"
    assert world.client("steward").get(url).status_code == 404


# --- the catalogue ----------------------------------------------------------------------------

def _dataset(campaign) -> Dataset:
    services.sync()
    return Dataset.objects.get(provider="surveys.tables",
                               provider_key=str(campaign.generic.pk))


def test_a_loaded_table_is_a_dataset_of_the_catalogue(world, campaign, table):
    dataset = _dataset(campaign)
    assert dataset.access_class == "shared" and dataset.row_count == 4
    assert "Khảo sát giếng nước hộ gia đình" in dataset.title_vi
    client = world.client("steward")
    assert f'data-identifier="{dataset.identifier}"' in client.get("/datasets/").content.decode()
    page = client.get(f"/datasets/{dataset.identifier}/").content.decode()
    assert "HN-0004" in page and "Độ sâu (m)" in page
    newest = client.get(f"/datasets/{dataset.identifier}/download.csv")
    rows = list(csv.DictReader(io.StringIO(
        b"".join(newest.streaming_content).decode("utf-8-sig"))))
    assert [(r["well_id"], r["depth"]) for r in rows][:2] == [("HN-0001", "12.5"),
                                                              ("HN-0002", "4.0")]
    first = client.get(f"/datasets/{dataset.identifier}/download.json", {"version": 1})
    import json

    data = json.loads(b"".join(first.streaming_content))
    records = data if isinstance(data, list) else data.get("rows") or data.get("data")
    assert len(records) == 3
    ckan = client.get("/api/3/action/package_show", {"id": dataset.identifier}).json()
    assert ckan["success"] and ckan["result"]["name"] == dataset.identifier


def test_a_table_without_a_loaded_version_is_not_in_the_catalogue(world, campaign):
    services.sync()
    assert not Dataset.objects.filter(provider="surveys.tables").exists()


@pytest.mark.parametrize("access", ["open", "shared"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_dataset_follows_its_access_class(world, campaign, table, access, persona):
    Assignment.objects.filter(pk=campaign.generic.pk).update(access_class=access)
    dataset = _dataset(campaign)
    dataset.access_class = access  # the class the steward chose when the dataset was made
    dataset.save(update_fields=["access_class"])
    client = world.client(persona)
    download = client.get(f"/datasets/{dataset.identifier}/download.csv")
    listed = f'data-identifier="{dataset.identifier}"' in client.get("/datasets/") \
        .content.decode()
    sees = access == "open" or persona in SEE_ALL | {"officer"}
    assert listed == sees
    if not sees:
        assert download.status_code == (302 if persona == "anonymous" else 404)
        return
    rows = list(csv.reader(io.StringIO(
        b"".join(download.streaming_content).decode("utf-8-sig"))))[1:]
    # A table's rows belong to the dataset: whoever the access class admits reads them all
    # (every road and every class: test_table_access.py).
    assert len(rows) == 4


def test_a_download_as_of_a_date_gives_the_version_then_in_force(world, campaign, table):
    import datetime

    from envhub.core.timeutil import VN
    from envhub.surveys.models import Version

    def at(day):
        return datetime.datetime(2026, 1, day, 10, tzinfo=VN)

    Version.objects.filter(pk=table["v1"].pk).update(loaded_at=at(10))
    Version.objects.filter(pk=table["v2"].pk).update(loaded_at=at(20))
    dataset = _dataset(campaign)
    client = world.client("steward")
    for as_of, count in (("2026-01-15", 3), ("2026-01-20", 4), ("2026-01-05", 0)):
        response = client.get(f"/datasets/{dataset.identifier}/download.csv", {"as_of": as_of})
        rows = list(csv.reader(io.StringIO(
            b"".join(response.streaming_content).decode("utf-8-sig"))))[1:]
        assert len(rows) == count, as_of


@pytest.mark.parametrize("query, expected", [
    ({"owner": "NGUYỄN VĂN Á"}, ["HN-0001"]),
    ({"owner": "nguyễn văn á"}, ["HN-0001"]),
    ({"owner": "đỗ"}, ["HN-0005"]),
    ({"owner": "ĐÀO"}, ["HN-0005"]),
    ({"owner": "ắ"}, ["HN-0006"]),
    ({"owner": "Ắ"}, ["HN-0006"]),
])
def test_it_filters_vietnamese_text_regardless_of_case_on_either_database(
        world, campaign, query, expected):
    """SQLite's LIKE folds ASCII letters only; the filter folds Đ/đ and Ắ/ắ as PostgreSQL."""
    loaded(world, campaign.generic, wells_file(
        well(world, "HN-0001", owner="Nguyễn Văn Á"),
        well(world, "HN-0005", owner="Đỗ Thị Đào"),
        well(world, "HN-0006", owner="Lý Văn Hắc")))
    url = f"/surveys/assignments/{campaign.generic.pk}/rows/"
    page = world.client("steward").get(url, query).content.decode()
    assert wells_shown(page) == expected


def test_a_field_whose_name_holds_a_double_quote_is_filtered_and_sorted(world, table):
    from envhub.surveys import tables
    from envhub.surveys.models import TableRow
    from envhub.surveys.tableschema import compile_schema

    version = table["v2"]
    schema = compile_schema({"name": "notes", "fields": [
        {"name": 'ghi "chú"', "type": "string"}, {"name": 'sâu "m"', "type": "number"},
        {"name": 'có "nước"', "type": "boolean"}]})
    TableRow.objects.bulk_create([
        TableRow(version=version, line=100 + number,
                 data={'ghi "chú"': note, 'sâu "m"': depth, 'có "nước"': wet})
        for number, (note, depth, wet) in enumerate(
            [("Đất đỏ", 3.5, True), ("cát", 12.0, False), ("ĐẤT SÉT", 7.25, True)])])
    actor = world.actor("steward")

    def lines(params):
        found = tables.rows(actor, version, schema, tables.parse_query(schema, params))
        return [row.line for row in found if row.line >= 100]
    assert lines({'ghi "chú"': "đất"}) == [100, 102]
    assert lines({'sâu "m"': "7,25"}) == [102]
    assert lines({'min_sâu "m"': "5", "sort": '-sâu "m"'}) == [101, 102]
    assert lines({'có "nước"': "có"}) == [100, 102]
    assert lines({"sort": 'ghi "chú"'})[0] == 101  # "cát" first (the rest: the collation's)
