"""Survey uploads read as rows, streamed: a CSV or XLSX file is never read whole into memory.

`open_table(stream, name, match_header, max_rows)` tells the kind of file by its first bytes
(never by its name), refuses what cannot be read, finds the header row and gives a `Table`
whose `rows()` yields `(line number, cells)` for every non-empty data row. What is refused
raises `FileRefused(code, params)` (worded in `surveys/messages.py`):

- `not_spreadsheet`: neither XLSX nor text (NUL bytes, another zip, bytes no encoding reads,
  the signature of a PDF, an image, a compressed archive or an RTF document);
- `encrypted`: an OLE compound file (D0 CF 11 E0): a password-protected XLSX, or an Excel
  97–2003 `.xls`;
- `corrupt`: a zip or workbook openpyxl cannot read;
- `zip_bomb`: members declaring more than `MAX_UNCOMPRESSED` bytes in all, or one member more
  than `MAX_RATIO` times its compressed size (checked from the zip's directory before a byte
  is inflated; `zipfile` never inflates past the size a member declares);
- `no_sheet`: no visible sheet; `no_header`: no row among the first `HEADER_SCAN` that names
  a column of the schema;
- `too_many_rows`: more data rows than `max_rows` (`ENVHUB_MAX_SURVEY_ROWS`), the limit named;
- `formula`: a formula cell — a value is expected (raised for the row, by the validator).

CSV: UTF-8 (with or without BOM) when the whole file decodes strictly as UTF-8 (checked in a
first streamed pass), else Windows-1258; the delimiter is `,`, `;` or a tab, whichever the
header line holds most; `Table.batches(size)` gives a CSV's rows in lists (what
`validation` checks column by column). XLSX: openpyxl in read-only mode; the data sheet is the
one named as the template's (`sheet_name`) if visible, else the first visible sheet.

Pure module (no Django).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter

HEADER_SCAN = 30
MAX_UNCOMPRESSED = 1_500_000_000
MAX_RATIO = 200
# Below this a member's ratio is not looked at: small XML parts of repeated values compress well.
RATIO_FLOOR = 1_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A zip starts with a member, or with the end of an empty archive, or a spanned-archive mark;
# a CSV whose first cell starts with "PK" is still a CSV.
ZIP_HEADS = (ZIP_MAGIC, b"PK\x05\x06", b"PK\x07\x08")
# Files units send by mistake that a text decoder would read as a CSV (a PDF decodes as
# Windows-1258): told by their signatures, so the refusal says "not a spreadsheet" rather
# than "no header row". Each is a format's own magic number; no CSV of a survey starts so.
NOT_SPREADSHEET_HEADS = (b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a",
                         b"\x1f\x8b", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"{\\rtf")
CSV_FIELD_LIMIT = 100_000
_CHUNK = 1 << 20


class FileRefused(ValueError):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    header: list  # the header row's cells as read
    header_line: int  # 1-based line (row) number of the header
    _rows: Iterator = field(repr=False)
    encoding: str = ""
    sheet_name: str = ""
    delimiter: str = ""
    close: Callable = lambda: None
    _batches: Callable | None = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows

    def batches(self, size: int) -> Iterator[tuple[Sequence[int], list[list]]] | None:
        """The same rows as `rows()` in lists of up to `size`: (their line numbers, their
        cells), or None for a kind read only row by row (XLSX). Use one or the other."""
        return None if self._batches is None else self._batches(size)


def _blank(cells) -> bool:
    for cell in cells:
        if cell is not None and (cell.__class__ is not str or cell.strip()):
            return False
    return True


def open_table(stream, *, match_header: Callable[[list], int], max_rows: int,
               sheet_name: str = "") -> Table:
    """The table of an upload (a seekable binary stream). `match_header(cells)` scores a row as
    a header (how many of the schema's columns it names); the first row scoring highest among
    the first `HEADER_SCAN` non-empty rows is the header, and it must score at least 1."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC[:4]):
        raise FileRefused("encrypted")
    if head.startswith(NOT_SPREADSHEET_HEADS):
        raise FileRefused("not_spreadsheet")
    if head[:4] in ZIP_HEADS:
        return _xlsx_table(stream, match_header, max_rows, sheet_name)
    return _csv_table(stream, match_header, max_rows)


def _find_header(lines: Iterator[tuple[int, list]], match_header):
    """(header line, header cells, rows read after it) from the first rows of a sheet."""
    seen: list[tuple[int, list]] = []
    for number, cells in lines:
        if _blank(cells):
            continue
        seen.append((number, cells))
        if len(seen) >= HEADER_SCAN:
            break
    best, best_score = None, 0
    for position, (_number, cells) in enumerate(seen):
        score = match_header(cells)
        if score > best_score:
            best, best_score = position, score
    if best is None:
        raise FileRefused("no_header", rows=HEADER_SCAN)
    return seen[best][0], seen[best][1], seen[best + 1:]


def _limited(buffered, lines, max_rows: int, close) -> Iterator[tuple[int, list]]:
    count = 0
    try:
        for source in (buffered, lines):
            for number, cells in source:
                if _blank(cells):
                    continue
                count += 1
                if count > max_rows:
                    raise FileRefused("too_many_rows", limit=max_rows)
                yield number, cells
    finally:
        close()


# CSV ---------------------------------------------------------------------------------------

def _csv_encoding(stream) -> str:
    """utf-8-sig when every byte decodes strictly as UTF-8 (read in chunks), else cp1258."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    stream.seek(0)
    first = True
    try:
        while chunk := stream.read(_CHUNK):
            if first and b"\x00" in chunk[:65536]:
                raise FileRefused("not_spreadsheet")
            first = False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1258"
    finally:
        stream.seek(0)
    return "utf-8-sig"


def _delimiter(line: str) -> str:
    counts = {mark: line.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class _Records:
    """A CSV file's records numbered from 1 as a spreadsheet shows them, read one at a time
    (`numbered`) or in lists (`take`); both share the count."""

    def __init__(self, reader):
        self.reader = reader
        self.count = 0

    def numbered(self) -> Iterator[tuple[int, list]]:
        try:
            for cells in self.reader:
                self.count += 1
                yield self.count, cells
        except UnicodeDecodeError:
            raise FileRefused("not_spreadsheet") from None
        except csv.Error:
            raise FileRefused("corrupt_csv", line=self.count + 1) from None

    def take(self, size: int) -> tuple[list[list], FileRefused | None]:
        """The next `size` records at most, and the refusal met after the last of them."""
        rows: list[list] = []
        refusal = None
        previous = csv.field_size_limit(CSV_FIELD_LIMIT)
        try:
            rows.extend(islice(self.reader, size))  # keeps the records read before an error
        except UnicodeDecodeError:
            refusal = FileRefused("not_spreadsheet")
        except csv.Error:
            refusal = FileRefused("corrupt_csv", line=self.count + len(rows) + 1)
        finally:
            csv.field_size_limit(previous)
        self.count += len(rows)
        return rows, refusal


def _csv_records(stream) -> tuple[str, str, _Records]:
    encoding = _csv_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        first_line = text.readline(CSV_FIELD_LIMIT)
        text.seek(0)
    except UnicodeDecodeError:
        raise FileRefused("not_spreadsheet") from None
    delimiter = _delimiter(first_line)
    return encoding, delimiter, _Records(csv.reader(text, delimiter=delimiter))


def _csv_lines(stream) -> tuple[str, str, Iterator[tuple[int, list]]]:
    """(encoding, delimiter, every record numbered from 1 as a spreadsheet shows it)."""
    encoding, delimiter, records = _csv_records(stream)
    return encoding, delimiter, _field_limited(records.numbered())


def _csv_table(stream, match_header, max_rows: int) -> Table:
    encoding, delimiter, records = _csv_records(stream)
    source = _field_limited(records.numbered())
    number, header, buffered = _find_header(source, match_header)
    return Table(kind="csv", header=header, header_line=number, encoding=encoding,
                 delimiter=delimiter,
                 _rows=_limited(buffered, source, max_rows, lambda: None),
                 _batches=lambda size: _csv_batches(buffered, records, source, max_rows, size))


_first = itemgetter(0)


def _csv_batches(buffered, records: _Records, source, max_rows: int, size: int):
    """What `_limited` yields, in lists: blank records left out, `too_many_rows` raised after
    the rows within the limit, a refusal of the file after the rows read before it."""
    count = 0
    lines: Sequence[int] = [number for number, _cells in buffered]
    rows = [cells for _number, cells in buffered]
    refusal = None
    try:
        while True:
            # A record is blank when every cell is; most files fill their first column, so a
            # batch whose first cells are all filled has none (one pass in C).
            if rows and not (min(map(len, rows)) and all(map(str.strip, map(_first, rows)))):
                kept = [index for index, cells in enumerate(rows) if not _blank(cells)]
                lines, rows = [lines[index] for index in kept], [rows[index] for index in kept]
            if count + len(rows) > max_rows:
                keep = max_rows - count
                if keep:
                    yield lines[:keep], rows[:keep]
                raise FileRefused("too_many_rows", limit=max_rows)
            count += len(rows)
            if rows:
                yield lines, rows
            if refusal is not None:
                raise refusal
            start = records.count + 1
            rows, refusal = records.take(size)
            if not rows and refusal is None:
                return
            lines = range(start, start + len(rows))
    finally:
        source.close()  # puts back csv's field limit that reading the header set


def _field_limited(source):
    # csv's field limit is process-wide: set it while this file is read, then put it back.
    previous = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        yield from source
    finally:
        csv.field_size_limit(previous)


# XLSX --------------------------------------------------------------------------------------

def check_zip(stream) -> zipfile.ZipFile:
    """The upload as a zip whose declared sizes are safe to inflate, and that is a workbook."""
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise FileRefused("corrupt") from None
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_FLOOR and \
                member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise FileRefused("zip_bomb")
    if total > MAX_UNCOMPRESSED:
        raise FileRefused("zip_bomb")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(
            name.startswith("xl/workbook") for name in names):
        raise FileRefused("not_spreadsheet")
    if any(member.flag_bits & 0x1 for member in members):
        raise FileRefused("encrypted")
    return archive


def _xlsx_sheet(stream, sheet_name: str):
    """(workbook, data sheet, its rows numbered from 1) of a checked XLSX upload."""
    from openpyxl import load_workbook

    check_zip(stream).close()
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a broken workbook
        raise FileRefused("corrupt") from None
    try:
        visible = [sheet for sheet in workbook.worksheets
                   if getattr(sheet, "sheet_state", "visible") == "visible"
                   and hasattr(sheet, "iter_rows")]
        if not visible:
            raise FileRefused("no_sheet")
        sheet = next((s for s in visible if s.title == sheet_name), visible[0])
        declared_rows = sheet.max_row or 0
        # The dimension a workbook declares may be wrong (some writers leave A1): read every
        # row there is instead.
        sheet.reset_dimensions()
    except BaseException:
        workbook.close()
        raise

    def lines():
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
                yield number, list(cells)
        except FileRefused:
            raise
        except Exception:
            raise FileRefused("corrupt") from None

    return workbook, sheet, declared_rows, lines()


def _xlsx_table(stream, match_header, max_rows: int, sheet_name: str) -> Table:
    workbook, sheet, declared_rows, source = _xlsx_sheet(stream, sheet_name)
    try:
        if declared_rows > 2 * (max_rows + HEADER_SCAN):  # surely too many, before reading
            raise FileRefused("too_many_rows", limit=max_rows)
        number, header, buffered = _find_header(source, match_header)
    except BaseException:
        workbook.close()
        raise
    return Table(kind="xlsx", header=header, header_line=number, sheet_name=sheet.title,
                 _rows=_limited(buffered, source, max_rows, workbook.close),
                 close=workbook.close)


def every_line(stream, *, sheet_name: str = "") -> tuple[str, Iterator[tuple[int, list]]]:
    """(kind, every row of the data sheet or CSV file from line 1, blank ones included): what
    the annotated copy writes back. The file was accepted by `open_table` before."""
    stream.seek(0)
    if stream.read(4).startswith(ZIP_MAGIC):
        workbook, _sheet, _declared, source = _xlsx_sheet(stream, sheet_name)

        def closing():
            try:
                yield from source
            finally:
                workbook.close()
        return "xlsx", closing()
    return "csv", _csv_lines(stream)[2]
