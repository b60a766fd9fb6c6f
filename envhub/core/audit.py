"""Writing to the append-only audit log. Every service write ends here.

The log's table is the `AuditEvent` model of `accounts` (an event names its user), which
`accounts` hands over when Django starts (`keep_events_in`, from `AccountsConfig.ready`): core
imports no app."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import uuid
from typing import Any

from django.db.models import Model

from envhub.core.permissions import Actor


def _plain(value: Any) -> Any:
    """A JSON-friendly copy of a field value."""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


# Never copied into the log; a change shows only as a changed fingerprint.
SECRET_FIELDS = {"password", "digest", "secret"}
# Derived or bookkeeping columns that would only add noise.
SKIPPED_FIELDS = {"search_text", "updated_at", "created_at", "last_login"}


def fingerprint(secret: Any) -> str:
    """A short fingerprint that shows a secret changed without revealing it."""
    return "***" + hashlib.sha256(str(secret).encode()).hexdigest()[:8] if secret else ""


def snapshot(obj: Model) -> dict[str, Any]:
    """The concrete field values of an object, keyed by attribute name (`province_id`)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        value = getattr(obj, field.attname)
        if field.name in SECRET_FIELDS:
            value = fingerprint(value)
        values[field.attname] = _plain(value)
    return values


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list]:
    """Changed fields as {field: [old, new]}; for a new object, every field as [None, value]."""
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value
    }


_EVENT_MODEL: type[Model] | None = None


def keep_events_in(model: type[Model]) -> None:
    """Set the model events are written to (called once, by `accounts` at start)."""
    global _EVENT_MODEL
    _EVENT_MODEL = model


def event_model() -> type[Model]:
    if _EVENT_MODEL is None:
        raise RuntimeError("No audit event model: is envhub.accounts installed?")
    return _EVENT_MODEL


def events():
    """All the events of the log, as a queryset."""
    return event_model().objects.all()


def record(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    changes: dict | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    ip_address: str | None = None,
):
    """Append one event. `obj` fills the object columns unless they are given explicitly."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    if ip_address is None:
        ip_address = actor.extra.get("ip")
    return event_model().objects.create(
        actor=actor.label[:200],
        user=actor.user if actor.user is not None and actor.user.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        changes=changes or {},
        ip_address=ip_address,
    )
