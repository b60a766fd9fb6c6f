"""The text of every document: read from its newest original, OCR'd where the pages are images,
stored as the document's text (`DocumentText`, a `text` file) and a searchable PDF, then
handed to search. Runs in the worker (`jobs.py`), and from the demo and the import.

A document is claimed for a few minutes while it is read (`text_claimed_until`, renewed while
OCR runs), so that two workers, or the worker and an import, never read it twice at once; a
claim whose worker died runs out and the document is taken up again. A new version arriving
meanwhile wins: the text of the old one is dropped, and the new one waits its turn.
"""

from __future__ import annotations

import datetime
import io
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit
from envhub.core.permissions import system_actor
from envhub.library import (
    checks,
    formats,
    ocr,
    search,  # the index, kept in step with the text
    storage,
    text,
)
from envhub.library.models import Document, DocumentFile, DocumentText, FileRole, TextState

logger = logging.getLogger("envhub.library")

CLAIM = datetime.timedelta(minutes=5)
WAITING = (TextState.PENDING, TextState.OCR_PENDING)
IMAGES = {formats.PNG, formats.JPEG, formats.TIFF}
MESSAGE_LIMIT = 500


@dataclass
class Outcome:
    """What reading one document came to (for the job's log, the demo and the tests)."""

    identifier: str
    state: str
    message: str = ""
    pages: int | None = None


def _now() -> datetime.datetime:
    return timezone.now()


def _claimable(now: datetime.datetime) -> Q:
    return Q(text_claimed_until__isnull=True) | Q(text_claimed_until__lt=now)


def _claim(document_id: int, *states) -> bool:
    now = _now()
    rows = Document.objects.filter(_claimable(now), pk=document_id)
    if states:
        rows = rows.filter(text_state__in=states)
    return rows.update(text_claimed_until=now + CLAIM) == 1


def _renew(document_id: int) -> None:
    Document.objects.filter(pk=document_id).update(text_claimed_until=_now() + CLAIM)


def waiting_states() -> list[str]:
    """What the job takes up: documents waiting, and those left without OCR once it is here."""
    states = list(WAITING)
    if not ocr.missing_for_ocr():
        states.append(TextState.OCR_UNAVAILABLE)
    return states


def process_pending(limit: int = 5, budget: datetime.timedelta | None = None) -> list[Outcome]:
    """Read up to `limit` waiting documents, oldest first; stop taking new ones once `budget`
    has passed (a long OCR must not hold the worker's other jobs for long)."""
    started = _now()
    states = waiting_states()
    outcomes: list[Outcome] = []
    skipped: set[int] = set()
    while len(outcomes) < limit:
        if budget is not None and _now() - started >= budget:
            break
        candidate = (Document.objects.filter(_claimable(_now()), text_state__in=states)
                     .exclude(pk__in=skipped).order_by("id").values_list("pk", flat=True)
                     .first())
        if candidate is None:
            break
        if not _claim(candidate, *states):
            skipped.add(candidate)  # another process took it between the two statements
            continue
        outcomes.append(_process_claimed(Document.objects.get(pk=candidate)))
    return outcomes


def process_document(document: Document) -> Outcome | None:
    """Read `document` now, whatever its state (the demo, the import, a re-run); None when
    another process is reading it at this moment."""
    if not _claim(document.pk):
        return None
    return _process_claimed(Document.objects.get(pk=document.pk))


def _newest_original(document: Document) -> DocumentFile | None:
    return (DocumentFile.objects.filter(document=document, role=FileRole.ORIGINAL)
            .order_by("-version").first())


@dataclass
class _Result:
    extracted: text.Extracted | None
    state: str
    message: str
    page_count: int | None = None
    searchable: Path | None = None


def _process_claimed(document: Document) -> Outcome:
    original = _newest_original(document)
    with tempfile.TemporaryDirectory(prefix="envhub-text-") as folder:
        try:
            if original is None:
                result = _Result(None, TextState.NO_TEXT, _("The document has no file to read."))
            else:
                result = _read(document, original, Path(folder))
        except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
            logger.warning("library text: %s failed: %s", document.identifier, error)
            result = _Result(None, TextState.FAILED, _failure(error))
        return _store(document, original, result)


def _failure(error: Exception) -> str:
    code = getattr(error, "code", "")
    if code == "encrypted":
        return _("The file is encrypted: its text cannot be read.")
    if code in ("corrupt", "unreadable"):
        return _("The file is damaged or not what its format says: its text cannot be read.")
    if code == "too_large":
        return _("A part of the file is too large to read.")
    if code == "missing_tool":
        return _("A program needed to read this file is missing on the server.")
    if code in ("ocr_failed", "timeout"):
        return _("OCR failed on this file.")
    return _("Reading the text failed.")


def _copy_out(original: DocumentFile, folder: Path) -> Path:
    suffix = PurePosixPath(original.name.lower()).suffix or ".bin"
    path = folder / f"original{suffix}"
    with storage.open_stored(original.storage_name) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target, storage.CHUNK)
    return path


def _cut_after_end(path: Path) -> None:
    """Drop what follows the PDF's last `%%EOF` in the worker's copy (the stored original
    keeps it): OCRmyPDF took 134 s on a two-page PDF followed by 256 KiB of padding, against
    4 s without it, and longer the more there is."""
    with path.open("r+b") as copy:
        end = checks.pdf_end(copy)
        if end is not None and copy.seek(0, io.SEEK_END) - end > checks.EOF_SLACK:
            copy.truncate(end)


def _read(document: Document, original: DocumentFile, folder: Path) -> _Result:
    media_type = original.media_type
    if media_type in text.READERS:
        path = _copy_out(original, folder)
        with path.open("rb") as stream:
            extracted = text.READERS[media_type](stream)
        if media_type != formats.TEXT:  # a text file's bytes were decoded by their own rule
            extracted = text.repair_legacy(extracted)
        state = TextState.DONE if text.has_text(extracted.content) else TextState.NO_TEXT
        return _Result(extracted, state, _notes(extracted, state), extracted.stated_pages)
    if media_type == formats.PDF:
        missing = ocr.missing_for_text()
        if missing:
            raise ocr.ToolFailed("missing_tool", ", ".join(missing))
        path = _copy_out(original, folder)
        _cut_after_end(path)
        extracted = text.repair_legacy(ocr.pdf_text(path))
        if not extracted.empty_pages:
            return _Result(extracted, TextState.DONE, _notes(extracted, TextState.DONE),
                           len(extracted.pages))
        return _ocr(document, path, folder, extracted, image=False)
    if media_type in IMAGES:
        return _ocr(document, _copy_out(original, folder), folder, None, image=True)
    return _Result(None, TextState.NO_TEXT,
                   _("The library does not read text from files of this kind."))


def _ocr(document: Document, path: Path, folder: Path, layer: text.Extracted | None,
         image: bool) -> _Result:
    """OCR the pages without text, or say it cannot be done here (keeping the text layer)."""
    missing = ocr.missing_for_ocr()
    pages = len(layer.pages) if layer else None
    if missing:
        message = _("OCR is not available on this server (missing: %(packages)s).") % {
            "packages": ", ".join(missing)}
        if layer is not None:
            message += " " + _pages_note(layer)
        return _Result(layer, TextState.OCR_UNAVAILABLE, message, pages)
    if layer is not None and text.has_text(layer.content):
        # What the text layer has is searchable while OCR runs.
        _store_text(document, layer, TextState.OCR_PENDING,
                    _("Waiting for OCR of the pages without text."))
    else:
        Document.objects.filter(pk=document.pk).update(text_state=TextState.OCR_PENDING)
    searchable = folder / "searchable.pdf"
    ocr.make_searchable(path, searchable, image=image, heartbeat=lambda: _renew(document.pk),
                        timeout=ocr.ocr_timeout(pages))
    extracted = ocr.pdf_text(searchable)
    extracted.method = "ocr"
    if layer is not None:  # --skip-text left those pages as they were: keep their repaired text
        for number, page in enumerate(layer.pages[:len(extracted.pages)]):
            if text.has_text(page):
                extracted.pages[number] = page
    state = TextState.DONE if text.has_text(extracted.content) else TextState.NO_TEXT
    return _Result(extracted, state, _notes(extracted, state), len(extracted.pages), searchable)


def _pages_note(extracted: text.Extracted) -> str:
    empty = extracted.empty_pages
    if not empty:
        return ""
    if len(empty) == len(extracted.pages):
        return _("No page has recognisable text.")
    return _("Pages without recognisable text: %(pages)s.") % {
        "pages": text.page_ranges(empty)}


def _notes(extracted: text.Extracted, state: str) -> str:
    notes = []
    if state == TextState.NO_TEXT and not extracted.paged:
        notes.append(_("The file holds no text."))
    elif extracted.paged:
        notes.append(_pages_note(extracted))
    if extracted.truncated:
        notes.append(_("The text is longer than the library keeps: only its first "
                       "%(count)s characters are searchable.") % {"count": text.MAX_TEXT_CHARS})
    message = " ".join(note for note in notes if note)
    return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT - 1] + "…"


def _save_file(document, version: int, role: str, name: str, media_type: str,
               stream) -> DocumentFile:
    stored = storage.save_stream(stream)
    return DocumentFile(document=document, version=version, role=role, name=name,
                        storage_name=stored.storage_name, size=stored.size,
                        sha256=stored.sha256, media_type=media_type)


def _store_text(document: Document, extracted: text.Extracted, state: str,
                message: str) -> None:
    """Only the text, while OCR still runs (no file yet)."""
    version = _newest_original(document)
    with transaction.atomic():
        DocumentText.objects.update_or_create(
            document=document,
            defaults={"version": version.version if version else 0,
                      "content": extracted.content, "pages": len(extracted.pages),
                      "empty_pages": extracted.empty_pages, "method": extracted.method})
        Document.objects.filter(pk=document.pk).update(text_state=state, text_message=message)
    search.index_document(Document.objects.get(pk=document.pk))


def _save_files(document: Document, original: DocumentFile, result: _Result,
                files: list[DocumentFile]) -> None:
    """The text file and the searchable PDF into the storage (`files` gets each as stored)."""
    stem = PurePosixPath(original.name).stem or "document"
    if result.extracted.content:  # the storage keeps no empty file
        files.append(_save_file(document, original.version, FileRole.TEXT, f"{stem}.txt",
                                formats.TEXT, io.BytesIO(result.extracted.content.encode())))
    if result.searchable is not None:
        with result.searchable.open("rb") as stream:
            files.append(_save_file(document, original.version, FileRole.SEARCHABLE_PDF,
                                    f"{stem}.searchable.pdf", formats.PDF, stream))


def _store(document: Document, original: DocumentFile | None, result: _Result) -> Outcome:
    """Keep what was read, unless a newer original came meanwhile; release the claim."""
    new_files: list[DocumentFile] = []
    if original is not None and result.extracted is not None:
        try:
            _save_files(document, original, result, new_files)
        except Exception as error:  # noqa: BLE001 - e.g. a searchable PDF over the size limit
            logger.warning("library text: %s not stored: %s", document.identifier, error)
            for file in new_files:
                storage.delete_stored(file.storage_name)
            new_files = []
            result = _Result(None, TextState.FAILED, _("Reading the text failed."))
    extracted = result.extracted
    replaced: list[str] = []
    try:
        with transaction.atomic():
            current = Document.objects.select_for_update().get(pk=document.pk)
            newest = _newest_original(current)
            if (newest.pk if newest else None) != (original.pk if original else None):
                raise _Superseded
            if original is not None:
                old = DocumentFile.objects.filter(document=current, version=original.version,
                                                  role__in=[FileRole.TEXT,
                                                            FileRole.SEARCHABLE_PDF])
                replaced = list(old.values_list("storage_name", flat=True))
                old.delete()
            DocumentFile.objects.bulk_create(new_files)
            if extracted is not None:
                DocumentText.objects.update_or_create(
                    document=current,
                    defaults={"version": original.version, "content": extracted.content,
                              "pages": len(extracted.pages),
                              "empty_pages": extracted.empty_pages,
                              "method": extracted.method})
            changes = {"text_state": result.state, "text_message": result.message[:500],
                       "text_claimed_until": None}
            # A PDF's or a scan's pages are counted; an office file's stated count (as of its
            # last save) only fills an empty field.
            if result.page_count and (extracted is None or extracted.paged
                                      or not current.page_count):
                changes["page_count"] = result.page_count
            Document.objects.filter(pk=current.pk).update(**changes)
            audit.record(system_actor("library-text"), "library.text.extract", current,
                         {"version": original.version if original else None,
                          "state": result.state, "pages": result.page_count,
                          "method": extracted.method if extracted else "",
                          "files": [file.role for file in new_files]})
    except _Superseded:
        for file in new_files:
            storage.delete_stored(file.storage_name)
        # The newer original waits for its own turn.
        Document.objects.filter(pk=document.pk).update(text_claimed_until=None)
        return Outcome(document.identifier, TextState.PENDING, "superseded")
    except BaseException:
        for file in new_files:
            storage.delete_stored(file.storage_name)
        Document.objects.filter(pk=document.pk).update(text_claimed_until=None)
        raise
    for name in replaced:
        storage.delete_stored(name)
    search.index_document(Document.objects.get(pk=document.pk))
    return Outcome(document.identifier, result.state, result.message, result.page_count)


class _Superseded(Exception):
    """A newer original arrived while the old one was read."""
