"""The shared write path: permission check, validation, save and audit in one transaction.

Apps' services call these for plain records and add their own domain steps around them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Model

from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.core.text import nfc


def validation_details(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError as {field: [messages]} for the API envelope and forms."""
    if hasattr(error, "message_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


def normalise_text(obj: Model) -> None:
    """Text in Unicode NFC (TCVN 6909), whatever form the keyboard or the file sent."""
    for field in obj._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(obj, field.attname)
            if isinstance(value, str):
                setattr(obj, field.attname, nfc(value))


def save(actor: Actor, obj: Model, *, validate: bool = True) -> Model:
    """Create or update `obj` as `actor`: check, validate, save and audit, all or nothing."""
    model = type(obj)
    normalise_text(obj)
    with transaction.atomic():
        before = None
        if obj.pk is not None:
            current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
            if current is not None:
                # The actor must be allowed to change the object as it is and as it will be.
                permissions.require(actor, permissions.CHANGE, current)
                before = audit.snapshot(current)
        if validate:
            try:
                obj.full_clean()
            except ValidationError as error:
                raise InvalidInput(details=validation_details(error)) from None
        # Checked against the new values too: an officer cannot move a facility out of reach.
        permissions.require(
            actor, permissions.CHANGE if before is not None else permissions.ADD, obj
        )
        obj.save()
        changes = audit.diff(before, audit.snapshot(obj))
        if before is None or changes:
            audit.record(actor, "create" if before is None else "update", obj, changes)
    return obj


def delete(actor: Actor, obj: Model) -> None:
    with transaction.atomic():
        permissions.require(actor, permissions.DELETE, obj)
        snapshot = audit.snapshot(obj)
        audit.record(actor, "delete", obj, {key: [value, None] for key, value in snapshot.items()})
        obj.delete()
