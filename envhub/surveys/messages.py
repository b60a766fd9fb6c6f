"""The words of every refusal and error of a survey upload, by code: the readers and the cell
checkers, which know nothing of Django, raise codes with their figures; this module says them
in the active language (Vietnamese by default)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from envhub.core.numbers import format_number

MESSAGES = {
    # The file as a whole (readers.FileRefused).
    "not_spreadsheet": _("This file is not a spreadsheet: upload the XLSX template filled in, "
                         "or a CSV file."),
    "encrypted": _("This file is encrypted (protected by a password) or is an old Excel "
                   "97–2003 file: save it as .xlsx without a password and upload it again."),
    "corrupt": _("This XLSX file is damaged and cannot be read: open it in Excel, save it "
                 "again as .xlsx and upload it again."),
    "corrupt_csv": _("This CSV file cannot be read from line %(line)s (a quotation mark is not "
                     "closed, or a cell is too long)."),
    "zip_bomb": _("This file would take far more space once unpacked than a spreadsheet can: "
                  "it is refused."),
    "no_sheet": _("The workbook has no visible sheet."),
    "no_header": _("No header row was found in the first %(rows)s rows: the column names must "
                   "be those of the template."),
    "missing_columns": _("Columns missing: %(columns)s."),
    "duplicate_column": _("The column “%(column)s” appears twice."),
    "too_many_rows": _("The file has more than %(limit)s rows of data, the most one upload may "
                       "hold: split it into several files."),
    # A column (a warning: the column is not read).
    "extra_column": _("The column “%(column)s” is not part of the template: it is not read."),
    # A cell.
    "formula": _("A formula: a value is expected (copy the cells and paste them as values)."),
    "required": _("A value is required."),
    "type_string": _("Text is expected."),
    "type_number": _("A number is expected (a decimal comma is allowed, e.g. 12,5)."),
    "type_integer": _("A whole number is expected."),
    "type_boolean": _("“có” or “không” is expected."),
    "type_date": _("A date is expected, written dd/mm/yyyy."),
    "type_date:day": _("There is no day %(day)s in the calendar: a date is written "
                       "dd/mm/yyyy, the day before the month."),
    "type_time": _("A time is expected, written hh:mm."),
    "type_datetime": _("A date and time are expected, written dd/mm/yyyy hh:mm."),
    "type_year": _("A year is expected (four digits)."),
    "enum": _("Not one of the allowed values: %(allowed)s."),
    "minimum": _("Below the lowest allowed value, %(limit)s."),
    "maximum": _("Above the highest allowed value, %(limit)s."),
    "exclusive_minimum": _("Must be above %(limit)s."),
    "exclusive_maximum": _("Must be below %(limit)s."),
    "min_length": _("Too short: at least %(limit)s characters."),
    "max_length": _("Too long: at most %(limit)s characters."),
    "pattern": _("Not in the expected form."),
    "tax_code_checksum": _("This tax code's check digit is wrong; check it against the "
                           "business registration."),
    "duplicate_key": _("This row repeats the key (%(key)s) of an earlier row."),
    "unknown_code": _("Unknown code in the registry: %(code)s."),
    "unknown_code:fill": _("Unknown code in the registry: %(code)s. If it is a new one, "
                           "fill in %(fill)s on its row."),
    "ward_elsewhere": _("The ward %(ward)s is not in the province %(province)s."),
    "unknown_parameter": _("The parameter %(code)s is not one the registry has for this "
                           "medium."),
    "unknown_unit": _("Unknown unit: %(unit)s."),
    "wrong_unit": _("The parameter %(parameter)s is not measured in %(unit)s (its unit is "
                    "%(expected)s)."),
    "outside_vietnam": _("This point is not in Viet Nam."),
    "limit_needed": _("Below the limit of detection: give the limit."),
    "value_below_limit": _("Below the limit of detection: leave the value empty, the limit "
                           "stands for it."),
    "value_needed": _("A value is required (or mark it below the limit of detection)."),
}


QUOTED = 100
WHOLE = {"allowed", "columns", "fill", "pattern"}


def figure(value):
    """A number written for the active language (`200.000`, `0,5` in Vietnamese); anything
    else as it is."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value, get_language(), decimals=6)
    return value


def _quoted(key: str, value):
    """A cell's text quoted briefly (a report's thousand messages stay small whatever the
    cells); the schema's own lists (allowed values, missing columns) are said whole."""
    if key not in WHOLE and isinstance(value, str) and len(value) > QUOTED:
        return value[:QUOTED - 1] + "…"
    return figure(value)


def text(code: str, params: dict | None = None) -> str:
    """The message of `code`, with its figures written for the active language. A code has a
    fuller wording (`code:param`) when the issue carries that figure: the day that does not
    exist, the columns that would make a new code (the code itself stays what reports count
    and programs read)."""
    if not params:
        return str(MESSAGES[code])
    template = str(next((MESSAGES[f"{code}:{key}"] for key in params
                         if f"{code}:{key}" in MESSAGES), MESSAGES[code]))
    return template % {key: _quoted(key, value) for key, value in params.items()}
