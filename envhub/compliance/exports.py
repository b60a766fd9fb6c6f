"""CSV and XLSX downloads of the compliance lists: the exceedance events of a filtered list
(`event_list`) and the facility list with its quarter's figures (`facility_figures`).

Bounded memory whatever the number of rows: CSV is written a chunk at a time to the response;
XLSX (openpyxl's write-only mode) to a temporary file that is then streamed. Text is data,
never a formula (`core.spreadsheets`); numbers are rounded as the pages show them
(`core.numbers`) and stay numbers. Times are Viet Nam wall-clock time (UTC+7): ISO 8601 with
its offset in CSV, a date-time cell in XLSX (Excel has no time zones; the header says so)."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.compliance import sanctioning
from envhub.core.errors import InvalidInput
from envhub.core.numbers import MULTIPLE_DECIMALS, decimals_for_unit, rounded
from envhub.core.spreadsheets import DataSheet, csv_row
from envhub.core.timeutil import VN

CHUNK_ROWS = 2000
FILE_CHUNK = 256 * 1024
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: stable, for programs
    title: object  # the XLSX header: for people, translated
    kind: str = "text"  # text, integer, number, multiple, percent, time


def _moment(value: datetime.datetime | None, fmt: str):
    if value is None:
        return None
    local = value.astimezone(VN)
    return local.isoformat() if fmt == "csv" else local.replace(tzinfo=None)


# --- exceedance events -----------------------------------------------------------------------

EVENT_COLUMNS = [
    Column("id", gettext_lazy("Event"), "integer"),
    Column("province", gettext_lazy("Province")),
    Column("facility_id", gettext_lazy("Facility number"), "integer"),
    Column("facility", gettext_lazy("Facility")),
    Column("sector", gettext_lazy("Sector")),
    Column("source", gettext_lazy("Source")),
    Column("source_name", gettext_lazy("Source name")),
    Column("parameter", gettext_lazy("Parameter")),
    Column("start", gettext_lazy("Start (UTC+7)"), "time"),
    Column("end", gettext_lazy("End (UTC+7)"), "time"),
    Column("hours", gettext_lazy("Hours exceeded"), "integer"),
    Column("peak_value", gettext_lazy("Peak value"), "number"),
    Column("unit", gettext_lazy("Unit")),
    Column("peak_multiple", gettext_lazy("Peak multiple"), "multiple"),
    Column("band", gettext_lazy("Band")),
    Column("limit", gettext_lazy("Limit"), "number"),
    Column("status", gettext_lazy("Status")),
    Column("permit", gettext_lazy("Permit")),
]
"""The event's own columns, in order; its Decree 45/2022 classification follows them."""

# The CSV keys and kinds of `sanctioning.sanction_columns`, whose labels head the XLSX columns.
SANCTION_KEYS = [("sanction_band", "text"), ("flow_band", "text"), ("parameter_class", "text"),
                 ("aggravation", "text"), ("clause", "text"), ("penalty", "text"),
                 ("fine_individual_from", "integer"), ("fine_individual_to", "integer"),
                 ("fine_organisation_from", "integer"), ("fine_organisation_to", "integer"),
                 ("additional_sanctions", "text"), ("sanction_verified", "text")]


def event_columns() -> list[Column]:
    labels = sanctioning.sanction_column_labels()
    return EVENT_COLUMNS + [Column(key, label, kind)
                            for (key, kind), label in zip(SANCTION_KEYS, labels, strict=True)]


def event_values(event, fmt: str) -> list:
    facility = event.source.facility
    limit_decimals = decimals_for_unit("limit")
    values = [
        event.pk, facility.province.code, facility.pk, facility.name,
        str(facility.get_sector_display()), event.source.code, event.source.name,
        event.parameter.code, _moment(event.start, fmt), _moment(event.end, fmt), event.hours,
        rounded(event.peak_value, unit=event.unit, against=event.limit), event.unit,
        rounded(event.peak_multiple, decimals=MULTIPLE_DECIMALS, against=1.0), event.band,
        rounded(event.limit, decimals=limit_decimals), str(event.get_status_display()),
        event.permit.number if event.permit else None,
    ]
    return values


def _event_rows(queryset, fmt: str) -> Iterator[list]:
    """Each event's values and classification, a chunk at a time: one sanction context (the
    nearby events that make an exceedance repeated or multiple) read per chunk, not per row."""
    events = queryset.iterator(chunk_size=CHUNK_ROWS)
    while chunk := list(itertools.islice(events, CHUNK_ROWS)):
        context = sanctioning.SanctionContext(chunk)
        for event in chunk:
            yield event_values(event, fmt) + list(
                sanctioning.sanction_columns(event, context).values())


def events_response(queryset, fmt: str, name: str) -> StreamingHttpResponse:
    """The whole list, in its order, as a download (`fmt` csv or xlsx)."""
    return response(event_columns(), _event_rows(queryset, fmt), fmt, name,
                    sheet=_("Exceedances"))


# --- writing ---------------------------------------------------------------------------------

def response(columns: list[Column], rows: Iterable[list], fmt: str, name: str, *,
             sheet: str) -> StreamingHttpResponse:
    if fmt == "csv":
        chunks: Iterable[bytes] = csv_chunks(columns, rows)
    elif fmt == "xlsx":
        chunks = xlsx_chunks(columns, rows, sheet)
    else:
        raise InvalidInput(_("The format must be csv or xlsx."), {"format": ["csv|xlsx"]})
    answer = StreamingHttpResponse(chunks, content_type=MEDIA[fmt])
    if getattr(chunks, "size", None) is not None:
        answer["Content-Length"] = str(chunks.size)
    stamp = timezone.now().astimezone(VN).strftime("%Y%m%d")
    answer["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return answer


def csv_chunks(columns: list[Column], rows: Iterable[list]) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese right), a chunk of rows at a
    time; text a spreadsheet would run as a formula is escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, CHUNK_ROWS)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(map(csv_row, batch))
        yield buffer.getvalue().encode()


class FileChunks:
    """The blocks of a finished temporary file, and its size (the response's Content-Length)."""

    def __init__(self, handle):
        self.handle = handle
        self.size = handle.seek(0, io.SEEK_END)

    def __iter__(self) -> Iterator[bytes]:
        try:
            self.handle.seek(0)
            while block := self.handle.read(FILE_CHUNK):
                yield block
        finally:
            self.handle.close()


def xlsx_chunks(columns: list[Column], rows: Iterable[list], title: str) -> FileChunks:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    numbers = {}
    for index, column in enumerate(columns):
        if column.kind == "integer":
            numbers[index] = 0
        elif column.kind == "number":
            numbers[index] = decimals_for_unit("limit")
        elif column.kind == "multiple":
            numbers[index] = MULTIPLE_DECIMALS
        elif column.kind == "percent":
            numbers[index] = decimals_for_unit("%")
    sheet = DataSheet(book.create_sheet(title=title[:31]), numbers)
    sheet.append([str(column.title) for column in columns])
    for count, row in enumerate(rows, start=1):
        if count > XLSX_MAX_ROWS:
            raise InvalidInput(_("Too many rows for a spreadsheet: narrow the filters or "
                                 "download CSV."))
        sheet.append(row)
    handle = tempfile.TemporaryFile()
    book.save(handle)
    return FileChunks(handle)
