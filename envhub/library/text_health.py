"""What `envhub check` says of the library's text (`core/health.py`): whether PDF text layers
can be read and scans OCR'd here (poppler, OCRmyPDF, Tesseract with Vietnamese), and documents
waiting long for their text (no worker running)."""

from __future__ import annotations

import datetime

from django.db import DatabaseError
from django.utils import timezone

from envhub.core.health import Report, database_check

LONG_WAIT = datetime.timedelta(minutes=30)


@database_check
def text_tools(report: Report) -> None:
    from envhub.library import ocr

    missing = ocr.missing_for_ocr()
    if missing:
        report.error(f"library: OCR unavailable, missing {', '.join(missing)}; scans are kept "
                     "without text (marked “OCR unavailable”) until `scripts/system-deps.sh "
                     "base` installs them.")
        return
    found = ocr.versions()
    report.ok("library: text and OCR tools present (" + ", ".join(
        f"{name} {version}" for name, version in sorted(found.items())) + "; Tesseract vie+eng)")


@database_check
def text_queue(report: Report) -> None:
    from django.db.models import Max

    from envhub.library.models import Document, TextState

    try:
        before = timezone.now() - LONG_WAIT
        # Since the newest file came: a new version puts an old document back in the queue.
        waiting = Document.objects.filter(
            text_state__in=[TextState.PENDING, TextState.OCR_PENDING]).annotate(
            newest=Max("files__created_at")).filter(newest__lt=before).count()
        unavailable = Document.objects.filter(text_state=TextState.OCR_UNAVAILABLE).count()
        failed = Document.objects.filter(text_state=TextState.FAILED).count()
    except DatabaseError:
        return  # reported as pending migrations
    if waiting:
        report.warn(f"library: {waiting} documents waiting over 30 minutes for their text; is "
                    "`envhub worker` running?")
    else:
        report.ok("library: no document waiting long for its text")
    if unavailable:
        report.warn(f"library: {unavailable} documents without OCR (it was unavailable); the "
                    "worker takes them up again once OCR is installed")
    if failed:
        report.warn(f"library: {failed} documents whose text could not be read (see their "
                    "text note)")
