"""An XLSX download keeps the data as stored (the same values as the CSV and Parquet files) and
shows its number columns as the site does: Excel's format for the site's decimals, six for a
coordinate (core/numbers.py)."""

from __future__ import annotations

from openpyxl import load_workbook

from envhub.catalog.downloads import xlsx_file
from envhub.core.providers import STATION_COLUMNS, Column


def test_number_columns_get_the_site_s_decimals_and_keep_their_values():
    columns = [*STATION_COLUMNS, Column("mean", "number", "Trung bình"),
               Column("count", "integer", "Số giá trị")]
    rows = [("HN1", "Trạm 1", "01", 21.0285123, 105.8542, 49.37038337924701, 1734)]
    handle = xlsx_file(columns, iter(rows), "data")
    handle.seek(0)
    sheet = load_workbook(handle).active
    row = list(sheet.iter_rows(min_row=2))[0]
    assert [(cell.value, cell.number_format) for cell in row[3:]] == [
        (21.0285123, "#,##0.000000"), (105.8542, "#,##0.0000"),
        (49.37038337924701, "#,##0.00"), (1734, "General")]
