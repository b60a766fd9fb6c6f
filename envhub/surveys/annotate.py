"""The unit's own file handed back annotated: every row of its data sheet (or of its CSV) as it
was uploaded, each bad cell filled red with a comment saying what is wrong, and a sheet listing
the errors. Written streamed (openpyxl write-only): the upload is read again row by row, so
memory holds a row and the errors the report kept, never the file.

The cells marked are those of the errors the report kept (its first `keep`, 1,000 by default);
the error sheet says how many more there are.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from envhub.core.spreadsheets import xlsx_row
from envhub.surveys.readers import every_line
from envhub.surveys.validation import Report

BAD_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
BAD_FONT = Font(color="9C0006")
HEADER_FONT = Font(bold=True)


def annotated_xlsx(stream, report: Report, out, *, sheet_name: str = "") -> None:
    """Write to `out` (a binary file) the annotated copy of the upload `stream`, which
    `validate` checked into `report`."""
    marks: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for issue in (*report.errors, *report.warnings):
        if issue.line is not None and issue.column is not None:
            marks[issue.line][issue.column].append(issue.message)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(report.sheet_name or sheet_name or _("Data"))
    _kind, lines = every_line(stream, sheet_name=report.sheet_name or sheet_name)
    for number, cells in lines:
        row = xlsx_row(sheet, cells)
        found = marks.pop(number, None)
        if found:
            row.extend([None] * (max(found) + 1 - len(row)))
            for column, messages in found.items():
                cell = row[column] if isinstance(row[column], Cell) else WriteOnlyCell(
                    sheet, value=row[column])
                cell.fill, cell.font = BAD_FILL, BAD_FONT
                cell.comment = Comment("\n".join(messages), "envhub", width=300, height=120)
                row[column] = cell
        elif number == report.header_line:
            row = [_bold(sheet, value) for value in row]
        sheet.append(row)
    _error_sheet(workbook, report)
    workbook.save(out)


def _bold(sheet, value):
    if isinstance(value, Cell):
        value.font = HEADER_FONT
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = HEADER_FONT
    return cell


def _error_sheet(workbook, report: Report) -> None:
    sheet = workbook.create_sheet(_("Errors"))
    sheet.append([_bold(sheet, text) for text in (_("Cell"), _("Row"), _("Column"),
                                                  _("Value"), _("Error"))])
    for issue in (*report.warnings, *report.errors):
        sheet.append(xlsx_row(sheet, [issue.cell, issue.line, issue.label or "",
                                      issue.value or "", issue.message]))
    hidden = report.error_count - len(report.errors)
    if hidden > 0:
        sheet.append([_("… and %(count)s more errors, not listed.") % {"count": hidden}])
