"""The shared write path: permission check, validation, save and audit in one transaction.

Apps' services call these for plain records and add their own domain steps around them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Model, ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

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


def _count_by_model(objects) -> str:
    """"2 emission sources, 1 monitoring station": what a list of objects is, for a message."""
    counts: dict[type, int] = {}
    for item in objects:
        counts[type(item)] = counts.get(type(item), 0) + 1
    parts = []
    for model, count in sorted(counts.items(), key=lambda pair: pair[0]._meta.label):
        meta = model._meta
        name = meta.verbose_name if count == 1 else meta.verbose_name_plural
        parts.append(f"{count} {name}")
    return ", ".join(parts)


def _listed_by(obj: Model) -> list[tuple[type, int]]:
    """Many-to-many lists that name `obj` (a membership's facilities or provinces). Deleting the
    object would silently drop it from them, and an emptied list can mean "all" (a membership
    with no facilities covers every facility of its organisation): so it is refused instead."""
    found = []
    for relation in obj._meta.related_objects:
        if not relation.many_to_many:
            continue
        through = relation.through
        # The through table's foreign key to `obj`'s model (`facility` in membership_facilities).
        column = relation.field.m2m_reverse_field_name()
        count = through._default_manager.filter(**{column: obj.pk}).count()
        if count:
            found.append((relation.related_model, count))
    return found


def delete(actor: Actor, obj: Model) -> None:
    """Delete `obj` as `actor`, audited. Refused with a clear message when other records still
    depend on it (protected foreign keys) or a list names it (memberships), rather than letting
    the database cascade unaudited."""
    with transaction.atomic():
        permissions.require(actor, permissions.DELETE, obj)
        for model, count in _listed_by(obj):
            meta = model._meta
            listed = f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
            raise InvalidInput(
                _("“%(object)s” is listed in %(listed)s: remove it from those %(lists)s first.")
                % {"object": obj, "listed": listed, "lists": meta.verbose_name_plural},
                {"__all__": [_("still listed in %(listed)s") % {"listed": listed}]},
            )
        collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
        try:
            collector.collect([obj])
        except (ProtectedError, RestrictedError) as error:
            dependents = (error.protected_objects if isinstance(error, ProtectedError)
                          else error.restricted_objects)
            raise InvalidInput(
                _("“%(object)s” cannot be deleted while other records depend on it: "
                  "%(dependents)s. Delete or move those first.") % {
                    "object": obj, "dependents": _count_by_model(dependents)},
                {"__all__": [_("still used by %(dependents)s") % {
                    "dependents": _count_by_model(dependents)}]},
            ) from None
        snapshot = audit.snapshot(obj)
        changes = {key: [value, None] for key, value in snapshot.items()}
        # Rows that go with it by design (a parameter's aliases, a user's memberships): say so.
        also = _cascaded(collector, obj)
        if also:
            changes["deleted_with_it"] = [None, also]
        audit.record(actor, "delete", obj, changes)
        obj.delete()


def _cascaded(collector: Collector, obj: Model) -> dict[str, int]:
    counts: dict[str, int] = {}
    for model, instances in collector.data.items():
        if model._meta.auto_created:
            continue
        n = sum(1 for item in instances if not (model is type(obj) and item.pk == obj.pk))
        if n:
            counts[model._meta.label_lower] = counts.get(model._meta.label_lower, 0) + n
    for qs in collector.fast_deletes:
        if qs.model._meta.auto_created:
            continue
        n = qs.count()
        if n:
            counts[qs.model._meta.label_lower] = counts.get(qs.model._meta.label_lower, 0) + n
    return counts
