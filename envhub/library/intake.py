"""Documents into the library: metadata checked, files streamed into storage, versions kept.

Every write is here, with its permission check and audit event. A document is created with
its first original in one transaction; a file that fails its checks is removed from the
storage and nothing of the document is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.library import formats, storage
from envhub.library.models import Document, DocumentFile, FileRole, TextState


@dataclass(frozen=True)
class Incoming:
    """A file on its way in: its name as the sender gave it, and its bytes as a stream."""

    name: str
    stream: BinaryIO


def _format_error(error: formats.FormatError) -> InvalidInput:
    return InvalidInput(_(error.message) % error.values if error.values else _(error.message),
                        {"file": [error.code]})


def store(incoming: Incoming, limit: int | None = None) -> tuple[str, storage.Stored, str]:
    """(clean name, where the bytes are, media type); nothing is left stored on refusal."""
    try:
        name = formats.clean_name(incoming.name)
    except formats.FormatError as error:
        raise _format_error(error) from None
    stored = storage.save_stream(incoming.stream, limit)
    try:
        media_type = formats.media_type(stored.head, name)
    except formats.FormatError as error:
        storage.delete_stored(stored.storage_name)
        raise _format_error(error) from None
    return name, stored, media_type


def _add_original(actor: Actor, document: Document, incoming: Incoming) -> DocumentFile:
    name, stored, media_type = store(incoming)
    try:
        with transaction.atomic():
            newest = document.files.aggregate(newest=Max("version"))["newest"] or 0
            file = DocumentFile.objects.create(
                document=document, version=newest + 1, role=FileRole.ORIGINAL, name=name,
                storage_name=stored.storage_name, size=stored.size, sha256=stored.sha256,
                media_type=media_type, created_by=actor.user)
            Document.objects.filter(pk=document.pk).update(text_state=TextState.PENDING,
                                                           text_message="")
            audit.record(actor, "library.file.add", document,
                         {"version": file.version, "name": name, "sha256": stored.sha256,
                          "size": stored.size})
    except BaseException:
        storage.delete_stored(stored.storage_name)
        raise
    return file


def add_document(actor: Actor, document: Document, files: list[Incoming],
                 provinces=(), allowed_organisations=()) -> Document:
    """Save a new `document` (its metadata already checked, see `forms`) with its originals:
    the first is version 1, each further one the next version."""
    permissions.require(actor, "add", Document)
    if not files:
        raise InvalidInput(_("Attach at least one file."), {"files": ["required"]})
    stored: list[str] = []
    try:
        with transaction.atomic():
            document.created_by = (actor.user if actor.user is not None and actor.user.pk
                                   else None)
            document.save()
            document.provinces.set(provinces)
            document.allowed_organisations.set(allowed_organisations)
            audit.record(actor, "library.document.add", document)
            for incoming in files:
                stored.append(_add_original(actor, document, incoming).storage_name)
    except BaseException:
        # The rows are rolled back: the bytes of the files stored before the failure go too
        # (a second file refused, an import interrupted).
        for name in stored:
            storage.delete_stored(name)
        raise
    return document


def add_version(actor: Actor, document: Document, incoming: Incoming) -> DocumentFile:
    """A new original for `document`: the next version; the earlier ones stay."""
    permissions.require(actor, "change", document)
    return _add_original(actor, document, incoming)
