"""What the unit's pages and the API say about an uploaded file: its check's progress, its
stored report read back, and its annotated copy.

The annotated copy is written from the *stored* report, rebuilt into a `Report`, rather than by
validating the file again: it then marks exactly the cells the page listed (the registry may
have changed since the check), and it costs one streamed read of the file instead of two (a
validation is several times the cost of reading)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core.timeutil import VN
from envhub.surveys import storage
from envhub.surveys.annotate import annotated_xlsx
from envhub.surveys.models import AWAITING_REVIEW, CheckState, LoadState, State, Upload
from envhub.surveys.validation import Issue, Report

_CELL = re.compile(r"^([A-Z]{1,3})(\d*)$")


@dataclass
class StoredIssue(Issue):
    """An issue read back from a stored report: its message as it was written then."""

    text: str = ""

    @property
    def message(self) -> str:
        return self.text


def column_index(cell: str | None) -> int | None:
    """`C12` → 2; None for no cell."""
    found = _CELL.match(cell or "")
    if not found:
        return None
    index = 0
    for letter in found.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _issue(stored: dict) -> StoredIssue:
    return StoredIssue(code=stored.get("code") or "", line=stored.get("line"),
                       column=column_index(stored.get("cell")), field=stored.get("field"),
                       label=stored.get("label"), value=stored.get("value"),
                       text=stored.get("message") or "")


def report_of(upload: Upload) -> Report:
    """The upload's stored report as a `Report` (what `annotated_xlsx` reads)."""
    stored = upload.report or {}
    report = Report(rows=stored.get("rows") or 0,
                    rows_with_errors=stored.get("rows_with_errors") or 0,
                    error_count=stored.get("error_count") or 0,
                    errors=[_issue(item) for item in stored.get("errors") or ()],
                    warnings=[_issue(item) for item in stored.get("warnings") or ()],
                    kind=stored.get("kind") or "", encoding=stored.get("encoding") or "",
                    sheet_name=stored.get("sheet_name") or "",
                    header_line=stored.get("header_line"))
    report.by_code.update(stored.get("by_code") or {})
    if stored.get("refused"):
        report.refused = _issue(stored["refused"])
    return report


def has_annotated_copy(upload: Upload) -> bool:
    """A checked file that was read (a refused one has no cells to mark)."""
    return upload.check_state == CheckState.DONE and not (upload.report or {}).get("refused")


def write_annotated(upload: Upload, out) -> None:
    with storage.open_stored(upload.stored_as) as stream:
        annotated_xlsx(stream, report_of(upload), out)


def progress(upload: Upload) -> dict:
    """The check's state as the page's script and the API read it."""
    report = upload.report or {}
    refused = report.get("refused")
    return {
        "upload": upload.pk,
        "check_state": upload.check_state,
        "check_label": str(CheckState(upload.check_state).label),
        "finished": upload.check_state in (CheckState.DONE, CheckState.FAILED),
        "rows_checked": upload.rows_checked,
        "rows_expected": upload.rows_expected,
        "rows": upload.rows,
        "error_count": upload.error_count,
        "rows_with_errors": upload.rows_with_errors,
        "clean": upload.is_clean,
        "refused": refused.get("message") if refused else None,
        "failure": report.get("failure"),
    }


def percent(upload: Upload) -> int | None:
    """How far the check is, for the progress bar (None while the size is unknown)."""
    if upload.check_state == CheckState.DONE:
        return 100
    if not upload.rows_expected:
        return None
    return min(99, int(100 * upload.rows_checked / upload.rows_expected))


def today() -> datetime.date:
    """Today in Viet Nam: deadlines are local days."""
    return timezone.now().astimezone(VN).date()


def is_overdue(due_on: datetime.date, state: str | None) -> bool:
    """Past its deadline and not yet sent (a file sent in time is the steward's to judge)."""
    done = (*AWAITING_REVIEW, State.APPROVED, State.LOADED)
    return due_on < today() and state not in done


def next_step(submission, *, version=None) -> str:
    """What happens next, and who acts, in a plain sentence."""
    upload = submission.current_upload
    state = submission.state
    if state in (State.DRAFT, State.RETURNED):
        if upload is None:
            return _("The unit uploads its file.")
        if upload.check_state in (CheckState.QUEUED, CheckState.RUNNING):
            return _("envhub is checking the file; this page follows the check.")
        if upload.check_state == CheckState.FAILED:
            return _("The file could not be checked: upload it again; if it happens again, "
                     "tell the data centre.")
        if upload.report.get("refused"):
            return _("The file was refused as a whole: the unit uploads the template filled "
                     "in, as XLSX or CSV.")
        if not upload.is_clean:
            return _("The unit corrects the cells the report names (the annotated file marks "
                     "them) and uploads the file again.")
        if state == State.RETURNED:
            return _("The corrected file has no errors: the unit sends it for review again.")
        return _("The file has no errors: the unit sends it for review.")
    if state in AWAITING_REVIEW:
        return _("A data steward of the data centre reviews the file: they approve it, or "
                 "return it to the unit with comments.")
    if state == State.APPROVED:
        if version is not None and version.load_state == LoadState.FAILED:
            return _("Approved, but loading failed: the data centre looks into it, and may "
                     "return the submission to the unit.")
        return _("Approved: envhub loads the rows into the environmental database.")
    return _("Loaded: the rows are in the environmental database. A correction is uploaded as "
             "a new submission and becomes the next version.")
