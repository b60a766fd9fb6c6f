"""The library's reading log: every view of a restricted document and every download of a file
of a non-public one goes into the audit log, with who, when and from where (the actor's
address). Public documents are read without a trace: they are anyone's.

The rule is here once, so that pages, the API and any other road record the same events."""

from __future__ import annotations

from envhub.core import audit
from envhub.core.permissions import Actor
from envhub.library.models import AccessLevel, Document, DocumentFile

VIEW = "library.document.view"
DOWNLOAD = "library.file.download"


def document_viewed(actor: Actor, document: Document, part: str = "page") -> None:
    """`actor` was shown `document` (`part`: the page, or the preview of its first page)."""
    if document.access_level == AccessLevel.RESTRICTED:
        audit.record(actor, VIEW, document, {"part": part})


def file_downloaded(actor: Actor, file: DocumentFile, byte_range=None) -> None:
    """`actor` was sent `file`'s bytes: all of them, or the one `byte_range` (`ranges`) a
    resumed download or a PDF viewer asked for, which the event names."""
    document = file.document
    if document.access_level != AccessLevel.PUBLIC:
        details = {"file": file.pk, "version": file.version, "role": file.role,
                   "name": file.name, "sha256": file.sha256,
                   "access_level": document.access_level}
        if byte_range is not None:
            details["range"] = byte_range.content_range()
        audit.record(actor, DOWNLOAD, document, details)
