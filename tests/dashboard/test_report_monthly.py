"""A monthly report of a report_month month: its PDF exists and reads back with its sections and the
database's figures (counted here by hand-written SQL), its XLSX holds the same tables, and
making it again gives the same figures."""

from __future__ import annotations

import functools
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from envhub.core.permissions import system_actor
from envhub.dashboard import reports
from envhub.dashboard.models import Report, ReportStatus
from tests.dashboard import seed

pytestmark = pytest.mark.django_db

# November's hours over the limit and events begun, by hand-written SQL (not the report's code).
hours_over = functools.partial(seed.plain_hours, *seed.MONTH)
events_begun = functools.partial(seed.plain_events_started, *seed.MONTH)


def _make(province=None, language="vi") -> Report:
    report = Report.objects.create(province=province, period_kind="month",
                                   first_day=seed.MONTH_FIRST, last_day=seed.MONTH_LAST,
                                   language=language, requested_by="tests")
    assert reports.run() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    return report


def _pdf_text(report: Report) -> str:
    actor = system_actor()
    stream, _name, _type = reports.open_file(actor, report.pk, "pdf")
    with stream:
        reader = PdfReader(io.BytesIO(stream.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def _sheets(report: Report) -> dict[str, list[tuple]]:
    stream, _name, _type = reports.open_file(system_actor(), report.pk, "xlsx")
    with stream:
        workbook = load_workbook(io.BytesIO(stream.read()), read_only=True)
    # Keyed by the table's title in A1 (a sheet's name is cut to Excel's 31 characters).
    tables = [[tuple(row) for row in sheet.iter_rows(values_only=True)]
              for sheet in workbook.worksheets]
    return {rows[0][0]: rows for rows in tables}


def test_it_writes_the_national_pdf_with_its_sections_and_the_databases_figures(report_month):
    report = _make()
    text = _pdf_text(report)
    for heading in ("Báo cáo môi trường", "Việt Nam (cả nước)", "Tháng 11/2026",
                    "Vượt quy chuẩn theo tỉnh", "Vượt quy chuẩn theo loại hình",
                    "Cơ sở có nhiều giờ vượt quy chuẩn nhất",
                    "Mức đầy đủ dữ liệu và gián đoạn truyền dữ liệu",
                    "Số ngày theo mức VN_AQI", "Hồ sơ khảo sát"):
        assert heading in text, heading
    assert hours_over() == 18 and events_begun() == 4
    figures = report.figures
    assert figures["totals"]["hours"] == hours_over()
    assert figures["totals"]["events"] == events_begun()
    by_province = {row["province"]: row["hours"] for row in figures["by_province"]}
    assert by_province == {"01": hours_over("01"), "75": hours_over("75")}
    # The facilities' names and figures, as a Vietnamese reader reads them.
    assert "Nhà máy Nhiệt điện Sông Hồng" in text and "Nhà máy Xi măng Biên Hòa" in text
    assert "Thành phố Hà Nội" in text
    # Completeness: Hà Nội 20 + 24 of 48 per day = 91,7 %; Đồng Nai 12 of 24 = 50 %.
    assert "91,7" in text and "50" in text
    completeness = {row["province"]: row for row in figures["completeness"]}
    assert completeness["01"]["completeness"] == 91.7
    assert completeness["75"]["outages"] == 1
    aqi = {row["province"]: row["days"] for row in figures["aqi_days"]}
    assert aqi["01"]["good"] == 20 and aqi["01"]["poor"] == 10 and aqi["75"]["moderate"] == 30
    [survey] = figures["surveys"]
    assert (survey["title"], survey["assignments"], survey["states"]["approved"]) == (
        "Điều tra 2026", 1, 1)
    assert figures["totals"]["submissions"] == 1
    assert report.pdf_sha256 and len(report.pdf_sha256) == 64 and report.pdf_size > 1000


def test_it_writes_the_same_tables_in_the_xlsx(report_month):
    report = _make()
    sheets = _sheets(report)
    by_province = sheets["Vượt quy chuẩn theo tỉnh"]
    assert by_province[1] == ("Việt Nam (cả nước)", "Tháng 11/2026")
    rows = {row[0]: row[1:] for row in by_province[3:]}
    assert rows["Thành phố Hà Nội"] == (2, hours_over("01"), events_begun("01"), 0)
    assert rows["Đồng Nai"] == (1, hours_over("75"), events_begun("75"), 0)
    facilities = sheets["Cơ sở có nhiều giờ vượt quy chuẩn nhất"][3:]
    # 7 hours each; more events first.
    assert [row[0] for row in facilities] == ["Nhà máy Nhiệt điện Sông Hồng",
                                              "Nhà máy Xi măng Biên Hòa",
                                              "Nhà máy Dệt Long Biên"]
    assert [row[3:] for row in facilities] == [(7, 2), (7, 1), (4, 1)]
    completeness = {row[0]: row[1:] for row in
                    sheets["Mức đầy đủ dữ liệu và gián đoạn truyền dữ liệu"][3:]}
    # 2 stations, one with a series sending half its hours: 720 expected, 360 missing.
    assert completeness["Đồng Nai"] == (2, 720, 360, 50, 1)


def test_it_gives_the_same_figures_when_made_again(report_month):
    first = _make()
    second = _make()
    assert first.pk != second.pk
    assert first.figures == second.figures
    # The files carry the moment they were made; their tables are the same.
    assert _sheets(first) == _sheets(second)


def test_it_counts_only_the_province_in_a_province_report(report_month):
    report = _make(province=report_month.dongnai, language="en")
    assert report.figures["totals"]["hours"] == hours_over("75") == 7
    text = _pdf_text(report)
    assert "Environmental report" in text and "Đồng Nai" in text
    assert "Sông Hồng" not in text
