"""The picture of a document's first page shown on its page: drawn by poppler's `pdftoppm`
from the newest version's PDF (the original, or the searchable PDF that OCR made of a scan),
and kept in the library storage beside the files, so that it is drawn once.

A preview is named after the SHA-256 of the PDF it was drawn from: a new version gets a new
one, and the same bytes never get two. Who may see it is the document's rule, checked by the
page that serves it (`page_views.document_preview`)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile

from envhub.library import formats, storage
from envhub.library.models import Document, DocumentFile, FileRole

logger = logging.getLogger("envhub.library")

# The longer side of the picture, in pixels: sharp on a phone held upright and on a page.
SIZE = 1000
# A first page that takes longer than this to draw is not shown (a hostile or broken PDF).
TIMEOUT_SECONDS = 30
PDFTOPPM = "pdftoppm"


def source_of(document: Document) -> DocumentFile | None:
    """The PDF the preview is drawn from: the newest version's original when it is a PDF,
    else that version's searchable PDF; None when the newest version has neither."""
    newest = document.files.filter(role=FileRole.ORIGINAL).order_by("-version").first()
    if newest is None:
        return None
    if newest.media_type == formats.PDF:
        return newest
    return document.files.filter(version=newest.version, role=FileRole.SEARCHABLE_PDF).first()


def cache_name(file: DocumentFile) -> str:
    return f"previews/{file.sha256}-{SIZE}.png"


def available() -> bool:
    return shutil.which(PDFTOPPM) is not None


def preview_of(document: Document) -> str | None:
    """The storage name of the document's preview, drawn now if it is not kept yet; None when
    there is nothing to draw it from or it cannot be drawn."""
    file = source_of(document)
    if file is None:
        return None
    name = cache_name(file)
    kept = storage.library_storage()
    if kept.exists(name):
        return name
    picture = render_first_page(file)
    if picture is None:
        return None
    saved = kept.save(name, ContentFile(picture))
    if saved != name:  # drawn at the same moment by another request: keep one
        kept.delete(saved)
    return name


def render_first_page(file: DocumentFile) -> bytes | None:
    """The first page of `file` as a PNG, or None (no pdftoppm, a PDF it cannot read, or one
    that takes too long). The PDF is copied to a temporary file a chunk at a time: pdftoppm
    reads a path, and the storage may be an object store."""
    if not available():
        logger.warning("pdftoppm is not installed: no preview for %s", file.document_id)
        return None
    with tempfile.TemporaryDirectory(prefix="envhub-preview-") as folder:
        pdf = Path(folder) / "source.pdf"
        with storage.open_stored(file.storage_name) as stream, pdf.open("wb") as out:
            shutil.copyfileobj(stream, out, storage.CHUNK)
        target = Path(folder) / "page"
        try:
            subprocess.run(
                [PDFTOPPM, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(SIZE),
                 str(pdf), str(target)],
                check=True, capture_output=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            logger.warning("preview of document %s took too long", file.document_id)
            return None
        except subprocess.CalledProcessError as error:
            logger.warning("pdftoppm could not draw document %s: %s", file.document_id,
                           error.stderr.decode(errors="replace")[:300])
            return None
        picture = target.with_suffix(".png")
        return picture.read_bytes() if picture.is_file() else None
