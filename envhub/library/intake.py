"""Documents into the library: metadata checked, files streamed into storage, versions kept.

Every write is here, with its permission check and audit event. A document is created with
its first original in one transaction; a file that fails its checks is removed from the
storage and nothing of the document is kept."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import InvalidInput
from envhub.core.permissions import Actor
from envhub.library import checks, formats, storage
from envhub.library.models import Document, DocumentFile, FileRole, TextState


@dataclass(frozen=True)
class Incoming:
    """A file on its way in: its name as the sender gave it, and its bytes as a stream."""

    name: str
    stream: BinaryIO


def _format_error(error: formats.FormatError) -> InvalidInput:
    return InvalidInput(_(error.message) % error.values if error.values else _(error.message),
                        {"file": [error.code]})


def max_pages() -> int:
    return settings.ENVHUB_LIBRARY_MAX_PAGES


@dataclass
class Checked:
    """A file that passed every check, waiting on local disk to be stored."""

    name: str
    media_type: str
    pages: int | None


def check(incoming: Incoming, local: BinaryIO) -> Checked:
    """The file's name, kind and contents checked (`formats`, `checks`) before a byte of it
    is stored; InvalidInput naming the file otherwise."""
    try:
        name = formats.clean_name(incoming.name)
        media_type = formats.media_type(local.read(storage.HEAD_BYTES), name)
        inspected = checks.inspect(local, media_type, max_pages())
    except formats.FormatError as error:
        raise _format_error(error) from None
    local.seek(0)
    return Checked(name, media_type, inspected.pages)


def store(incoming: Incoming, limit: int | None = None) -> tuple[str, storage.Stored, str]:
    """(clean name, where the bytes are, media type) of a checked file; nothing is stored on
    refusal."""
    with storage.local_copy(incoming.stream, limit) as local:
        checked = check(incoming, local)
        return checked.name, storage.save_stream(local, limit), checked.media_type


def _add_original(actor: Actor, document: Document, checked: Checked,
                  stored: storage.Stored) -> DocumentFile:
    with transaction.atomic():
        newest = document.files.aggregate(newest=Max("version"))["newest"] or 0
        file = DocumentFile.objects.create(
            document=document, version=newest + 1, role=FileRole.ORIGINAL, name=checked.name,
            storage_name=stored.storage_name, size=stored.size, sha256=stored.sha256,
            media_type=checked.media_type, created_by=actor.user)
        Document.objects.filter(pk=document.pk).update(text_state=TextState.PENDING,
                                                       text_message="")
        if checked.pages is not None:  # known from the PDF's check, unless a person said
            Document.objects.filter(pk=document.pk, page_count__isnull=True).update(
                page_count=checked.pages)
        audit.record(actor, "library.file.add", document,
                     {"version": file.version, "name": checked.name, "sha256": stored.sha256,
                      "size": stored.size})
    return file


@contextlib.contextmanager
def _stored_files(files: list[Incoming]):
    """Every file checked first (a bad second file refuses the first unstored), then each
    stored; on any failure after, the stored bytes are deleted: nothing is half-kept."""
    stored: list[tuple[Checked, storage.Stored]] = []
    with contextlib.ExitStack() as stack:
        locals_ = [stack.enter_context(storage.local_copy(incoming.stream))
                   for incoming in files]
        checked = [check(incoming, local) for incoming, local in zip(files, locals_, strict=True)]
        try:
            for item, local in zip(checked, locals_, strict=True):
                stored.append((item, storage.save_stream(local)))
            yield stored
        except BaseException:
            for _item, kept in stored:
                storage.delete_stored(kept.storage_name)
            raise


def add_document(actor: Actor, document: Document, files: list[Incoming],
                 provinces=(), allowed_organisations=()) -> Document:
    """Save a new `document` (its metadata already checked, see `metadata.check`) with its
    originals: the first is version 1, each further one the next version."""
    permissions.require(actor, "add", Document)
    if not files:
        raise InvalidInput(_("Attach at least one file."), {"files": ["required"]})
    with _stored_files(files) as stored, transaction.atomic():
        document.created_by = actor.user if actor.user is not None and actor.user.pk else None
        document.save()
        document.provinces.set(provinces)
        document.allowed_organisations.set(allowed_organisations)
        audit.record(actor, "library.document.add", document)
        for checked, kept in stored:
            _add_original(actor, document, checked, kept)
    document.refresh_from_db()
    return document


def add_version(actor: Actor, document: Document, incoming: Incoming) -> DocumentFile:
    """A new original for `document`: the next version; the earlier ones stay."""
    permissions.require(actor, "change", document)
    with _stored_files([incoming]) as stored:
        return _add_original(actor, document, *stored[0])
