"""The XLSX compliance report keeps numbers as numbers, rounded as the pages show them and with
Excel's number format for those decimals (Excel writes them with the reader's separators): no
49.37038337924701, and a peak just over the limit never rounded onto it (core/numbers.py)."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.registry.models import Parameter

pytestmark = pytest.mark.django_db


def _event(world, hours_ago, peak, limit=450.0):
    end = timezone.now().replace(minute=0, second=0, microsecond=0) \
        - datetime.timedelta(hours=hours_ago)
    return ExceedanceEvent.objects.create(
        source=world.stack_hn, parameter=Parameter.objects.get(medium="emission", code="SO2"),
        start=end - datetime.timedelta(hours=2), end=end, peak_value=peak,
        peak_multiple=peak / limit, peak_at=end, band="2", hours=2, limit=limit,
        unit="mg/Nm3", status=EventStatus.CLOSED)


def test_report_cells_are_rounded_numbers_with_a_number_format(world):
    _event(world, 10, 1449.37038337924701)
    _event(world, 5, 450.004)
    today = timezone.now().date()
    report = world.client("steward").get(
        f"/facilities/{world.facility_hn.pk}/compliance.xlsx"
        f"?from={today - datetime.timedelta(days=2)}&to={today}")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    sheet = book.worksheets[3]  # the exceedances, oldest first
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 2
    cells = [(row[5].value, row[5].number_format, row[7].value, row[7].number_format,
              row[9].value, row[9].number_format) for row in rows]
    assert cells[0] == (1449.37, "#,##0.00", 3.22, "#,##0.00", 450, "#,##0")
    # 450.004 against 450: three decimals, and a multiple of 1.0000089 is not "1".
    assert cells[1] == (450.004, "#,##0.000", 1.00001, "#,##0.00000", 450, "#,##0")
    assert rows[0][4].value == 2 and rows[0][4].number_format == "#,##0"
