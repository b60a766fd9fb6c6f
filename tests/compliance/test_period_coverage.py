"""Completeness told honestly (issue 15 item 4): a month without data, a window in progress and
a partial window give "no data", "in progress" and the coverage — not 0 — on the pages, in the
XLSX report and in the API. TT10 files in, through the rollups and the judging."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from envhub.compliance.models import Permit, Regulation
from envhub.core.timeutil import VN
from tests.compliance.test_judged_coverage import ingest_and_judge
from tests.monitoring.files import tt10_file
from tests.registry.test_pages_personas import dom

pytestmark = pytest.mark.django_db


def today():
    return timezone.now().astimezone(VN).date()


def stack_permit(world, valid_from):
    """Hourly windows (QCVN 19:2009), one value an hour."""
    world.station_stack_hn.expected_interval_minutes = 60
    world.station_stack_hn.save()
    return Permit.objects.create(
        source=world.stack_hn, number="1/GPMT", valid_from=valid_from,
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=10_000, location_class="3")


def facility_page(world, first, last):
    response = world.client("steward").get(
        f"/facilities/{world.facility_hn.pk}/compliance/?from={first}&to={last}")
    assert response.status_code == 200
    return dom(response)


def page_row(root, source, code):
    """(the completeness cell's status class, the hours cell's text) of a parameter's row."""
    section = next(node for node in root.find_all("section")
                   if node.attrs.get("aria-labelledby") == f"source-{source.pk}")
    for row in section.find("tbody").find_all("tr"):
        cells = row.find_all("td")
        if cells[0].text == code:
            badge = cells[5].find("span", class_="badge")
            status = next(name for name in badge.attrs["class"].split()
                          if name.startswith("coverage-"))
            return status, cells[6].text
    raise AssertionError(f"no row for {code}")


def xlsx_row(world, first, last, code):
    response = world.client("steward").get(
        f"/facilities/{world.facility_hn.pk}/compliance.xlsx?from={first}&to={last}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[-1]
    rows = list(sheet.iter_rows(values_only=True))
    found = [row for row in rows[1:] if row[1] == code]
    assert len(found) == 1, rows
    return dict(zip(rows[0], found[0], strict=True)), rows[0]


def api_parameter(world, first, last, source, code):
    response = world.client("steward").get(
        f"/api/v1/facilities/{world.facility_hn.pk}/compliance?from={first}&to={last}")
    assert response.status_code == 200, response.content
    block = next(b for b in response.json()["sources"] if b["source"]["id"] == source.pk)
    return next(p for p in block["parameters"] if p["parameter"] == code)


def test_a_month_without_data_says_no_data_not_0_hours(world):
    first = (today().replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    stack_permit(world, first - datetime.timedelta(days=30))

    overview = world.client("steward").get(f"/compliance/?month={first:%Y-%m}")
    root = dom(overview)
    assert "0 giờ" not in root.find("main").text  # neither per province nor in all
    assert "dữ liệu không đủ để tính số giờ vượt" in root.find("main").text
    row = next(tr for tr in root.find("tbody").find_all("tr") if "Hà Nội" in tr.text)
    cells = row.find_all("td")
    assert cells[2].text == "—"  # hours over the limit: not 0
    assert cells[3].find("span", class_="coverage-no_data").text == "không có dữ liệu"

    province = world.client("steward").get(f"/provinces/01/compliance/?month={first:%Y-%m}")
    root = dom(province)
    assert "0 giờ" not in root.find("main").text
    row = next(tr for tr in root.find("tbody").find_all("tr")
               if world.facility_hn.name in tr.text)
    assert row.find_all("td")[3].text == "—"
    assert row.find("span", class_="coverage-no_data")

    assert page_row(facility_page(world, first, last), world.stack_hn, "SO2") == \
        ("coverage-no_data", "—")
    row, header = xlsx_row(world, first, last, "SO2")
    status, hours = header[-1], header[-2]
    assert (row[status], row[hours]) == ("không có dữ liệu", None)

    api = world.client("steward").get(f"/api/v1/compliance/overview?month={first:%Y-%m}")
    hanoi = next(p for p in api.json()["provinces"] if p["code"] == "01")
    assert (hanoi["status"], hanoi["hours"], hanoi["coverage"]) == ("no_data", None, 0.0)
    assert hanoi["windows"] == (last - first).days * 24 + 24
    found = api_parameter(world, first, last, world.stack_hn, "SO2")
    assert (found["status"], found["exceeded_hours"], found["coverage"]) == \
        ("no_data", None, 0.0)
    api = world.client("steward").get(f"/api/v1/compliance/provinces/01?month={first:%Y-%m}")
    ndsh = next(f for f in api.json()["facilities"] if f["id"] == world.facility_hn.pk)
    assert (ndsh["status"], ndsh["hours"]) == ("no_data", None)


def test_a_partial_window_gives_its_coverage(world):
    day = today() - datetime.timedelta(days=2)
    stack_permit(world, day)
    # 6 of the day's 24 hourly windows, under the limit: 25 %, not "0 hours over".
    ingest_and_judge([tt10_file(world.station_stack_hn, datetime.datetime.combine(
        day, datetime.time(hour)), [("SO2", 100, "mg/Nm3")]) for hour in range(9, 15)])

    root = facility_page(world, day, day)
    assert page_row(root, world.stack_hn, "SO2") == ("coverage-insufficient", "—")
    # CO has a limit but the stack does not measure it: not monitored, rather than "no data".
    section = next(node for node in root.find_all("section")
                   if node.attrs.get("aria-labelledby") == f"source-{world.stack_hn.pk}")
    co = next(tr for tr in section.find("tbody").find_all("tr")
              if tr.find_all("td")[0].text == "CO")
    assert [td.text for td in co.find_all("td")[5:]] == ["—", "—"]
    row, header = xlsx_row(world, day, day, "SO2")
    assert row[header[-1]] == "không đủ dữ liệu (tỷ lệ dữ liệu 25 %)"
    assert [row[header[i]] for i in range(2, 7)] == [24, 6, 25.0, None, None]
    found = api_parameter(world, day, day, world.stack_hn, "SO2")
    assert (found["status"], found["coverage"], found["windows"], found["valid_windows"],
            found["exceeded_hours"]) == ("insufficient", 25.0, 24, 6, None)


def test_a_window_in_progress_is_not_missing_data(world):
    now = timezone.now().astimezone(VN).replace(second=0, microsecond=0, tzinfo=None)
    if now.hour == 0 and now.minute == 0:
        now -= datetime.timedelta(minutes=1)  # still yesterday's window: no value ahead
    day = now.date()
    world.station_outfall_hn.expected_interval_minutes = 60
    world.station_outfall_hn.save()
    # QCVN 40:2011 judges on 24-hour windows: today's ends tonight.
    Permit.objects.create(source=world.outfall_hn, number="40/GPMT", valid_from=day,
                          regulation=Regulation.objects.get(code="QCVN 40:2011/BTNMT"),
                          column="B", river_flow_m3s=120, discharge_m3d=800)
    ingest_and_judge([tt10_file(world.station_outfall_hn, now, [("COD", 20, "mg/L")])])

    assert page_row(facility_page(world, day, day), world.outfall_hn, "COD") == \
        ("coverage-in_progress", "—")
    row, header = xlsx_row(world, day, day, "COD")
    assert (row[header[-1]], row[header[-2]], row[header[2]]) == ("đang tính", None, 0)
    found = api_parameter(world, day, day, world.outfall_hn, "COD")
    assert (found["status"], found["coverage"], found["windows"]) == ("in_progress", None, 0)


def test_the_coverage_api_keeps_to_the_callers_scope(world):
    Permit.objects.create(
        source=world.facility_dn.sources.first(), number="2/GPMT", valid_from=today(),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="B",
        facility_flow_m3h=10_000, location_class="3")
    officer = world.client("officer")  # Hà Nội
    assert officer.get("/api/v1/compliance/overview").json()["provinces"] == []
    assert officer.get(f"/api/v1/facilities/{world.facility_dn.pk}/compliance"
                       ).status_code == 404
    assert officer.get("/api/v1/compliance/provinces/75").json()["facilities"] == []
    assert world.client("anonymous").get("/api/v1/compliance/overview").status_code == 401
    steward = world.client("steward").get("/api/v1/compliance/overview").json()
    assert [row["code"] for row in steward["provinces"]] == ["75"]


def test_the_window_still_running_is_marked_in_progress_in_the_api(world):
    now = timezone.now().astimezone(VN).replace(second=0, microsecond=0, tzinfo=None)
    if now.hour == 0 and now.minute == 0:
        now -= datetime.timedelta(minutes=1)
    day = now.date()
    world.station_outfall_hn.expected_interval_minutes = 60
    world.station_outfall_hn.save()
    Permit.objects.create(source=world.outfall_hn, number="40/GPMT", valid_from=day,
                          regulation=Regulation.objects.get(code="QCVN 40:2011/BTNMT"),
                          column="B", river_flow_m3s=120, discharge_m3d=800)
    ingest_and_judge([tt10_file(world.station_outfall_hn, now, [("COD", 20, "mg/L")])])
    response = world.client("steward").get(
        f"/api/v1/sources/{world.outfall_hn.pk}/assessments?from={day}&to={day}")
    assert [(row["state"], row["in_progress"]) for row in response.json()["results"]] == \
        [("unknown", True)]


def test_a_month_not_started_is_in_progress_with_no_count(world):
    stack_permit(world, today() - datetime.timedelta(days=30))
    month = (today().replace(day=1) + datetime.timedelta(days=62)).replace(day=1)
    api = world.client("steward").get(f"/api/v1/compliance/overview?month={month:%Y-%m}")
    hanoi = next(p for p in api.json()["provinces"] if p["code"] == "01")
    assert (hanoi["status"], hanoi["hours"], hanoi["coverage"], hanoi["windows"]) == \
        ("in_progress", None, None, 0)
