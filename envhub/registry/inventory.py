"""The emission source inventory (điều tra nguồn thải khí thải công nghiệp) on the registry's
side: what an approved survey's rows would change (`plan_inventory`, read only) and doing
exactly that through the registry's services (`apply_inventory`).

Rows are the typed values the survey validation hands its `on_row` (keyed by the schema's field
names). Surveys sit above the registry: a survey version is known here only by its integer id.
Where a row's cell is empty the registry keeps its value; a facility or stack named on several
rows takes each value from its latest year, then its last line. docs/inventory.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.core.errors import EnvhubError, InvalidInput
from envhub.core.permissions import Actor
from envhub.core.text import fold
from envhub.registry import validators
from envhub.registry.models import (
    AnnualInventory,
    Facility,
    Organisation,
    OrganisationKind,
    Province,
    Sector,
    Source,
    SourceKind,
    Ward,
)


@dataclass(frozen=True)
class Column:
    """A schema field as the registry stores it: its model attribute, its label, the unit it
    is shown in and the number formatter's unit for it (None: text)."""

    attr: str
    label: Any
    unit: str = ""
    number: str | None = None


FACILITY = {
    "facility_name": Column("name", gettext_lazy("Facility name")),
    "province_code": Column("province", gettext_lazy("Province")),
    "ward_code": Column("ward", gettext_lazy("Ward")),
    "latitude": Column("latitude", gettext_lazy("Latitude"), "°", "coordinate"),
    "longitude": Column("longitude", gettext_lazy("Longitude"), "°", "coordinate"),
    "sector": Column("sector", gettext_lazy("Sector")),
}
STACK = {
    "stack_height": Column("stack_height_m", gettext_lazy("Stack height"), "m", "m"),
    "stack_diameter": Column("stack_diameter_m", gettext_lazy("Stack diameter"), "m", "m"),
    "fuel": Column("fuel", gettext_lazy("Fuel")),
}
# The schema's units are the stored ones: fuel use in tonnes a year (tấn/năm), flow in m3/h.
ANNUAL = {
    "fuel": Column("fuel", gettext_lazy("Fuel")),
    "fuel_use": Column("fuel_use_t", gettext_lazy("Annual fuel use"), "t/năm", "t"),
    "flow": Column("flow_m3h", gettext_lazy("Flue-gas flow"), "m³/h", "m3/h"),
    "treatment": Column("treatment", gettext_lazy("Treatment system")),
    "production": Column("production", gettext_lazy("Annual production"), "", ""),
    "production_unit": Column("production_unit", gettext_lazy("Production unit")),
}
KINDS = ("facilities", "stacks", "annual")
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
DETAIL_LIMIT = 100
# Longer lists are not put in an IN (…): the table is read whole and matched in Python, one
# query either way (SQLite caps a statement's parameters).
IN_LIMIT = 900


class InventoryError(InvalidInput):
    """The inventory cannot be loaded as it is; the message names the line."""

    code = "inventory_invalid"


class InventoryChanged(InventoryError):
    """The registry (or the rows) changed since the diff the steward approved."""

    status = 409
    code = "inventory_changed"
    default_message = gettext_lazy(
        "The registry has changed since this comparison was shown: look at the new "
        "comparison and approve again.")


# The name surveys' loader catches (`surveys/loaders.py`): every refusal of the inventory.
InventoryRefused = InventoryError


@dataclass(slots=True)
class Item:
    """One facility, stack or (stack, year) record the rows name, and what it will become."""

    kind: str
    key: tuple
    line: int
    values: dict[str, Any] = field(default_factory=dict)  # schema field -> value (filled cells)
    rank: dict[str, tuple] = field(default_factory=dict)  # schema field -> (year, line) of it
    obj: Any = None  # the registry row, when there is one
    status: str = ""
    changes: dict[str, tuple] | None = None  # field -> (before, after)
    extra: dict[str, Any] | None = None  # a new facility's proposed parts

    def merge(self, columns: dict, row: Mapping, stamp: tuple) -> None:
        """Take the row's filled cells; `stamp` (year, line) orders rows naming one item."""
        for name in columns:
            value = _clean(row.get(name))
            if value is None:
                continue  # an empty cell never blanks a registry value
            if name not in self.rank or stamp >= self.rank[name]:
                self.values[name], self.rank[name] = value, stamp

    def line_of(self, name: str) -> int:
        """The line that gave the field's value (else the item's first line)."""
        return self.rank[name][1] if name in self.rank else self.line


@dataclass
class InventoryDiff:
    """What loading the rows would do. `fingerprint` changes whenever the rows or the registry
    rows they touch change what would be done."""

    rows: int
    items: dict[str, list[Item]]
    problems: list[tuple[int, str]]
    fingerprint: str
    names: dict[str, dict] = field(default_factory=dict)  # display names of codes
    # Province and ward rows by code, for `apply` (not part of the JSON form).
    lookups: dict[str, dict] = field(default_factory=dict, repr=False)

    def count(self, kind: str, status: str) -> int:
        return sum(1 for item in self.items[kind] if item.status == status)

    def as_dict(self, limit: int = DETAIL_LIMIT) -> dict:
        """JSON form, in the active language: every count; at most `limit` items per list,
        with how many more there are."""
        out: dict[str, Any] = {"rows": self.rows, "fingerprint": self.fingerprint, "counts": {
            kind: {status: self.count(kind, status) for status in (NEW, CHANGED, UNCHANGED)}
            for kind in KINDS}}
        for kind in KINDS:
            section: dict[str, Any] = {}
            for status in (NEW, CHANGED):
                chosen = [item for item in self.items[kind] if item.status == status]
                section[status] = [self._item_dict(item) for item in chosen[:limit]]
                section[f"{status}_more"] = max(0, len(chosen) - limit)
            out[kind] = section
        out["problems"] = [{"line": line, "message": message}
                           for line, message in self.problems[:limit]]
        out["problems_more"] = max(0, len(self.problems) - limit)
        return out

    def _item_dict(self, item: Item) -> dict:
        columns = _columns(item.kind)
        entry = {"line": item.line, "key": _key_dict(item), "title": _title(item),
                 "id": item.obj.pk if item.obj is not None else None}

        def cell(name, **values):
            column = columns[name]
            return {"field": name, "label": str(column.label), "unit": column.unit,
                    "number": column.number, **{
                        key: self._shown(name, value) for key, value in values.items()}}

        entry.update(values=[], changes=[], proposed=None)
        if item.status == NEW:
            entry["values"] = [cell(name, value=item.values[name])
                               for name in columns if name in item.values]
            if item.kind == "facilities":
                extra = item.extra or {}
                operator = extra.get("operator_obj")
                entry["proposed"] = {
                    "abbreviation": extra.get("abbreviation"),
                    "operator": operator.name if operator else _(
                        "new enterprise: %(name)s") % {
                        "name": item.values.get("facility_name", "")}}
        else:
            entry["changes"] = [cell(name, before=before, after=after)
                                for name, (before, after) in (item.changes or {}).items()]
        return entry

    def _shown(self, name: str, value):
        """Codes as people know them: a province or ward by its name, a sector by its label."""
        if value is None:
            return None
        if name in ("province_code", "ward_code"):
            found = self.names.get(name, {}).get(value)
            return f"{found} ({value})" if found else value
        if name == "sector":
            return str(Sector(value).label) if value in Sector.values else value
        return value


def _columns(kind: str) -> dict[str, Column]:
    return {"facilities": FACILITY, "stacks": STACK, "annual": ANNUAL}[kind]


def _key_dict(item: Item) -> dict:
    names = ("tax_code", "stack_code", "year")[:len(item.key)]
    return dict(zip(names, item.key, strict=True))


def _title(item: Item) -> str:
    tax = validators.format_tax_code(item.key[0])
    if item.kind == "facilities":
        name = item.values.get("facility_name") or (item.obj.name if item.obj else "")
        return f"{tax} — {name}" if name else tax
    return " · ".join([tax, *[str(part) for part in item.key[1:]]])


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _same(before, after) -> bool:
    if isinstance(after, (int, float)) and isinstance(before, (int, float)):
        return float(before) == float(after)
    return before == after


def _numbered(rows: Iterable) -> Iterable[tuple[int, Mapping]]:
    """(line, values) pairs as given, or plain dicts numbered as a sheet below its header."""
    for position, row in enumerate(rows):
        if isinstance(row, Mapping):
            yield position + 2, row
        else:
            yield row


def _where_in(qs, name: str, keys: set):
    return qs.filter(**{f"{name}__in": sorted(keys)}) if len(keys) <= IN_LIMIT else qs


# --- the plan -----------------------------------------------------------------------------

def plan_inventory(rows: Iterable) -> InventoryDiff:
    """Compare the rows (`(line, values)` pairs, or value dicts) with the registry. Reads the
    registry rows it needs in a fixed number of queries, whatever the number of rows."""
    planner = InventoryPlanner()
    for line, values in _numbered(rows):
        planner.on_row(line, values)
    return planner.diff()


class InventoryPlanner:
    """`plan_inventory` fed row by row, e.g. as the survey validation's `on_row` callback:
    `validate(stream, schema, codes, on_row=planner.on_row)`, then `planner.diff()`. A row the
    validation found errors in (`ok` false) is not compared: it is a problem of the plan."""

    def __init__(self) -> None:
        self.facilities: dict[str, Item] = {}
        self.stacks: dict[tuple, Item] = {}
        self.annual: dict[tuple, Item] = {}
        self.problems: list[tuple[int, str]] = []
        self.rows = 0

    def on_row(self, line: int, values: Mapping, ok: bool = True) -> None:
        self.rows += 1
        if not ok:
            self.problems.append((line, _(
                "Line %(line)s has errors in the survey's check: it cannot be loaded.") % {
                "line": line}))
            return
        tax = validators.compact_tax_code(str(values.get("tax_code") or ""))
        code = str(values.get("stack_code") or "").strip().upper()
        year = int(values["year"])
        stamp = (year, line)
        self.facilities.setdefault(tax, Item("facilities", (tax,), line)).merge(
            FACILITY, values, stamp)
        self.stacks.setdefault((tax, code), Item("stacks", (tax, code), line)).merge(
            STACK, values, stamp)
        self.annual.setdefault((tax, code, year), Item("annual", (tax, code, year), line)).merge(
            ANNUAL, values, stamp)

    def diff(self) -> InventoryDiff:
        problems = list(self.problems)
        lookups = _compare(self.facilities, self.stacks, self.annual, problems)
        items = {"facilities": list(self.facilities.values()),
                 "stacks": list(self.stacks.values()), "annual": list(self.annual.values())}
        problems.sort()
        names = {"province_code": {code: p.name for code, p in lookups["provinces"].items()},
                 "ward_code": {code: w.name for code, w in lookups["wards"].items()}}
        return InventoryDiff(self.rows, items, problems, _fingerprint(items, problems), names,
                             lookups)


def _compare(facilities, stacks, annual, problems) -> dict:
    provinces = {p.code: p for p in Province.objects.all()}
    ward_codes = {item.values["ward_code"] for item in facilities.values()
                  if "ward_code" in item.values}
    wards = {w.code: w for w in _where_in(Ward.objects.all(), "code", ward_codes)}
    found = {validators.compact_tax_code(f.tax_code): f for f in _where_in(
        Facility.objects.select_related("province", "ward"), "tax_code", set(facilities))}
    new_taxes = {tax for tax in facilities if tax not in found}
    enterprises: dict[str, Organisation] = {}
    for org in _where_in(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE),
                         "tax_code", new_taxes).order_by("id"):
        enterprises.setdefault(org.tax_code, org)
    taken: dict[int, set[str]] = {}
    new_provinces = {provinces[item.values["province_code"]].id for tax, item in
                     facilities.items() if tax in new_taxes
                     and item.values.get("province_code") in provinces}
    if new_provinces:
        for province_id, abbreviation in Facility.objects.filter(
                province_id__in=new_provinces).values_list("province_id", "abbreviation"):
            taken.setdefault(province_id, set()).add(abbreviation.upper())
    facility_ids = {f.id for f in found.values()}
    sources = {(s.facility_id, s.code.upper()): s for s in _where_in(
        Source.objects.all(), "facility_id", facility_ids) if s.facility_id in facility_ids}
    stack_ids = {s.id for s in sources.values() if s.kind == SourceKind.STACK}
    years = {key[2] for key in annual}
    records = {(r.source_id, r.year): r for r in _where_in(
        AnnualInventory.objects.filter(year__in=sorted(years)), "source_id", stack_ids)}

    for tax, item in facilities.items():
        item.obj = found.get(tax)
        _facility(item, provinces, wards, enterprises, taken, problems)
    for (tax, code), item in stacks.items():
        facility = found.get(tax)
        item.obj = sources.get((facility.id, code)) if facility else None
        if item.obj is not None and item.obj.kind != SourceKind.STACK:
            problems.append((item.line, _("Line %(line)s: %(code)s names an outfall of this "
                                          "facility, not a stack.") % {
                "line": item.line, "code": code}))
            item.obj = None
        _classify(item, STACK, lambda obj, column: getattr(obj, column.attr))
    for (tax, code, year), item in annual.items():
        source = stacks[(tax, code)].obj
        item.obj = records.get((source.id, year)) if source is not None else None
        _classify(item, ANNUAL, lambda obj, column: getattr(obj, column.attr))
    # Wards named in the file, and those the matched facilities have (for their "before").
    return {"provinces": provinces,
            "wards": wards | {f.ward.code: f.ward for f in found.values() if f.ward_id}}


def _facility_value(obj: Facility, column: Column):
    if column.attr == "province":
        return obj.province.code
    if column.attr == "ward":
        return obj.ward.code if obj.ward_id else None
    return getattr(obj, column.attr)


def _classify(item: Item, columns: dict, read) -> None:
    if item.obj is None:
        item.status = NEW
        return
    for name, value in item.values.items():
        before = read(item.obj, columns[name])
        if not _same(before, value):
            item.changes = item.changes or {}
            item.changes[name] = (before, value)
    item.status = CHANGED if item.changes else UNCHANGED


def _facility(item: Item, provinces, wards, enterprises, taken, problems) -> None:
    values, line = item.values, item.line
    province_code, ward_code = values.get("province_code"), values.get("ward_code")
    if province_code is not None and province_code not in provinces:
        problems.append((item.line_of("province_code"), _(
            "Line %(line)s: unknown province code %(code)s.") % {
            "line": item.line_of("province_code"), "code": province_code}))
    if ward_code is not None and ward_code not in wards:
        problems.append((item.line_of("ward_code"), _(
            "Line %(line)s: unknown ward code %(code)s.") % {
            "line": item.line_of("ward_code"), "code": ward_code}))
    _classify(item, FACILITY, _facility_value)
    ward, province_code = wards.get(ward_code), province_code or (
        item.obj.province.code if item.obj is not None else None)
    if ward is not None and provinces.get(province_code) is not None \
            and ward.province_id != provinces[province_code].id:
        problems.append((item.line_of("ward_code"), _(
            "Line %(line)s: ward %(ward)s is not in province %(province)s.") % {
            "line": item.line_of("ward_code"), "ward": ward_code, "province": province_code}))
    if item.status != NEW:
        return
    try:
        validators.tax_code(item.key[0])
    except ValidationError as error:
        problems.append((line, _("Line %(line)s: tax code %(code)s: %(problem)s") % {
            "line": line, "code": item.key[0], "problem": " ".join(error.messages)}))
    for needed in ("facility_name", "province_code", "sector"):
        if needed not in values:
            problems.append((line, _("Line %(line)s: a new facility needs its %(field)s.") % {
                "line": line, "field": str(FACILITY[needed].label).lower()}))
    item.extra = {"operator_obj": enterprises.get(item.key[0])}
    province = provinces.get(province_code)
    if province is not None:
        used = taken.setdefault(province.id, set())
        item.extra["abbreviation"] = _abbreviation(values.get("facility_name", ""), used)
        used.add(item.extra["abbreviation"])


def _abbreviation(name: str, used: set[str]) -> str:
    """A TT10 file-name part for a new facility: the initials of its name (Nhà máy Nhiệt điện
    Sông Hồng → NMNDSH), numbered when the province has it already; a steward may change it."""
    base = "".join(word[0] for word in fold(name).split() if word[0].isalnum())[:12].upper()
    base = base or "CS"
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _fingerprint(items: dict[str, list[Item]], problems) -> str:
    digest = hashlib.sha256()
    for kind in KINDS:
        for item in sorted(items[kind], key=lambda item: item.key):
            extra = item.extra or {}
            record = [kind, list(item.key), item.status,
                      item.obj.pk if item.obj is not None else None,
                      sorted(item.values.items()),
                      sorted((name, before) for name, (before, _after)
                             in (item.changes or {}).items()),
                      extra.get("abbreviation"),
                      extra["operator_obj"].pk if extra.get("operator_obj") else None]
            digest.update(json.dumps(record, default=str, ensure_ascii=False).encode())
            digest.update(b"\n")
    # The problems' lines, not their messages: the fingerprint must not depend on the language
    # the diff was shown in.
    digest.update(json.dumps([line for line, _message in problems]).encode())
    return digest.hexdigest()


# --- applying it --------------------------------------------------------------------------

def apply_inventory(actor: Actor, rows: Iterable | InventoryDiff, *, survey_version: int,
                    expected: str | None) -> dict:
    """Load the rows into the registry as `actor`, each write through `services.save`
    (validated, audited), the annual figures marked with `survey_version`. Re-plans first and
    refuses (`InventoryChanged`) when the plan's fingerprint is not `expected` (None: no
    check). `rows` may also be an `InventoryDiff` planned just now, in the same transaction
    (an `InventoryPlanner` fed by the validation), which then stands for the re-plan. Any
    problem raises `InventoryError` naming the line; nothing is left half-applied (one
    transaction, a savepoint inside the caller's)."""
    if not isinstance(survey_version, int) or isinstance(survey_version, bool) \
            or survey_version < 1:
        raise ValueError("survey_version must be a positive integer id")
    plan = rows if isinstance(rows, InventoryDiff) else plan_inventory(rows)
    if expected is not None and plan.fingerprint != expected:
        raise InventoryChanged()
    if plan.problems:
        raise InventoryError(plan.problems[0][1], {"problems": [
            {"line": line, "message": message} for line, message in plan.problems[:100]]})
    from envhub.registry.inventory_apply import apply_plan

    with transaction.atomic():
        summary = apply_plan(actor, plan, survey_version)
    return summary


def failed(item: Item, error: EnvhubError, attrs: dict[str, str]) -> InventoryError:
    """A registry refusal as an error naming the line of the value refused."""
    details = getattr(error, "details", {}) or {}
    line = item.line
    for attr in details:
        name = attrs.get(attr)
        if name in item.rank:
            line = item.line_of(name)
            break
    problem = " ".join(str(message) for messages in details.values() for message in messages) \
        or str(error.message)
    what = {"facilities": _("facility %(key)s"), "stacks": _("stack %(key)s"),
            "annual": _("annual figures %(key)s")}[item.kind] % {"key": _title(item)}
    return InventoryError(_("Line %(line)s (%(what)s): %(problem)s") % {
        "line": line, "what": what, "problem": problem},
        {"line": line, "kind": item.kind, "key": _key_dict(item), "fields": details})


