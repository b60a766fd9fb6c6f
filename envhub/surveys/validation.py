"""Validation of a survey upload against its table schema, row by row, streamed.

`validate(stream, schema, codes)` reads the file (`readers.open_table`), maps its columns to
the schema's fields by their labels (in any order; Vietnamese or English label, the field's
name, with or without the unit in brackets), then checks every row: each cell's type and
constraints (`cells.checker`, compiled once per field), required values, the primary key and
`unique` fields within the file, the foreign keys against the registry's codes (sets loaded
once, `codes.RegistryCodes`), the parameter's unit (`core/units.py`) and the point's place in
Viet Nam (`core/geo.py`).

Why not frictionless's own row validation: it checks 61,000 rows of three columns a second
here, about 60 times slower than reading the CSV (docs/surveys.md); the checks compiled from
the same descriptor are what keeps validation near the speed of reading. A CSV's rows are
checked a batch at a time, column by column (`batches.py`), the batches with an issue row by
row here: the report is the row path's either way.

The `Report` stays small whatever the file: counts, the first `keep` errors and the total.
`progress(rows)` is called every `every` rows and at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from envhub.core import geo, units
from envhub.core.text import fold
from envhub.surveys import batches, columnar, messages
from envhub.surveys.cells import CellError, checker, text_of
from envhub.surveys.codes import RegistryCodes
from envhub.surveys.readers import CSV_FIELD_LIMIT, FileRefused, open_table
from envhub.surveys.tableschema import TableSchema

KEEP_ERRORS = 1000
_UNIT_SUFFIX = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_COORDINATE_CACHE = 10_000


def column_letter(index: int) -> str:
    """`0` → `A`, `27` → `AB`."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Issue:
    code: str
    params: dict = field(default_factory=dict)
    line: int | None = None  # the row's number in the file (1-based, as a spreadsheet shows)
    column: int | None = None  # 0-based index of the column in the file
    field: str | None = None
    label: str | None = None
    value: str | None = None

    @property
    def message(self) -> str:
        return messages.text(self.code, self.params)

    @property
    def cell(self) -> str:
        """`C12`, as a spreadsheet names the cell."""
        if self.column is None:
            return str(self.line or "")
        return f"{column_letter(self.column)}{self.line or ''}"

    def as_dict(self) -> dict:
        """JSON-ready, with the message in the active language (what a stored report keeps)."""
        return {"code": self.code, "message": self.message, "line": self.line,
                "cell": self.cell if self.column is not None else None, "field": self.field,
                "label": self.label, "value": self.value}


@dataclass
class Report:
    keep: int = KEEP_ERRORS
    rows: int = 0
    rows_with_errors: int = 0
    error_count: int = 0
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    by_code: Counter = field(default_factory=Counter)
    refused: Issue | None = None
    kind: str = ""
    encoding: str = ""
    sheet_name: str = ""
    header_line: int | None = None
    columns: dict[str, int] = field(default_factory=dict)  # field name → column index

    @property
    def ok(self) -> bool:
        return self.refused is None and self.error_count == 0

    def as_dict(self) -> dict:
        """JSON-ready: the counts, the kept errors and warnings, the refusal."""
        return {"ok": self.ok, "rows": self.rows, "rows_with_errors": self.rows_with_errors,
                "error_count": self.error_count, "by_code": dict(self.by_code),
                "errors": [issue.as_dict() for issue in self.errors],
                "warnings": [issue.as_dict() for issue in self.warnings],
                "refused": self.refused.as_dict() if self.refused else None,
                "kind": self.kind, "encoding": self.encoding, "sheet_name": self.sheet_name,
                "header_line": self.header_line}

    def add(self, issue: Issue) -> None:
        self.error_count += 1
        self.by_code[issue.code] += 1
        if len(self.errors) < self.keep:
            self.errors.append(issue)


def _label_key(text) -> str:
    text = text_of(text)
    if text is None:
        return ""
    return fold(_UNIT_SUFFIX.sub("", text.replace("*", "")))


class HeaderMap:
    """The labels a column may carry for each field, folded (no case, no diacritics)."""

    def __init__(self, schema: TableSchema):
        self.keys: dict[str, str] = {}
        for item in schema.fields:
            for label in (item.name, item.title_vi, item.title_en, item.header("vi"),
                          item.header("en")):
                self.keys.setdefault(_label_key(label), item.name)

    def score(self, cells: list) -> int:
        return len({self.keys[key] for key in map(_label_key, cells) if key in self.keys})

    def columns(self, cells: list) -> tuple[dict[str, int], list[tuple[int, str]]]:
        """({field: column index}, [(index, label) of columns no field has])."""
        found: dict[str, int] = {}
        extra = []
        for index, cell in enumerate(cells):
            key = _label_key(cell)
            if not key:
                continue  # an empty header cell (the rest of a merged cell): nothing to read
            name = self.keys.get(key)
            if name is None:
                extra.append((index, text_of(cell)))
            elif name in found:
                raise FileRefused("duplicate_column", column=text_of(cell))
            else:
                found[name] = index
        return found, extra


def _short(value) -> str | None:
    text = text_of(value)
    return text if text is None or len(text) <= 100 else text[:99] + "…"


def validate(stream, schema: TableSchema, codes: RegistryCodes, *, max_rows: int | None = None,
             keep: int = KEEP_ERRORS, progress: Callable[[int], None] | None = None,
             every: int = 1000,
             on_row: Callable[[int, dict, bool], None] | None = None) -> Report:
    """Check the upload `stream` (a seekable binary file) against `schema`. `on_row(line,
    values, ok)` gets every data row's typed values by field name (None where empty or bad)
    and whether the row is free of errors: what a loader reads once the file is accepted.
    `max_rows`: `ENVHUB_MAX_SURVEY_ROWS` unless given."""
    if max_rows is None:
        from django.conf import settings

        max_rows = settings.ENVHUB_MAX_SURVEY_ROWS
    report = Report(keep=keep)
    headers = HeaderMap(schema)
    try:
        table = open_table(stream, match_header=headers.score, max_rows=max_rows,
                           sheet_name=schema.sheet_name)
    except FileRefused as refusal:
        report.refused = Issue(refusal.code, refusal.params)
        return report
    report.kind, report.encoding = table.kind, table.encoding
    report.sheet_name, report.header_line = table.sheet_name, table.header_line
    try:
        columns, extra = headers.columns(table.header)
        missing = [item.header() for item in schema.fields
                   if item.required and item.name not in columns]
        if missing:
            raise FileRefused("missing_columns", columns=", ".join(missing))
        report.columns = columns
        for index, label in extra:
            report.warnings.append(Issue("extra_column", {"column": label},
                                         line=table.header_line, column=index, label=label))
        _check_rows(table, schema, codes, report, progress, every, on_row,
                    stream=stream, max_rows=max_rows)
    except FileRefused as refusal:
        report.refused = Issue(refusal.code, refusal.params)
    finally:
        table.close()
    if progress is not None:
        progress(report.rows)
    return report


# Rows a CSV is checked in at a time (`batches.py`); a batch with an issue is checked again
# row by row, so this is a matter of speed only.
BATCH_ROWS = 500
# A batch with an issue is split in halves down to this size, then checked row by row.
SMALLEST_BATCH = 32
# A UTF-8 CSV whose header is its first record is first read by Arrow (`columnar.py`), which
# says how many rows it has when every row is clean; False: never (the tests of both paths).
COLUMNAR = True


def _check_rows(table, schema, codes, report, progress, every, on_row,
                batch_rows: int | None = None, stream=None, max_rows: int = 0) -> None:
    """Check every row of `table`; `batch_rows=0` checks a CSV row by row too (the reference
    the column-wise checks are tested against)."""
    columns = report.columns
    position = {item.name: number for number, item in enumerate(schema.fields)}
    plan = [(columns[item.name], position[item.name], item.name, checker(item), item.required,
             item.label(), {}) for item in schema.fields if item.name in columns]
    formulas = table.kind == "xlsx"
    first_sight = batches.first_sight(frozenset(schema.missing_values) - {""}, formulas)
    keys = [([position[name] for name in schema.primary_key], schema.primary_key[-1], set())] \
        if schema.primary_key else []
    keys += [([position[item.name]], item.name, set()) for item in schema.fields if item.unique]
    foreign_keys = [(fk, [position[name] for name in fk.fields],
                     [position[name] for name in fk.new_with], {})
                    for fk in schema.foreign_keys if fk.fields[-1] in columns]
    unit_check = _unit_checker(schema, codes, columns, position)
    point_check = _point_checker(schema, columns, position)
    detection_check = _detection_checker(schema, columns, position)
    add = report.add
    width = len(schema.fields)
    names = schema.names
    _unseen, _missing, _formula, cache_size = (batches.UNSEEN, batches.MISSING,
                                               batches.FORMULA, batches.CELL_CACHE)

    def check_row(line, cells):
        size = len(cells)
        values = [None] * width
        errors_before = report.error_count
        failed = ()
        for index, slot, name, check, required, label, seen in plan:
            raw = cells[index] if index < size else None
            if raw is None:
                if required:
                    add(Issue("required", line=line, column=index, field=name, label=label))
                continue
            value = seen.get(raw, _unseen) if raw.__class__ is not bool else _unseen
            if value is _unseen:
                value = first_sight(raw, check)
                if len(seen) < cache_size and raw.__class__ is not bool:
                    seen[raw] = value
            if value.__class__ is CellError:
                failed = (*failed, slot)
                add(Issue(value.code, value.params, line=line, column=index, field=name,
                          label=label, value=_short(raw)))
            elif value is _missing:
                if required:
                    add(Issue("required", line=line, column=index, field=name, label=label))
            elif value is _formula:
                failed = (*failed, slot)
                add(Issue("formula", line=line, column=index, field=name, label=label,
                          value=_short(raw)))
            else:
                values[slot] = value
        bad = report.error_count != errors_before
        for slots, name, seen in keys:
            if failed and any(slot in failed for slot in slots):
                continue  # a key with a bad cell is no key: the cell is reported
            key = hash(tuple([values[slot] for slot in slots]))
            if key in seen:
                shown = " · ".join("" if values[slot] is None else text_of(values[slot])
                                   for slot in slots)
                add(_row_issue(schema, columns, name, line, "duplicate_key", key=shown,
                               value=values[slots[-1]]))
            else:
                seen.add(key)
        for fk, slots, needed, verdicts in foreign_keys:
            key = tuple([values[slot] for slot in slots])
            known = verdicts.get(key)
            if known is None:
                known = None in key or codes.has(fk.resource, fk.reference_fields, key)
                if len(verdicts) < cache_size:
                    verdicts[key] = known
            if known:
                continue
            if needed and all(values[slot] is not None for slot in needed):
                continue  # a new site or facility, with what it takes to create it
            add(_reference_issue(schema, columns, codes, fk, key, line))
        if unit_check is not None:
            unit_check(values, line, add)
        if point_check is not None:
            point_check(values, line, add)
        if detection_check is not None and not failed:
            detection_check(values, line, add)
        if bad or report.error_count != errors_before:
            report.rows_with_errors += 1
            if on_row is not None:
                on_row(line, dict(zip(names, values, strict=True)), False)
        elif on_row is not None:
            on_row(line, dict(zip(names, values, strict=True)), True)

    batch_rows = BATCH_ROWS if batch_rows is None else batch_rows
    if COLUMNAR and batch_rows and stream is not None and on_row is None and \
            table.kind == "csv" and table.encoding == "utf-8-sig" and table.header_line == 1:
        # The csv reader goes on from where its stream was, if the file is not clean.
        where = stream.tell()
        clean = columnar.rows_if_clean(
            stream, header=table.header, delimiter=table.delimiter, plan=plan,
            see=first_sight, keys=keys, foreign_keys=foreign_keys, codes=codes,
            units=unit_check, points=point_check, detection=detection_check,
            max_rows=max_rows, field_limit=CSV_FIELD_LIMIT)
        stream.seek(where)
        if clean is not None:
            if progress is not None:
                for mark in range(every, clean + 1, every):
                    report.rows = mark
                    progress(mark)
            report.rows = clean
            return
    rows = 0
    batched = table.batches(batch_rows) if batch_rows else None
    if batched is None:
        for line, cells in table.rows():
            rows += 1
            check_row(line, cells)
            if progress is not None and rows % every == 0:
                report.rows = rows
                progress(rows)
        report.rows = rows
        return
    columnwise = batches.Batches(
        plan=plan, see=first_sight, width=width, keys=keys, foreign_keys=foreign_keys,
        codes=codes, units=unit_check, points=point_check, detection=detection_check,
        every_value=on_row is not None)
    quick = 0  # rows checked column-wise

    def take(lines, batch, columnwise_too=True):
        nonlocal rows, quick
        typed = columnwise.clean(batch) if columnwise_too else None
        if typed is not None:
            quick += len(batch)
        elif columnwise_too and len(batch) >= 2 * SMALLEST_BATCH:
            # Halves in turn: the rows around an issue are still checked column-wise.
            half = len(batch) // 2
            take(lines[:half], batch[:half])
            take(lines[half:], batch[half:])
            return
        if typed is None or on_row is not None:
            for number, line in enumerate(lines):
                rows += 1
                if typed is None:
                    check_row(line, batch[number])
                else:
                    on_row(line, dict(zip(names, [column[number] for column in typed],
                                          strict=True)), True)
                if progress is not None and rows % every == 0:
                    report.rows = rows
                    progress(rows)
            return
        end = rows + len(lines)
        if progress is not None:
            for mark in range(rows - rows % every + every, end + 1, every):
                report.rows = mark
                progress(mark)
        rows = end

    # A file with issues all through (no row of the last two batches checked column-wise)
    # is checked row by row, trying column-wise again every eighth batch.
    dense = 0
    for number, (lines, batch) in enumerate(batched):
        before = quick
        take(lines, batch, columnwise_too=dense < 2 or number % 8 == 0)
        dense = dense + 1 if quick == before else 0
    report.rows = rows


def _reference_issue(schema, columns, codes, fk, key, line) -> Issue:
    """What is wrong with a key the registry does not have (an empty key is no reference: its
    required cells are reported as such)."""
    name = fk.fields[-1]
    if fk.resource == "registry:parameter":
        return _row_issue(schema, columns, name, line, "unknown_parameter",
                          code=text_of(key[-1]), value=key[-1])
    if fk.resource == "registry:ward" and len(key) == 2 and \
            codes.has("registry:ward", ("code",), key[-1:]):
        return _row_issue(schema, columns, name, line, "ward_elsewhere", ward=text_of(key[1]),
                          province=text_of(key[0]), value=key[1])
    if fk.new_with:  # a new code is allowed with these filled: say so
        return _row_issue(schema, columns, name, line, "unknown_code", code=text_of(key[-1]),
                          value=key[-1], fill=", ".join(
                              schema.field(other).label() for other in fk.new_with))
    return _row_issue(schema, columns, name, line, "unknown_code", code=text_of(key[-1]),
                      value=key[-1])


def _row_issue(schema, columns, name, line, issue_code, value=None, **params) -> Issue:
    return Issue(issue_code, params, line=line, column=columns.get(name), field=name,
                 label=schema.field(name).label(), value=_short(value))


def _unit_checker(schema, codes, columns, position):
    spec = schema.parameter_units
    if not spec or spec["unit"] not in columns:
        return None
    return _UnitCheck(schema, codes, columns, position, spec)


class _UnitCheck:
    """The parameter's unit: one it can be read in (verdicts remembered per combination)."""

    def __init__(self, schema, codes, columns, position, spec):
        self.codes, self.name = codes, spec["unit"]
        self.slots = tuple(position[spec[part]] for part in ("medium", "parameter", "unit"))
        self.column, self.label = columns[self.name], schema.field(self.name).label()
        self.verdicts: dict[tuple, tuple | None] = {}

    def verdict(self, medium, parameter, unit):
        expected = self.codes.parameter_units.get((medium, parameter))
        if expected is None:
            return None  # the unknown parameter is reported as such
        if not units.is_known(unit):
            return ("unknown_unit", {"unit": unit})
        molar_mass = parameter if parameter in units.MOLAR_MASS else None
        if units.can_be_read_as(unit, expected, molar_mass=molar_mass, ambient=medium == "air"):
            return None
        return ("wrong_unit", {"parameter": parameter, "unit": unit or "pH",
                               "expected": expected or "pH"})

    def found(self, key: tuple) -> tuple | None:
        """(code, params) of what is wrong with (medium, parameter, unit), or None."""
        if key not in self.verdicts:
            self.verdicts[key] = self.verdict(*key)
        return self.verdicts[key]

    def __call__(self, values, line, add):
        medium_slot, parameter_slot, unit_slot = self.slots
        unit = values[unit_slot]
        if unit is None:
            return
        found = self.found((values[medium_slot], values[parameter_slot], unit))
        if found is not None:
            add(Issue(found[0], found[1], line=line, column=self.column, field=self.name,
                      label=self.label, value=unit))


def _point_checker(schema, columns, position):
    spec = schema.coordinates
    if not spec or spec["latitude"] not in columns or spec["longitude"] not in columns:
        return None
    return _PointCheck(schema, columns, position, spec)


class _PointCheck:
    """The point lies in Viet Nam (verdicts remembered for up to `_COORDINATE_CACHE`)."""

    def __init__(self, schema, columns, position, spec):
        self.name = spec["latitude"]
        self.slots = (position[self.name], position[spec["longitude"]])
        self.column, self.label = columns[self.name], schema.field(self.name).label()
        self.verdicts: dict[tuple, str | None] = {}

    def found(self, point: tuple) -> str | None:
        if point in self.verdicts:
            return self.verdicts[point]
        found = geo.check_point(*point)
        if len(self.verdicts) < _COORDINATE_CACHE:
            self.verdicts[point] = found
        return found

    def __call__(self, values, line, add):
        point = (values[self.slots[0]], values[self.slots[1]])
        if None in point:
            return
        if self.found(point) is not None:
            add(Issue("outside_vietnam", line=line, column=self.column, field=self.name,
                      label=self.label, value=f"{point[0]}, {point[1]}"))


def _detection_checker(schema, columns, position):
    spec = schema.below_detection
    if not spec or spec["value"] not in columns:
        return None
    return _DetectionCheck(schema, columns, position, spec)


class _DetectionCheck:
    """A result below the limit of detection keeps its flag and limit, never a value (it is
    not zero); any other result has its value."""

    def __init__(self, schema, columns, position, spec):
        self.schema, self.columns, self.spec = schema, columns, spec
        self.slots = tuple(position[spec[part]] for part in ("flag", "limit", "value"))

    @staticmethod
    def problem(no_flag: bool, no_limit: bool, no_value: bool) -> bool:
        """Whether a row whose flag, limit and value are empty or not as told has an issue."""
        return no_value if no_flag else no_limit or not no_value

    def issue(self, code, part, line, found=None):
        name = self.spec[part]
        return Issue(code, line=line, column=self.columns.get(name), field=name,
                     label=self.schema.field(name).label(), value=_short(found))

    def __call__(self, values, line, add):
        flag, limit, value = (values[slot] for slot in self.slots)
        if flag is None:
            if value is None:
                add(self.issue("value_needed", "value", line))
            return
        if limit is None:
            add(self.issue("limit_needed", "limit", line))
        if value is not None:
            add(self.issue("value_below_limit", "value", line, value))
