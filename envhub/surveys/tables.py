"""An approved generic table's rows, as its page and downloads read them: one version (the
newest loaded by default), filtered by a column's value and sorted by any column.

The values are JSON (`TableRow.data`); Django's key transforms read them on SQLite and
PostgreSQL alike. Numbers are compared and sorted as numbers (a cast of the key to a float:
`json_extract(...)` on SQLite, `(data -> 'key')::double precision` on PostgreSQL), text as
text (`->>`), dates as their ISO text, which sorts as the dates do.

Two things SQLite does otherwise than PostgreSQL, made the same here: its `LIKE` ignores the
case of ASCII letters only, so text is compared in capitals made by Python (`envhub_upper`, a
function registered on each SQLite connection by `register_sqlite_functions`): "đất" finds
"ĐẤT" as PostgreSQL's `UPPER` does; and its JSON paths cannot name a key holding a double
quote, so such a field's value is read through `json_each`."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import F, FloatField, Func, IntegerField, QuerySet, TextField, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from envhub.core import permissions
from envhub.core.errors import InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import Actor
from envhub.surveys import checking, policy, workflow
from envhub.surveys.models import Assignment, LoadState, SchemaKind, TableRow, Version
from envhub.surveys.tableschema import TableSchema

NUMERIC = ("integer", "number", "year")
PAGE_ROWS = 100
MAX_PAGE = 100  # beyond 10,000 rows, a download
MAX_VALUE = 200


def loaded_versions(assignment: Assignment) -> QuerySet:
    return assignment.versions.filter(load_state=LoadState.LOADED).order_by("-number")


def table_assignment(actor: Actor, assignment_id: int) -> Assignment:
    """The assignment of a table whose rows the actor may read: one they see (national roles,
    its unit), or one whose catalogue dataset's access class admits them (the rows' rule,
    `policy.published_tables`); else the refusal the assignment's rule gives (401, 404)."""
    try:
        return workflow.assignment(actor, assignment_id)
    except (NotFound, NotAuthenticated):
        if assignment_id not in policy.published_tables(actor):
            raise
    return Assignment.objects.select_related("campaign", "schema", "organisation").get(
        pk=assignment_id)


def version_of(actor: Actor, assignment_id: int, number: str | int | None) -> tuple[
        Assignment, Version]:
    """The assignment (if the actor sees it) and its loaded version `number`, else the newest
    loaded one."""
    assignment = table_assignment(actor, assignment_id)
    if assignment.schema.kind != SchemaKind.GENERIC:
        raise NotFound(_("Only generic tables keep their rows here."))
    versions = loaded_versions(assignment).select_related("schema_version")
    if number not in (None, ""):
        if not str(number).isdecimal():
            raise InvalidInput(_("version must be a whole number."), {"version": ["integer"]})
        versions = versions.filter(number=int(number))
    found = versions.first()
    if found is None:
        raise NotFound(_("No loaded version of this table."))
    return assignment, found


@dataclass
class Query:
    """What a reader asked of a table: filters by column and an order."""

    equals: dict[str, str] = field(default_factory=dict)
    minimum: dict[str, float] = field(default_factory=dict)
    maximum: dict[str, float] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False
    page: int = 1

    def params(self) -> dict:
        out = {name: value for name, value in self.equals.items()}
        out.update({f"min_{k}": v for k, v in self.minimum.items()})
        out.update({f"max_{k}": v for k, v in self.maximum.items()})
        if self.sort:
            out["sort"] = ("-" if self.descending else "") + self.sort
        return out


def _number(text: str, name: str) -> float:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise InvalidInput(_("“%(value)s” is not a number.") % {"value": text[:40]},
                           {name: ["number"]}) from None


def parse_query(schema: TableSchema, params) -> Query:
    """`?col=value` (exact for numbers and codes, contains for text), `?min_col=`/`?max_col=`
    for numbers, `?sort=col` or `?sort=-col`, `?page=N`. Unknown names are ignored."""
    names = {item.name: item for item in schema.fields}
    query = Query()
    for key, raw in params.items():
        value = (raw or "").strip()[:MAX_VALUE]
        if not value:
            continue
        if key in names:
            query.equals[key] = value
        elif key.startswith(("min_", "max_")) and key[4:] in names and \
                names[key[4:]].type in NUMERIC:
            target = query.minimum if key.startswith("min_") else query.maximum
            target[key[4:]] = _number(value, key)
    sort = (params.get("sort") or "").strip()
    if sort.lstrip("-") in names:
        query.sort, query.descending = sort.lstrip("-"), sort.startswith("-")
    page = (params.get("page") or "1").strip()
    query.page = min(max(int(page), 1), MAX_PAGE) if page.isdecimal() else 1
    return query


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the functions the rows' filters call on SQLite (state of
    the connection, set once when it opens)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("envhub_upper", 1, _upper, deterministic=True)


def _upper(text):
    return text.upper() if isinstance(text, str) else text


class _Upper(Func):
    """A text in capitals: `UPPER` of the database, Python's on SQLite (see the module)."""

    function = "UPPER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="envhub_upper", **extra)


class _EachValue(Func):
    """The value of the key `name` of the row's data, found by `json_each` (SQLite): a key
    holding a double quote, which no JSON path names."""

    template = "(SELECT j.value FROM json_each(%(expressions)s)"
    arg_joiner = ") AS j WHERE j.key = "

    def __init__(self, name: str, output_field=None):
        super().__init__(F("data"), Value(name), output_field=output_field or TextField())


def _key(name: str, numeric: bool, vendor: str = ""):
    # The text is cast too: without it, Django's SQLite backend compares a key's text to the
    # value read as JSON (`JSON_EXTRACT(value, '$')`), which a plain date or word is not.
    if vendor == "sqlite" and '"' in name:
        return Cast(_EachValue(name), FloatField() if numeric else TextField())
    if numeric:
        return Cast(KeyTransform(name, "data"), FloatField())
    return Cast(KeyTextTransform(name, "data"), TextField())


def rows(actor: Actor, version: Version, schema: TableSchema, query: Query) -> QuerySet:
    """The version's rows the actor may read (the policy), filtered and ordered."""
    qs = permissions.scope(actor, TableRow.objects.filter(version=version))
    vendor = connections[qs.db].vendor
    kinds = {item.name: item.type for item in schema.fields}
    # Aliases are named by the field's place, never by its name: a field name is the
    # steward's text ("độ sâu", a quote) and Django refuses such aliases (a 500).
    place = {item.name: index for index, item in enumerate(schema.fields)}
    for name, value in query.equals.items():
        kind, alias = kinds[name], f"f_{place[name]}"
        if kind in NUMERIC:
            qs = qs.alias(**{alias: _key(name, True, vendor)}).filter(
                **{alias: _number(value, name)})
        elif kind == "boolean":
            truth = value.lower() in ("true", "1", "có", "yes")
            if vendor == "sqlite" and '"' in name:
                qs = qs.alias(**{alias: _EachValue(name, IntegerField())}).filter(
                    **{alias: int(truth)})
            else:
                qs = qs.alias(**{alias: KeyTransform(name, "data")}).filter(**{alias: truth})
        elif kind == "string" and vendor == "sqlite":
            qs = qs.alias(**{alias: _Upper(_key(name, False, vendor))}).filter(
                **{f"{alias}__contains": _upper(value)})
        elif kind == "string":
            qs = qs.alias(**{alias: _key(name, False)}).filter(**{f"{alias}__icontains": value})
        else:  # dates and times: as written in ISO
            qs = qs.alias(**{alias: _key(name, False, vendor)}).filter(**{alias: value})
    for bounds, lookup in ((query.minimum, "gte"), (query.maximum, "lte")):
        for name, value in bounds.items():
            alias = f"f_{place[name]}"
            qs = qs.alias(**{alias: _key(name, True, vendor)}).filter(
                **{f"{alias}__{lookup}": value})
    if query.sort:
        expression = _key(query.sort, kinds[query.sort] in NUMERIC, vendor)
        qs = qs.alias(sort_key=expression)
        order = F("sort_key").desc(nulls_last=True) if query.descending else \
            F("sort_key").asc(nulls_last=True)
        return qs.order_by(order, "line")
    return qs.order_by("line")


def page(qs: QuerySet, number: int) -> tuple[list[TableRow], bool]:
    """A page of rows and whether another follows (capped at MAX_PAGE pages)."""
    start = (number - 1) * PAGE_ROWS
    found = list(qs[start:start + PAGE_ROWS + 1])
    return found[:PAGE_ROWS], len(found) > PAGE_ROWS and number < MAX_PAGE


def schema_of(version: Version) -> TableSchema:
    return checking.schema_of(version.schema_version)
