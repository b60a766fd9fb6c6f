"""The XLSX template of a table schema, which a survey unit downloads and fills in.

- The data sheet (the schema's `sheetName`, first and active): one header row of the fields'
  labels with their units ("Chiều cao ống khói (m)"), frozen; `TEMPLATE_ROWS` rows formatted
  by type — text columns as text (so that a province code keeps its leading zero), dates
  `dd/mm/yyyy`, times `hh:mm` — and data validation: lists for enums and registry codes,
  ranges for numbers, whole numbers and years.
- An instructions sheet: each column's label, unit, type, whether it is required, and its
  rules in words.
- A hidden sheet of codes: the registry's codes each list of the data sheet points at (34
  provinces, 3,321 wards… more than a list typed into the validation itself may hold). Where a
  row may name a new code (`newWith`: a new site, a first-surveyed facility), Excel only warns.

The reader finds its data sheet by name, so the other sheets never disturb an upload.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from envhub.surveys.codes import RegistryCodes
from envhub.surveys.messages import figure
from envhub.surveys.tableschema import Field, TableSchema

TEMPLATE_ROWS = 1000
CODES_SHEET = "Mã"
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
FORMATS = {"date": "dd/mm/yyyy", "time": "hh:mm", "datetime": "dd/mm/yyyy hh:mm",
           "string": "@", "integer": "0", "year": "0"}
# Excel refuses a typed-in list longer than this.
_INLINE_LIST = 250


def _type_name(kind: str) -> str:
    return {"string": _("text"), "number": _("number"), "integer": _("whole number"),
            "boolean": _("yes / no"), "date": _("date (dd/mm/yyyy)"), "time": _("time (hh:mm)"),
            "datetime": _("date and time"), "year": _("year")}[kind]


def rules_in_words(item: Field) -> str:
    """The field's constraints, as the instructions sheet says them."""
    words = []
    if item.enum is not None:
        words.append(_("one of: %(values)s") % {"values": ", ".join(map(str, item.enum))})
    if item.minimum is not None:
        words.append(_("at least %(limit)s") % {"limit": figure(item.minimum)})
    if item.maximum is not None:
        words.append(_("at most %(limit)s") % {"limit": figure(item.maximum)})
    if item.exclusive_minimum is not None:
        words.append(_("above %(limit)s") % {"limit": figure(item.exclusive_minimum)})
    if item.exclusive_maximum is not None:
        words.append(_("below %(limit)s") % {"limit": figure(item.exclusive_maximum)})
    if item.min_length is not None:
        words.append(_("at least %(limit)s characters") % {"limit": figure(item.min_length)})
    if item.max_length is not None:
        words.append(_("at most %(limit)s characters") % {"limit": figure(item.max_length)})
    if item.pattern is not None:
        words.append(_("in the form %(pattern)s") % {"pattern": item.pattern})
    return "; ".join(words)


def _code_lists(schema: TableSchema, codes: RegistryCodes) -> dict[str, tuple]:
    """{field name: (the values its list offers, whether a new code is allowed, whether they
    are the registry's — kept on the hidden sheet — rather than the schema's enum)}."""
    lists = {}
    for fk in schema.foreign_keys:
        keys = codes.keys.get((fk.resource, fk.reference_fields), set())
        values = sorted({key[-1] for key in keys})
        lists[fk.fields[-1]] = (values, bool(fk.new_with), True)
    for item in schema.fields:
        if item.enum is not None and item.name not in lists:
            lists[item.name] = ([str(value) for value in item.enum], False, False)
    return lists


def template_xlsx(schema: TableSchema, codes: RegistryCodes, out, *, language: str = "vi",
                  rows: int = TEMPLATE_ROWS) -> None:
    """Write the template of `schema` to `out` (a binary file)."""
    workbook = Workbook()
    data = workbook.active
    data.title = schema.sheet_name
    instructions = workbook.create_sheet(_("Instructions")[:31])
    hidden = workbook.create_sheet(CODES_SHEET)
    hidden.sheet_state = "hidden"
    lists = _code_lists(schema, codes)
    last = rows + 1
    for number, item in enumerate(schema.fields, 1):
        letter = get_column_letter(number)
        cell = data.cell(row=1, column=number, value=item.header(language))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        data.column_dimensions[letter].width = max(12, min(40, len(item.header(language)) + 4))
        number_format = FORMATS.get(item.type)
        if number_format:
            for row in range(2, last + 1):
                data.cell(row=row, column=number).number_format = number_format
        validation = _validation(item, lists.get(item.name), hidden, number, language)
        if validation is not None:
            data.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last}")
    data.freeze_panes = "A2"
    _instructions(instructions, schema, language)
    workbook.save(out)


def _validation(item: Field, listed, hidden, number: int, language: str):
    if listed is not None:
        values, open_list, registry = listed
        inline = ",".join(values)
        if not registry and values and len(inline) <= _INLINE_LIST and \
                not any("," in v for v in values):
            formula = f'"{inline}"'
        else:
            letter = get_column_letter(number)
            hidden.cell(row=1, column=number, value=item.name)
            for row, value in enumerate(values, 2):
                hidden.cell(row=row, column=number, value=value).number_format = "@"
            formula = (f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}$"
                       f"{max(2, len(values) + 1)}")
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.errorStyle = "warning" if open_list else "stop"
    elif item.type in ("number", "integer", "year") and (item.minimum is not None or
                                                         item.maximum is not None):
        kind = "decimal" if item.type == "number" else "whole"
        low = item.minimum if item.minimum is not None else -1e15
        high = item.maximum if item.maximum is not None else 1e15
        validation = DataValidation(type=kind, operator="between", formula1=str(low),
                                    formula2=str(high), allow_blank=True)
    else:
        return None
    validation.error = rules_in_words(item) or _type_name(item.type)
    validation.errorTitle = item.label(language)[:32]
    validation.showErrorMessage = True
    return validation


def _instructions(sheet, schema: TableSchema, language: str) -> None:
    sheet.append([schema.title_en if language == "en" else schema.title_vi])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Fill in one row per record on the sheet “%(sheet)s”, from its second row. "
                    "Keep the header row; columns may be in any order. Write dates as "
                    "dd/mm/yyyy and decimals with a comma or a point; type values, not "
                    "formulas.") % {"sheet": schema.sheet_name}])
    sheet.append([])
    heads = [_("Column"), _("Unit"), _("Type"), _("Required"), _("Rules"), _("Notes")]
    sheet.append(heads)
    for cell in sheet[4]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for item in schema.fields:
        sheet.append([item.label(language), item.unit or "", _type_name(item.type),
                      _("yes") if item.required else _("no"), rules_in_words(item),
                      item.description])
    for letter, width in zip("ABCDEF", (34, 12, 18, 10, 50, 40), strict=True):
        sheet.column_dimensions[letter].width = width
