"""A keeper's changes to a document's metadata (admins, stewards, librarians): the fields as
the edit page sends them, checked by `metadata.check` like every other road, saved in one
transaction with an audit event that lists what changed (`library.document.change`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput, NotFound
from envhub.core.permissions import Actor
from envhub.library import metadata
from envhub.library.models import Document

CHANGE = "library.document.change"


def readable_document(actor: Actor, identifier: str) -> Document:
    """The document if the actor may read it; 404 otherwise (out of scope looks like absent)."""
    document = permissions.scope(actor, Document.objects.filter(
        identifier=identifier)).select_related("collection", "dossier", "created_by").first()
    if document is None:
        raise NotFound()
    return document


def editable_document(actor: Actor, identifier: str) -> Document:
    """The document if the actor may change it: 404 out of their sight, 401 for a visitor, 403
    for a reader who does not keep the library."""
    document = readable_document(actor, identifier)
    permissions.require(actor, permissions.CHANGE, document)
    return document


def may_edit(actor: Actor, document: Document) -> bool:
    return permissions.can(actor, permissions.CHANGE, document)


def _links(document: Document) -> dict:
    return {"provinces": sorted(document.provinces.values_list("code", flat=True)),
            "allowed_organisations": sorted(document.allowed_organisations.values_list(
                "pk", flat=True))}


def update_metadata(actor: Actor, document: Document, data: Mapping) -> Document:
    """Apply `data` (field → text or list, as `metadata.check` reads them) to `document`.
    InvalidInput with every field's problems leaves the document as it was. The event lists
    each changed field as [before, after]; nothing changed, nothing is recorded."""
    permissions.require(actor, permissions.CHANGE, document)
    stored = Document.objects.get(pk=document.pk)  # check() writes on the instance it is given
    before = {**audit.snapshot(stored), **_links(stored)}
    # check() asks a title of new documents only; an edit must not empty it either.
    untitled = "title" in data and not str(data["title"] or "").strip()
    try:
        checked = metadata.check(data, stored)
    except InvalidInput as error:
        if untitled:
            error.details.setdefault("title", []).append(_("A document needs a title."))
        raise
    if untitled:
        raise InvalidInput(_("Some metadata are not valid: %(fields)s.") % {"fields": "title"},
                           {"title": [_("A document needs a title.")]})
    with transaction.atomic():
        stored.save()
        if "provinces" in data:
            stored.provinces.set(checked.provinces)
        if "allowed_organisations" in data:
            stored.allowed_organisations.set(checked.allowed_organisations)
        changes = audit.diff(before, {**audit.snapshot(stored), **_links(stored)})
        if changes:
            audit.record(actor, CHANGE, stored, changes)
    return stored
