"""The table schemas of survey datasets: Frictionless Table Schema descriptors, checked by the
`frictionless` library and compiled into the plain objects the readers and the validator use.

A descriptor is a Table Schema (docs/domain/survey-formats.md) with these custom properties,
which the spec allows ("adding custom properties"):

- on a field: `titles` — `{"vi": …, "en": …}`, the label in each language (`title`, the
  spec's own property, holds the Vietnamese one for tools that know no other); `unit` — the
  unit of the values, a token of `core/units.py` or free text (`tấn/năm`);
- on a foreign key: `newWith` — fields that, when all filled, let a row name a code the
  registry does not have yet (a new periodic site, a facility surveyed for the first time);
- on the schema: `titles` (the dataset kind's name), `sheetName` (the data sheet of its XLSX
  template), `parameterUnits` (`{"medium", "parameter", "unit"}`: the fields whose unit must
  be one the parameter can be read in), `coordinates` (`{"latitude", "longitude"}`: a
  point that must lie in Viet Nam) and `belowDetection` (`{"flag", "limit", "value"}`: a row
  flagged below the limit of detection gives the limit and no value; any other row gives its
  value).

Foreign keys point at the registry as resources named `registry:<table>` (`province`, `ward`,
`facility`, `station`, `parameter`; a ward by its code, or by its province's and its own); the
validator gets their codes as sets (`surveys/codes.py`). Field types supported: string,
integer, number, boolean, date, time, datetime, year; anything else is refused when the schema
is compiled.

Pure module (no Django): the descriptors are data; `frictionless` checks them against the spec.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from envhub.surveys.patterns import PatternError, compile_pattern

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
BUILT_IN = ("periodic_results", "emission_inventory", "generic_example")
TYPES = ("string", "integer", "number", "boolean", "date", "time", "datetime", "year")
# Each registry resource and the keys a foreign key may reference in it (a ward by its code,
# or by its province's code and its own, which also checks that it lies in that province).
REGISTRY_RESOURCES = {
    "registry:province": (("code",),),
    "registry:ward": (("code",), ("province", "code")),
    "registry:facility": (("tax_code",),),
    "registry:station": (("code",),),
    "registry:parameter": (("medium", "code"),),
}
# The spec's defaults, and the Vietnamese words a unit writes.
TRUE_VALUES = ("true", "True", "TRUE", "1", "có", "Có", "CÓ", "x", "X")
FALSE_VALUES = ("false", "False", "FALSE", "0", "không", "Không", "KHÔNG")


CHECK_DIGITS = ("vn-tax-code",)


class SchemaError(ValueError):
    """A descriptor that is not a valid Table Schema, or uses what envhub does not check."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title_vi: str
    title_en: str
    unit: str | None = None
    description: str = ""
    required: bool = False
    minimum: object = None
    maximum: object = None
    exclusive_minimum: object = None
    exclusive_maximum: object = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple | None = None
    unique: bool = False
    true_values: tuple = TRUE_VALUES
    false_values: tuple = FALSE_VALUES
    # envhub's `checkDigit` property: the code's own check digit is verified (a Vietnamese tax
    # code, `vn-tax-code`), so a mistyped new facility is caught in the report, not at loading.
    check_digit: str | None = None

    def label(self, language: str = "vi") -> str:
        return self.title_en if language == "en" else self.title_vi

    def header(self, language: str = "vi") -> str:
        """The template's header: the label, and the unit in brackets when there is one."""
        return f"{self.label(language)} ({self.unit})" if self.unit else self.label(language)


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]
    new_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSchema:
    name: str
    title_vi: str
    title_en: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    sheet_name: str = "Dữ liệu"
    parameter_units: dict | None = None
    coordinates: dict | None = None
    below_detection: dict | None = None
    descriptor: dict = field(default_factory=dict, compare=False, repr=False)

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)


def _as_tuple(value) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value or ())


def compile_schema(descriptor: dict) -> TableSchema:
    """Check `descriptor` with frictionless (the Table Schema spec) and envhub's own rules, and
    compile it. Raises `SchemaError` naming what is wrong."""
    from frictionless import FrictionlessException, Schema

    if not isinstance(descriptor, dict):
        raise SchemaError("a table schema is a JSON object")
    try:
        Schema.from_descriptor(descriptor)
    except FrictionlessException as error:
        notes = [reason.note for reason in error.reasons] or [error.error.note]
        raise SchemaError("; ".join(str(note) for note in notes if note) or str(error)) from None
    fields = tuple(_compile_field(item) for item in descriptor["fields"])
    names = [item.name for item in fields]
    if len(set(names)) != len(names):
        raise SchemaError("two fields have the same name")
    primary_key = _as_tuple(descriptor.get("primaryKey"))
    foreign_keys = tuple(_compile_foreign_key(item, names) for item in
                         descriptor.get("foreignKeys", ()))
    for name in primary_key:
        if name not in names:
            raise SchemaError(f"primary key field {name!r} is not a field")
    extras = {}
    for key, wanted in (("parameterUnits", ("medium", "parameter", "unit")),
                        ("coordinates", ("latitude", "longitude")),
                        ("belowDetection", ("flag", "limit", "value"))):
        value = descriptor.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or set(value) != set(wanted) or \
                any(value[part] not in names for part in wanted):
            raise SchemaError(f"{key} must name the fields {', '.join(wanted)}")
        extras[key] = dict(value)
    titles = descriptor.get("titles") or {}
    title = descriptor.get("title") or descriptor.get("name") or ""
    return TableSchema(
        name=descriptor.get("name", ""), title_vi=titles.get("vi", title),
        title_en=titles.get("en", title), fields=fields, primary_key=primary_key,
        foreign_keys=foreign_keys,
        missing_values=tuple(descriptor.get("missingValues", ("",))),
        sheet_name=str(descriptor.get("sheetName") or "Dữ liệu")[:31],
        parameter_units=extras.get("parameterUnits"), coordinates=extras.get("coordinates"),
        below_detection=extras.get("belowDetection"), descriptor=descriptor)


def _compile_field(item: dict) -> Field:
    kind = item.get("type", "string")
    if kind not in TYPES:
        raise SchemaError(f"field {item.get('name')!r}: type {kind!r} is not one envhub checks "
                          f"({', '.join(TYPES)})")
    constraints = item.get("constraints") or {}
    titles = item.get("titles") or {}
    title = item.get("title") or item["name"]
    pattern = constraints.get("pattern")
    if pattern is not None:
        try:
            compile_pattern(pattern)
        except PatternError as error:
            raise SchemaError(f"field {item['name']!r}: bad pattern ({error})") from None
    enum = constraints.get("enum")
    check_digit = item.get("checkDigit")
    if check_digit not in (None, *CHECK_DIGITS):
        raise SchemaError(f"field {item['name']!r}: checkDigit {check_digit!r} is not one envhub "
                          f"checks ({', '.join(CHECK_DIGITS)})")
    compiled = Field(
        name=item["name"], type=kind, title_vi=titles.get("vi", title),
        title_en=titles.get("en", title), unit=item.get("unit"),
        description=item.get("description", ""),
        required=bool(constraints.get("required")),
        minimum=constraints.get("minimum"), maximum=constraints.get("maximum"),
        exclusive_minimum=constraints.get("exclusiveMinimum"),
        exclusive_maximum=constraints.get("exclusiveMaximum"),
        min_length=constraints.get("minLength"), max_length=constraints.get("maxLength"),
        pattern=pattern, enum=tuple(enum) if enum is not None else None,
        unique=bool(constraints.get("unique")),
        true_values=tuple(item.get("trueValues", TRUE_VALUES)),
        false_values=tuple(item.get("falseValues", FALSE_VALUES)),
        check_digit=check_digit,
    )
    from envhub.surveys.cells import CellError, bound

    for name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if constraints.get(name) is not None and kind != "string":
            try:
                bound(compiled, constraints[name])
            except (CellError, TypeError, ValueError):
                raise SchemaError(f"field {item['name']!r}: {name} {constraints[name]!r} is "
                                  f"not a {kind}") from None
    return compiled


def _compile_foreign_key(item: dict, names: list[str]) -> ForeignKey:
    fields = _as_tuple(item.get("fields"))
    reference = item.get("reference") or {}
    resource = reference.get("resource", "")
    reference_fields = _as_tuple(reference.get("fields"))
    if resource not in REGISTRY_RESOURCES:
        raise SchemaError(f"foreign key to {resource!r}: envhub checks references to "
                          f"{', '.join(REGISTRY_RESOURCES)}")
    if reference_fields not in REGISTRY_RESOURCES[resource]:
        raise SchemaError(f"foreign key to {resource}: reference the fields " + " or ".join(
            ", ".join(fields) for fields in REGISTRY_RESOURCES[resource]))
    new_with = _as_tuple(item.get("newWith"))
    for name in (*fields, *new_with):
        if name not in names:
            raise SchemaError(f"foreign key field {name!r} is not a field")
    return ForeignKey(fields=fields, resource=resource, reference_fields=reference_fields,
                      new_with=new_with)


@cache
def built_in(name: str) -> TableSchema:
    """One of the three built-in kinds, by its file name in `schemas/`."""
    if name not in BUILT_IN:
        raise KeyError(name)
    path = SCHEMAS_DIR / f"{name}.json"
    return compile_schema(json.loads(path.read_text(encoding="utf-8")))
