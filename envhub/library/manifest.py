"""An import manifest (pure module): one CSV row per document, its metadata in the columns
`metadata.check` reads and its files, relative to the import folder, in `files` (";" between
them).

`parse(data, folder)` reads the manifest's bytes and checks what can be checked without the
database: the text decodes (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1258;
NUL bytes or undecodable bytes refuse it), the delimiter is `,`, `;` or a tab (whichever the
header line holds most), the header names the required columns and no unknown one, the
identifiers are unique, and each file named is a regular file inside the folder. A fault of
the whole file raises `ManifestError`; a row's own faults are kept on the row (`Row.problems`)
so that the good rows can still be imported. Messages are English source strings for gettext
(marked with `gettext_noop`); the importer translates them.

Caps keep a hostile manifest linear and small: `MAX_BYTES`, `MAX_ROWS`, `MAX_FIELD` characters
a cell, `MAX_FILES` files a row.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from envhub.library.formats import gettext_noop

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_FIELD = 100_000
MAX_FILES = 50
MAX_PATH = 1024
REQUIRED = ("identifier", "title", "collection", "files")
# The columns `metadata.check` reads (its FIELDS), kept here so that this module stays pure;
# a test checks that the two agree.
METADATA_COLUMNS = frozenset({
    "collection", "dossier", "identifier", "description", "subjects", "date", "type",
    "provinces", "issued_on", "retention", "access_level", "allowed_organisations",
    "page_count", "title", "creator", "publisher", "contributor", "source", "language",
    "relation", "coverage", "rights", "number", "symbol", "issuing_body", "signer",
    "physical_location"})
COLUMNS = METADATA_COLUMNS | {"files"}


class ManifestError(ValueError):
    """The manifest as a whole cannot be imported: `code`, an English `message` for gettext
    with its `values`, and the rows concerned as `(line, identifier)` pairs."""

    def __init__(self, code: str, message: str, lines: tuple = (), **values):
        super().__init__(message % values if values else message)
        self.code = code
        self.message = message
        self.values = values
        self.lines = lines


@dataclass(frozen=True)
class Problem:
    """A row's fault: the column it is in, and an English message with its values."""

    column: str
    message: str
    values: dict = field(default_factory=dict)


@dataclass
class Row:
    line: int  # as a spreadsheet numbers it: the header is line 1
    identifier: str
    data: dict  # column → text, the metadata as `metadata.check` reads them
    files: list[Path] = field(default_factory=list)  # resolved, inside the folder
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Manifest:
    columns: list[str]
    encoding: str
    delimiter: str
    rows: list[Row]


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of the manifest's bytes."""
    if len(data) > MAX_BYTES:
        raise ManifestError("too_large", gettext_noop(
            "The manifest is larger than %(limit)s MB; split it into several."),
            limit=MAX_BYTES // (1024 * 1024))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise _not_text() from None
    if b"\x00" in data:
        raise _not_text()
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # what Vietnamese Excel writes as "CSV" on Windows: tone marks apart, made whole
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError:
        raise _not_text() from None


def _not_text() -> ManifestError:
    return ManifestError("not_text", gettext_noop(
        "The manifest is not a CSV text file (save it as “CSV UTF-8” and try again)."))


def _delimiter(line: str) -> str:
    counts = {mark: line.count(mark) for mark in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _records(text: str, delimiter: str):
    # csv's field limit is process-wide: set it while this manifest is read, then put it back.
    previous = csv.field_size_limit(MAX_FIELD)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        # Records numbered as a spreadsheet numbers its rows (a cell may span lines).
        yield from enumerate(reader, 1)
    except csv.Error as error:
        raise ManifestError("bad_csv", gettext_noop(
            "The manifest is not valid CSV near line %(line)s (an unclosed quote or a cell "
            "longer than %(limit)s characters)."),
            line=reader.line_num, limit=MAX_FIELD) from error
    finally:
        csv.field_size_limit(previous)


def _header(cells: list[str]) -> list[str]:
    columns = [cell.strip().lower() for cell in cells]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ManifestError("missing_columns", gettext_noop(
            "The manifest lacks the columns %(names)s (its first line names the columns)."),
            names=", ".join(missing))
    unknown = [name for name in columns if name and name not in COLUMNS]
    if unknown:
        raise ManifestError("unknown_columns", gettext_noop(
            "The manifest has columns the library does not know: %(names)s."),
            names=", ".join(name[:40] for name in unknown[:10]))
    repeated = sorted(name for name, count in Counter(columns).items() if name and count > 1)
    if repeated:
        raise ManifestError("repeated_columns", gettext_noop(
            "The columns %(names)s appear more than once in the manifest."),
            names=", ".join(repeated))
    return columns


def parse(data: bytes, folder: Path) -> Manifest:
    """The manifest's rows, checked; ManifestError when the file as a whole is unusable."""
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0][:MAX_FIELD]
    delimiter = _delimiter(first_line)
    records = _records(text, delimiter)
    columns: list[str] | None = None
    rows: list[Row] = []
    root = Path(os.path.realpath(folder))
    for line, cells in records:
        if columns is None:
            columns = _header(cells)
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, as spreadsheets leave them at the end
        if len(rows) >= MAX_ROWS:
            raise ManifestError("too_many_rows", gettext_noop(
                "The manifest has more than %(limit)s rows; split it into several."),
                limit=MAX_ROWS)
        rows.append(_row(line, columns, cells, root))
    if columns is None:
        raise ManifestError("empty", gettext_noop("The manifest is empty."))
    _unique(rows)
    return Manifest(columns, encoding, delimiter, rows)


def _row(line: int, columns: list[str], cells: list[str], root: Path) -> Row:
    problems = []
    if len(cells) > len(columns):
        problems.append(Problem("files", gettext_noop(
            "The row has %(cells)s cells but the header names %(columns)s columns."),
            {"cells": len(cells), "columns": len(columns)}))
    values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name}
    identifier = values.get("identifier", "")
    if not identifier:
        problems.append(Problem("identifier", gettext_noop(
            "Each row needs an identifier: it is how a run that was interrupted knows what "
            "is already in the library.")))
    files, file_problems = resolve_files(values.pop("files", ""), root)
    data = {name: value for name, value in values.items() if name in METADATA_COLUMNS}
    return Row(line, identifier, data, files, problems + file_problems)


def _unique(rows: list[Row]) -> None:
    first: dict[str, Row] = {}
    repeated: dict[int, str] = {}  # line → identifier, every line of a repeated one
    for row in rows:
        key = row.identifier.casefold()
        if not key:
            continue
        if key in first:
            repeated[first[key].line] = first[key].identifier
            repeated[row.line] = row.identifier
        else:
            first[key] = row
    if repeated:
        repeated = sorted(repeated.items())
        raise ManifestError("duplicate_identifiers", gettext_noop(
            "Identifiers appear on more than one row of the manifest: %(list)s. Each "
            "document is one row."), lines=tuple(repeated),
            list="; ".join(f"{identifier} ({line})" for line, identifier in repeated[:10]))


def resolve_files(cell: str, root: Path) -> tuple[list[Path], list[Problem]]:
    """The files a row names, each a regular file inside `root` (symbolic links followed)."""
    names = [name.strip() for name in cell.split(";") if name.strip()]
    if not names:
        return [], [Problem("files", gettext_noop("The row names no file."))]
    if len(names) > MAX_FILES:
        return [], [Problem("files", gettext_noop("At most %(limit)s files a row."),
                            {"limit": MAX_FILES})]
    found, problems = [], []
    for name in names:
        try:
            found.append(resolve(name, root))
        except ManifestError as error:
            problems.append(Problem("files", error.message, error.values))
    return found, problems


def resolve(name: str, root: Path) -> Path:
    """`name` (relative, "/" or "\\" between folders) as a regular file inside `root`."""
    shown = name[:200]
    if len(name) > MAX_PATH or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise ManifestError("bad_path", gettext_noop(
            "The file name “%(name)s” is too long or holds control characters."),
            name=shown.encode("unicode_escape").decode("ascii"))
    relative = PurePosixPath(name.replace("\\", "/"))
    if (not relative.parts or relative.is_absolute() or ".." in relative.parts
            or ":" in relative.parts[0]):
        raise ManifestError("outside", gettext_noop(
            "The file “%(name)s” is outside the import folder: name files relative to it, "
            "without “..”."), name=shown)
    path = Path(os.path.realpath(root.joinpath(*relative.parts)))
    if path != root and root not in path.parents:
        raise ManifestError("outside", gettext_noop(
            "The file “%(name)s” is outside the import folder: name files relative to it, "
            "without “..”."), name=shown)
    try:
        mode = path.stat().st_mode
    except OSError:
        raise ManifestError("missing_file", gettext_noop(
            "The file “%(name)s” is not in the import folder."), name=shown) from None
    if not stat.S_ISREG(mode):
        raise ManifestError("not_a_file", gettext_noop(
            "“%(name)s” is not a file (a folder or a device)."), name=shown)
    return path
