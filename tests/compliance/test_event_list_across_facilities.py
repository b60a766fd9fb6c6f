"""The exceedance events of every facility in scope: each persona sees the same rows on the
page, in the API and in the CSV/XLSX downloads; filters, sorts, keyset paging and totals agree
with independent queries; bad values are a 400 in Vietnamese; hostile names stay text."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from envhub.compliance.models import EventStatus, ExceedanceEvent
from tests.compliance import across
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

SEES = {"admin": {"hn_so2", "hn_nox", "hn2_so2", "dn_so2"},
        "steward": {"hn_so2", "hn_nox", "hn2_so2", "dn_so2"},
        "leader": {"hn_so2", "hn_nox", "hn2_so2", "dn_so2"},
        "officer": {"hn_so2", "hn_nox", "hn2_so2"}, "operator": {"hn_so2", "hn_nox"},
        "survey": set(), "anonymous": set()}


def _ids(data, keys):
    return {data["events"][key].pk for key in keys}


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_scopes_the_page_the_api_and_the_downloads_alike(world, data, persona):
    client = world.client(persona)
    page = client.get("/compliance/events/")
    api = client.get("/api/v1/exceedances?limit=100")
    csv_file = client.get("/compliance/events.csv")
    xlsx_file = client.get("/compliance/events.xlsx")
    if persona == "anonymous":
        assert page.status_code == 302 and csv_file.status_code == 302
        assert xlsx_file.status_code == 302 and api.status_code == 401
        return
    expected = _ids(data, SEES[persona])
    assert page.status_code == 200
    shown = {event.pk for event in page.context["page"].results}
    assert shown == expected
    assert {row["id"] for row in api.json()["results"]} == expected
    assert {int(row["id"]) for row in _csv(csv_file)} == expected
    assert {row[0] for row in _xlsx(xlsx_file)[1:]} == expected
    if not expected:
        assert "Không có sự cố" in page.content.decode() or page.context["totals"].events == 0


def test_it_links_each_event_to_its_facility_compliance_page(world, data):
    body = world.client("admin").get("/compliance/events/").content.decode()
    assert f"/facilities/{world.facility_hn.pk}/compliance/?from=" in body


def test_it_totals_the_whole_filtered_list_as_an_independent_query(world, data):
    response = world.client("officer").get("/compliance/events/?limit=1")
    totals = response.context["totals"]
    rows = ExceedanceEvent.objects.filter(source__facility__province=world.hanoi).exclude(
        status=EventStatus.WITHDRAWN)
    assert totals.events == rows.count() == 3
    assert totals.hours == sum(row.hours for row in rows) == 10
    assert totals.open == 1
    assert totals.facilities == 2


@pytest.mark.parametrize(("query", "keys"), [
    ("sector=textiles", {"hn2_so2"}),
    ("sector=thermal_power", {"hn_so2", "hn_nox"}),
    ("province=75", {"dn_so2"}),
    ("parameter=NOx", {"hn_nox"}),
    ("band=3", {"dn_so2"}),
    ("status=open", {"hn_so2"}),
    ("status=closed", {"hn_nox", "hn2_so2", "dn_so2"}),
    ("from=2026-05-13&to=2026-05-15", {"hn_so2", "hn_nox", "hn2_so2"}),
    ("from=2026-03-01&to=2026-03-31", {"dn_so2"}),
    ("sector=cement&status=open", set()),
])
def test_it_filters_page_api_and_download_alike(world, data, query, keys):
    client = world.client("steward")
    expected = _ids(data, keys)
    page = client.get(f"/compliance/events/?{query}")
    assert {event.pk for event in page.context["page"].results} == expected
    api = client.get(f"/api/v1/exceedances?{query}")
    assert {row["id"] for row in api.json()["results"]} == expected
    assert {int(row["id"]) for row in _csv(client.get(f"/compliance/events.csv?{query}"))} \
        == expected


SORTED = {
    "-start": ["hn_so2", "hn_nox", "hn2_so2", "dn_so2"],
    "start": ["dn_so2", "hn2_so2", "hn_nox", "hn_so2"],
    "-hours": ["dn_so2", "hn_so2", "hn2_so2", "hn_nox"],
    "hours": ["hn_nox", "hn2_so2", "hn_so2", "dn_so2"],
    "-multiple": ["dn_so2", "hn_so2", "hn_nox", "hn2_so2"],
    "multiple": ["hn2_so2", "hn_nox", "hn_so2", "dn_so2"],
    # By facility name: "=cmd…" (Đồng Nai) < "Nhà máy Dệt…" < "Nhà máy Nhiệt điện…" (by id).
    "facility": ["dn_so2", "hn2_so2", "hn_so2", "hn_nox"],
    "-facility": ["hn_nox", "hn_so2", "hn2_so2", "dn_so2"],
}


@pytest.mark.parametrize("sort", list(SORTED))
def test_it_sorts_and_pages_by_keyset_one_row_at_a_time(world, data, sort):
    client = world.client("admin")
    seen, cursor = [], None
    for _ in range(10):
        url = f"/api/v1/exceedances?sort={sort}&limit=1" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        cursor = body["next"]
        if not cursor:
            break
    expected = [data["events"][key].pk for key in SORTED[sort]]
    if sort in ("facility", "-facility"):  # ties within a facility go by id
        hn = sorted([data["events"]["hn_so2"].pk, data["events"]["hn_nox"].pk],
                    reverse=sort.startswith("-"))
        rest = [data["events"][key].pk for key in ("dn_so2", "hn2_so2")]
        expected = rest + hn if sort == "facility" else hn + rest[::-1]
    assert seen == expected
    page = client.get(f"/compliance/events/?sort={sort}")
    assert [event.pk for event in page.context["page"].results] == expected
    rows = _csv(client.get(f"/compliance/events.csv?sort={sort}"))
    assert [int(row["id"]) for row in rows] == expected


def test_a_cursor_of_one_sort_is_refused_by_another(world, data):
    client = world.client("admin")
    cursor = client.get("/api/v1/exceedances?sort=-hours&limit=1").json()["next"]
    response = client.get(f"/api/v1/exceedances?sort=start&limit=1&cursor={cursor}")
    assert response.status_code == 400


@pytest.mark.parametrize(("query", "field"), [
    ("sector=bakery", "sector"), ("sort=sideways", "sort"), ("status=maybe", "status"),
    ("province=99", "province"), ("parameter=XYZ", "parameter"), ("band=9", "band"),
    ("from=yesterday", "from"), ("from=2026-05-10&to=2026-05-01", "from"),
    ("facility=abc", "facility"), ("province=" + "0" * 500, "province"),
])
def test_it_refuses_bad_values_with_a_vietnamese_message(world, data, query, field):
    client = world.client("steward")
    for url in (f"/compliance/events/?{query}", f"/compliance/events.csv?{query}",
                f"/compliance/events.xlsx?{query}"):
        response = client.get(url)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert "không" in body.lower() or "phải" in body.lower() or "quá dài" in body.lower()


@pytest.mark.parametrize("query", ["sector=bakery", "sort=sideways"])
def test_the_api_refuses_bad_new_values_in_its_envelope(world, data, query):
    response = world.client("steward").get(f"/api/v1/exceedances?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["error"]["code"] == "invalid_input"


def test_an_unknown_code_in_the_api_still_lists_nothing(world, data):
    response = world.client("steward").get("/api/v1/exceedances?province=99")
    assert response.status_code == 200 and response.json()["results"] == []


def test_a_hostile_facility_name_is_text_in_both_downloads(world, data):
    client = world.client("admin")
    rows = _csv(client.get("/compliance/events.csv?province=75"))
    assert rows[0]["facility"] == "'" + across.HOSTILE
    response = client.get("/compliance/events.xlsx?province=75")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Cơ sở") + 1)
    assert cell.value == across.HOSTILE and cell.data_type == "s"


def test_the_download_holds_the_documented_columns_with_rounded_numbers(world, data):
    rows = _csv(world.client("admin").get("/compliance/events.csv?sort=-multiple"))
    assert list(rows[0]) == [
        "id", "province", "facility_id", "facility", "sector", "source", "source_name",
        "parameter", "start", "end", "hours", "peak_value", "unit", "peak_multiple", "band",
        "limit", "status", "permit", "sanction_band", "flow_band", "parameter_class",
        "aggravation", "clause", "penalty", "fine_individual_from", "fine_individual_to",
        "fine_organisation_from", "fine_organisation_to", "additional_sanctions",
        "sanction_verified"]
    first = rows[0]
    # The download's classification is the one the event's own API answer carries.
    detail = world.client("admin").get(f"/api/v1/exceedances/{first['id']}").json()["sanction"]
    assert first["sanction_band"] == (detail["applied_band"]["label"]
                                      if detail and detail["applied_band"] else "")
    assert first["peak_multiple"] == "2.5" and first["hours"] == "8"
    assert first["start"].endswith("+07:00")
