"""What a sender is told about each file: its report, the lines rejected and why, in the
sender's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.monitoring.models import BatchStatus

# The status of a file that could not be stored at all (it has no batch): send it again.
ERROR = "error"
# A batch keeps the first rejects in full; the count stays exact.
MAX_STORED_REJECTS = 200


@dataclass(slots=True)
class IncomingFile:
    name: str
    content: bytes
    # The size as received, when the content was not read because it is over the limit.
    size: int | None = None


@dataclass
class Reject:
    line: int  # 0 for the file as a whole
    code: str
    message: str
    text: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "message": self.message, "text": self.text}


@dataclass(slots=True)
class BatchReport:
    """The answer a sender gets for one file. (Slots: a backfill holds two slices of them.)"""

    file_name: str
    status: str = BatchStatus.REJECTED
    station: str | None = None
    batch_id: int | None = None
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejects: list[Reject] = field(default_factory=list)
    conflict_details: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicate_of: int | None = None

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name, "status": self.status, "station": self.station,
            "batch_id": self.batch_id, "lines": self.lines, "accepted": self.accepted,
            "rejected": self.rejected, "duplicates": self.duplicates,
            "conflicts": self.conflicts, "rejects": [r.as_dict() for r in self.rejects],
            "conflict_details": self.conflict_details, "notes": self.notes,
            "duplicate_of": self.duplicate_of,
        }

    def add_note(self, note: str) -> None:
        """A note said once per file, however many of its lines it concerns."""
        if note not in self.notes:
            self.notes.append(note)


def status_from_counts(status: str, counts) -> str:
    """A file's status from its counts (`counts`: a report or a batch row)."""
    if status == BatchStatus.DUPLICATE_FILE:
        return status
    if counts.accepted == 0 and counts.rejected and not (counts.duplicates or counts.conflicts):
        return BatchStatus.REJECTED
    if counts.rejected or counts.conflicts:
        return BatchStatus.PARTIAL
    return BatchStatus.ACCEPTED


def not_stored(file_name: str) -> BatchReport:
    """The report of a file the database could not store."""
    report = BatchReport(file_name=file_name, status=ERROR)
    report.rejects.append(Reject(0, "server_error", _(
        "The database could not store this file; nothing of it was kept. Send it again.")))
    report.rejected = 1
    return report


# The parser's reasons, said to the sender in their language (the parser itself speaks English
# and gives stable codes; its English detail stays in the logs).
LINE_MESSAGES = {
    "wrong_field_count": gettext_lazy(
        "A line has five fields separated by TAB: symbol, value, unit, time "
        "and device status."
    ),
    "empty_symbol": gettext_lazy(
        "The parameter symbol is empty."
    ),
    "bad_value": gettext_lazy(
        "The value is not a number (digits with one decimal point or comma)."
    ),
    "empty_value": gettext_lazy(
        "The value is empty; an empty value is allowed only with status 02 "
        "(device error)."
    ),
    "bad_time": gettext_lazy(
        "The time is not a real time in the form yyyyMMddHHmmss."
    ),
    "bad_status": gettext_lazy(
        "Unknown device status: expected 00, 01 or 02."
    ),
    "bad_character": gettext_lazy(
        "The line contains a control character."
    ),
    "line_too_long": gettext_lazy(
        "The line is too long."
    ),
    "duplicate_in_file": gettext_lazy(
        "This parameter and time came earlier in the file; the first value is "
        "kept."
    ),
}
FILE_MESSAGES = {
    "empty_file": gettext_lazy(
        "The file holds no data lines."
    ),
    "not_utf8": gettext_lazy(
        "The file is not UTF-8 text; save it as UTF-8, not Windows-1258 or "
        "another code page."
    ),
    "binary_content": gettext_lazy(
        "The file is binary (or UTF-16), not a UTF-8 text file."
    ),
    "too_many_lines": gettext_lazy(
        "The file has more lines than allowed."
    ),
}
NAME_MESSAGES = {
    "bad_name": gettext_lazy(
        "The file name is not valid."
    ),
    "name_too_long": gettext_lazy(
        "The file name is too long."
    ),
    "bad_extension": gettext_lazy(
        "A TT10 file name ends in .txt."
    ),
    "wrong_part_count": gettext_lazy(
        "The file name must be four parts joined by '_': "
        "Province_Facility_Station_yyyyMMddHHmmss.txt."
    ),
    "bad_code": gettext_lazy(
        "The parts of a file name may hold only letters without diacritics, "
        "digits and '-'."
    ),
    "bad_time": gettext_lazy(
        "The time in the file name is not a real time yyyyMMddHHmmss."
    ),
}


def in_senders_language(messages: dict, code: str, english_detail: str) -> str:
    """The message for a parser's reason code, translated; its English detail if the code has
    none."""
    return str(messages[code]) if code in messages else english_detail
