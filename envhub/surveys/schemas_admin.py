"""Stewards' work on table schemas: a new schema (of the generic kind) and a schema's next
version — never an edit of one a file was checked against — each checked by `compile_schema`
first and audited; and the preview of the template a descriptor makes."""

from __future__ import annotations

import json
import re

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.core import audit
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import ADMIN, STEWARD, Actor
from envhub.surveys.models import SchemaKind, SchemaVersion, SurveySchema
from envhub.surveys.tableschema import SchemaError, TableSchema, compile_schema
from envhub.surveys.template import _type_name, rules_in_words

MAX_DESCRIPTOR = 200_000
# A schema nests five levels (fields, a field, its constraints, an enum); deeper is an attack
# on the recursive code that reads it (frictionless, the JSON column, the templates).
MAX_DEPTH = 12
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# The registry's code lists a column may be checked against, as the preview names them.
CODE_LISTS = {
    "registry:province": gettext_lazy("province codes"),
    "registry:ward": gettext_lazy("ward codes"),
    "registry:facility": gettext_lazy("facility tax codes"),
    "registry:station": gettext_lazy("station codes"),
    "registry:parameter": gettext_lazy("parameter codes"),
}


def may_edit(actor: Actor) -> bool:
    return actor.kind == "user" and actor.has_role(STEWARD, ADMIN) or actor.is_system


def _require_editor(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not may_edit(actor):
        raise Forbidden(_("Only data stewards create and change table schemas."))


def schema(slug: str) -> SurveySchema:
    found = SurveySchema.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound()
    return found


def _depth(value) -> int:
    """How deep lists and objects nest in `value`, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in (
                    item.values() if isinstance(item, dict) else item))
    return deepest


def parse(text: str) -> tuple[dict, TableSchema]:
    """The descriptor typed in the editor, read and compiled; InvalidInput naming what is
    wrong (the JSON's line, or the Table Schema rule) otherwise."""
    text = text or ""
    if len(text) > MAX_DESCRIPTOR:
        raise InvalidInput(_("The descriptor may have at most %(count)d characters.")
                           % {"count": MAX_DESCRIPTOR}, {"descriptor": ["too_long"]})
    try:
        descriptor = json.loads(text)
    except RecursionError:
        descriptor = None  # deeper than the parser goes: refused below as too deep
    except ValueError as error:
        raise InvalidInput(_("The descriptor is not valid JSON (line %(line)s, column "
                             "%(column)s).") % {"line": getattr(error, "lineno", "?"),
                                                "column": getattr(error, "colno", "?")},
                           {"descriptor": ["json"]}) from None
    if descriptor is None and text.strip() != "null" or _depth(descriptor) > MAX_DEPTH:
        raise InvalidInput(_("The descriptor nests its values more than %(count)d levels "
                             "deep.") % {"count": MAX_DEPTH}, {"descriptor": ["too_deep"]})
    try:
        compiled = compile_schema(descriptor)
    except SchemaError as error:
        raise InvalidInput(_("The descriptor is not a table schema envhub can check: "
                             "%(reason)s") % {"reason": str(error)[:500]},
                           {"descriptor": ["schema"]}) from None
    return descriptor, compiled


def preview(compiled: TableSchema, language: str = "vi") -> list[dict]:
    """The columns as the template will have them: header (label and unit), type, whether
    required, rules in words and the code list a column is checked against."""
    lists = {fk.fields[-1]: CODE_LISTS.get(fk.resource, fk.resource)
             for fk in compiled.foreign_keys}
    return [{"name": item.name, "header": item.header(language), "type": _type_name(item.type),
             "required": item.required, "rules": rules_in_words(item),
             "codes": str(lists[item.name]) if item.name in lists else "",
             "description": item.description} for item in compiled.fields]


def create_schema(actor: Actor, *, slug: str, text: str, note: str = "") -> SurveySchema:
    """A new schema of the generic kind, with its first version."""
    _require_editor(actor)
    slug = (slug or "").strip().lower()
    if not SLUG.match(slug) or len(slug) > 60:
        raise InvalidInput(_("The identifier is lower-case letters, digits and dashes."),
                           {"slug": ["format"]})
    if SurveySchema.objects.filter(slug=slug).exists():
        raise InvalidInput(_("A schema with this identifier exists already."),
                           {"slug": ["taken"]})
    descriptor, compiled = parse(text)
    with transaction.atomic():
        item = SurveySchema.objects.create(
            slug=slug, kind=SchemaKind.GENERIC, title_vi=(compiled.title_vi or slug)[:200],
            title_en=(compiled.title_en or "")[:200])
        version = SchemaVersion.objects.create(schema=item, number=1, descriptor=descriptor,
                                               note=(note or "")[:300], created_by=actor.label)
        audit.record(actor, "create", item, {"slug": [None, slug], "version": [None, 1]})
        audit.record(actor, "create", version, {"note": [None, version.note]})
    return item


def new_version(actor: Actor, slug: str, *, text: str, note: str = "") -> SchemaVersion:
    """The schema's next version. A built-in kind's loader reads its fields by name, so a new
    version of one keeps every field the current version has."""
    _require_editor(actor)
    item = schema(slug)
    descriptor, compiled = parse(text)
    current = item.current()
    if current is not None and descriptor == current.descriptor:
        raise InvalidInput(_("The descriptor is the same as the current version's."),
                           {"descriptor": ["unchanged"]})
    if item.kind != SchemaKind.GENERIC and current is not None:
        missing = sorted({f["name"] for f in current.descriptor.get("fields", ())}
                         - set(compiled.names))
        if missing:
            raise InvalidInput(_("This kind's loader reads these fields; keep them: "
                                 "%(fields)s") % {"fields": ", ".join(missing)},
                               {"descriptor": ["fields_removed"]})
    with transaction.atomic():
        SurveySchema.objects.select_for_update().filter(pk=item.pk).first()
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = SchemaVersion.objects.create(schema=item, number=number,
                                               descriptor=descriptor, note=(note or "")[:300],
                                               created_by=actor.label)
        changes = {"version": [number - 1 or None, number]}
        if compiled.title_vi and compiled.title_vi != item.title_vi:
            changes["title_vi"] = [item.title_vi, compiled.title_vi[:200]]
            item.title_vi = compiled.title_vi[:200]
            item.title_en = (compiled.title_en or "")[:200]
            item.save(update_fields=["title_vi", "title_en"])
        audit.record(actor, "new_version", item, changes)
    return version
