"""The facility list's compliance columns (this quarter's hours over the limit, events and
data completeness): figures equal to independent queries, "no data" rather than a 0, sorting
by each column, a few grouped queries whatever the number of rows, and the download."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from envhub.compliance.models import Assessment, State
from envhub.registry.models import Facility, Sector
from tests.compliance import across
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


def _rows(response) -> dict:
    return {facility.pk: facility.columns[0][1]["figures"]
            for facility in response.context["page"].results}


def test_it_shows_this_quarters_figures_as_independent_queries_count_them(world, data):
    response = world.client("steward").get("/facilities/")
    figures = _rows(response)
    hn = figures[world.facility_hn.pk]
    over = Assessment.objects.filter(source__facility=world.facility_hn, state=State.EXCEEDS,
                                     window_end__gt=across.at(24 * 44)).count()
    assert hn.hours == over == 5
    assert hn.events == 2  # SO2 and NOx this quarter
    # Quarter so far (1 April 00:00 to 15 May 12:00 Viet Nam time): 44.5 days of hourly SO2
    # windows expected, 40 judged.
    expected_windows = 44 * 24 + 12
    assert hn.told.expected == expected_windows
    assert hn.completeness == round(100 * 40 / expected_windows, 1)
    body = response.content.decode()
    assert "Số giờ vượt quy chuẩn, quý này" in body


def test_a_facility_without_judged_data_says_no_data_not_zero(world, data):
    figures = _rows(world.client("steward").get("/facilities/"))
    hn2 = figures[world.facility_hn2.pk]
    assert hn2.hours is None and hn2.events == 1
    assert hn2.status == "no_data"
    dn = figures[world.facility_dn.pk]  # its event was last quarter
    assert dn.hours is None and dn.events == 0


@pytest.mark.parametrize(("sort", "order"), [
    ("-hours", ["hn", "dn", "hn2"]),  # no data last, then by name: "=cmd…" before "Nhà máy…"
    ("-events", ["hn", "hn2", "dn"]),
    ("events", ["dn", "hn2", "hn"]),
    ("completeness", ["hn", "dn", "hn2"]),
])
def test_it_sorts_by_each_column_and_pages_through(world, data, sort, order):
    client = world.client("admin")
    facilities = {"hn": world.facility_hn.pk, "hn2": world.facility_hn2.pk,
                  "dn": world.facility_dn.pk}
    response = client.get(f"/facilities/?sort={sort}")
    assert [f.pk for f in response.context["page"].results] == [facilities[k] for k in order]


def test_the_columns_cost_a_few_queries_whatever_the_rows(world, data):
    client = world.client("admin")
    client.get("/facilities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/facilities/")
    for number in range(12):
        Facility.objects.create(
            name=f"Cơ sở {number}", abbreviation=f"X{number}", tax_code=_tax_code(number),
            address="x",
            province=world.hanoi, ward=world.facility_hn.ward, sector=Sector.CEMENT,
            operator=world.enterprise_hn)
    with CaptureQueriesContext(connection) as many:
        client.get("/facilities/")
    assert len(many) == len(few)


def _tax_code(number: int) -> str:
    from stdnum.vn import mst

    body = f"01{number + 500:07d}"
    return body + mst.calc_check_digit(body)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_download_lists_what_the_page_lists(world, data, persona):
    client = world.client(persona)
    page = client.get("/facilities/")
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/facilities.{fmt}")
        if persona == "anonymous":
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        content = b"".join(response.streaming_content)
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
            ids = {int(row["id"]) for row in rows}
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
            ids = {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]}
        assert ids == {f.pk for f in page.context["page"].results}


def test_the_download_keeps_figures_and_hostile_names_as_data(world, data):
    client = world.client("admin")
    text = b"".join(client.get("/facilities.csv?sort=-hours").streaming_content).decode(
        "utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["hours_over_limit"] for row in rows] == ["5", "", ""]
    assert rows[0]["quarter"] == "Q2/2026" and rows[0]["events"] == "2"
    assert rows[1]["name"] == "'" + across.HOSTILE
    assert rows[2]["data_status"] == "không có dữ liệu"
    content = b"".join(client.get("/facilities.xlsx").streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    hostile = next(cell for cell in names if cell.value == across.HOSTILE)
    assert hostile.data_type == "s"


def test_a_bad_format_or_sort_is_refused_or_ignored_plainly(world, data):
    client = world.client("admin")
    assert client.get("/facilities.pdf").status_code == 400
    response = client.get("/facilities/?sort=nonsense")
    assert response.status_code == 200 and response.context["sort"] is None
    assert client.get("/facilities/?sort=-hours&cursor=forged").status_code == 400
