"""Who did what, in words: the actors, actions and changes of the audit log (and the metadata
versions that copy its actor labels) as a reader of the page's language reads them.

The log keeps what it wrote (`user:ana`, `station:HNKT1 (token 3f…)`, `update`,
`province_id: [None, 11]`): it is append-only and written for machines as much as for people.
Pages never show those codes; they show the user's or the station's name (with a link, see
`core/templatetags/names.py`), the action's label, the field's verbose name and the related
object's name.
"""

from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

# The actions services record (`audit.record(actor, "<action>", ...)`).
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "created"),
    "update": pgettext_lazy("audit action", "changed"),
    "delete": pgettext_lazy("audit action", "deleted"),
    "login": pgettext_lazy("audit action", "signed in"),
    "logout": pgettext_lazy("audit action", "signed out"),
    "login_failed": pgettext_lazy("audit action", "failed sign-in"),
    "password_set": pgettext_lazy("audit action", "password set"),
    "token_create": pgettext_lazy("audit action", "API token issued"),
    "token_revoke": pgettext_lazy("audit action", "API token revoked"),
    "publish_version": pgettext_lazy("audit action", "new file version published"),
    "ingest_refused": pgettext_lazy("audit action", "file refused (station not allowed)"),
    "ingest_replace": pgettext_lazy("audit action", "values replaced by a resent file"),
    "reference_load": pgettext_lazy("audit action", "reference data loaded"),
    "upload": pgettext_lazy("audit action", "file uploaded"),
    "submit": pgettext_lazy("audit action", "sent for review"),
    "resubmit": pgettext_lazy("audit action", "sent again for review"),
    "return": pgettext_lazy("audit action", "returned with comments"),
    "approve": pgettext_lazy("audit action", "approved"),
    "load": pgettext_lazy("audit action", "loaded into the database"),
    "load_failed": pgettext_lazy("audit action", "loading failed"),
}

# Keys of `changes` that are not fields of the object's model.
CHANGE_LABELS = {
    "owner": gettext_lazy("for"),
    "usable_password": gettext_lazy("password usable"),
    "file_name": gettext_lazy("file name"),
    "sha256": gettext_lazy("SHA-256 checksum"),
    "size": gettext_lazy("size (bytes)"),
    "values": gettext_lazy("values"),
    "checksum": gettext_lazy("checksum"),
    "created": gettext_lazy("rows created"),
    "updated": gettext_lazy("rows updated"),
    "update": gettext_lazy("update of existing rows"),
    "station": gettext_lazy("station"),
    "version": gettext_lazy("version"),
}

# The server's own commands and jobs, as they sign their work (`system_actor(label)`).
SYSTEM_LABELS = {
    "envhub (catalogue)": gettext_lazy("the catalogue (automatic update)"),
    "envhub demo": gettext_lazy("the demo data loader"),
    "envhub reference": gettext_lazy("the reference data loader"),
    "envhub ingest (server console)": gettext_lazy("a file import on the server"),
    "envhub token (server console)": gettext_lazy("a token command on the server"),
}

_LABEL = re.compile(r"^(?P<kind>user|station|facility):(?P<key>[^\s]+)")


def action_label(action: str) -> str:
    """The action's label; an action this list does not know yet is shown as it was written."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action.replace("_", " ")


def object_type_label(object_type: str) -> str:
    """`registry.facility` as "cơ sở"; what is not a model is shown as written."""
    model = _model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


@dataclass
class Named:
    """A thing shown by its name; `obj` (a model instance) when the name can link to it."""

    text: str
    obj: models.Model | None = None


def actor_named(label: str, user=None) -> Named:
    """The actor of an event or a metadata version, from its label (and user, when known)."""
    from envhub.registry.models import Facility, Station

    if user is not None:
        return Named(str(user), user)
    match = _LABEL.match(label or "")
    if match is None:
        if not label:
            return Named("—")
        if label.startswith("anonymous"):
            return Named(_("an anonymous visitor"))
        if label in SYSTEM_LABELS:
            return Named(str(SYSTEM_LABELS[label]))
        return Named(_("the server (%(what)s)") % {"what": label})
    kind, key = match["kind"], match["key"]
    if kind == "user":
        found = apps.get_model("accounts", "User").objects.filter(username=key).first()
        return Named(str(found), found) if found else Named(key)
    if kind == "station":
        found = Station.objects.filter(code=key).first()
        return Named(found.name, found) if found else Named(_("station %(code)s") % {"code": key})
    found = Facility.objects.filter(tax_code=key).first()
    return Named(found.name, found) if found else Named(_("facility %(code)s") % {"code": key})


@dataclass
class Change:
    field: str
    before: Any
    after: Any


def _model_of(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_of(model, key: str):
    if model is None:
        return None
    for field in model._meta.get_fields():
        if getattr(field, "attname", None) == key or field.name == key:
            return field if (field.concrete or field.many_to_many) else None
    return None


def _value(field, value, related: dict) -> Any:
    """A stored value as a reader reads it: the related object's name, the choice's label."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is None:
        return value
    if field.is_relation and field.related_model is not None:
        names = related.get(field.related_model, {})
        values = value if isinstance(value, list) else [value]
        return [Named(str(names[_key(v)]), names[_key(v)]) if _key(v) in names else Named(str(v))
                for v in values]
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, str) and isinstance(field, models.DecimalField):
        try:
            return decimal.Decimal(value)
        except decimal.InvalidOperation:
            return value
    if isinstance(value, str) and isinstance(field, (models.DateField, models.DateTimeField)):
        return _when(field, value)
    return value


def _when(field, value: str) -> str:
    """An ISO date or time as the page's language writes dates."""
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def as_text(value) -> str:
    """A value of `changes_of` as plain text (names without their links)."""
    if isinstance(value, list) and all(isinstance(v, Named) for v in value):
        return ", ".join(v.text for v in value)
    return str(value)


def _key(value) -> str:
    return str(value)


def changes_of(object_type: str, changes: dict) -> list[Change]:
    """An event's changes by the fields' verbose names, related objects by their names (one
    query per related model)."""
    if not isinstance(changes, dict):
        return []
    model = _model_of(object_type)
    fields = {key: _field_of(model, key) for key in changes}
    wanted: dict[type[models.Model], set] = {}
    for key, field in fields.items():
        if field is None or not field.is_relation or field.related_model is None:
            continue
        pair = changes[key] if isinstance(changes[key], list) else [None, changes[key]]
        for value in pair:
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    wanted.setdefault(field.related_model, set()).add(item)
    related = {
        rel_model: {_key(obj.pk): obj for obj in rel_model._default_manager.filter(pk__in=keys)}
        for rel_model, keys in wanted.items()
    }
    rows = []
    for key, pair in changes.items():
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        field = fields[key]
        if key == "owner" and field is None:
            before, after = ([actor_named(v)] if v else v for v in (before, after))
        if field is not None:
            name = str(field.verbose_name)
        else:
            name = str(CHANGE_LABELS.get(key, key.replace("_", " ")))
        rows.append(Change(name, _value(field, before, related), _value(field, after, related)))
    return rows
