"""A folder of documents into the library from a manifest (`envhub library import`).

The manifest is read and checked first (`manifest.parse`); a fault of the whole file refuses
it before anything is stored. Then each row is one document added through
`intake.add_document` in its own transaction, so an interrupted run keeps every document
finished before it and nothing of the one in progress. A row whose identifier is already in
the library with the same files (by SHA-256) is skipped: running the same manifest again, or
resuming a run, adds nothing twice. A row that cannot be imported is reported with its line,
column and reason, in the reader's language, and the others go on.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import EnvhubError
from envhub.core.permissions import Actor
from envhub.core.spreadsheets import csv_row
from envhub.library import intake, manifest, metadata
from envhub.library.models import Document, FileRole

HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class Failure:
    """A row that was not imported: where, and why (already translated)."""

    line: int
    identifier: str
    column: str
    message: str


@dataclass
class Outcome:
    rows: int = 0  # rows in the manifest
    imported: int = 0
    skipped: int = 0  # already in the library with the same files
    failed: int = 0  # rows (a row may have several failures)
    failures: list[Failure] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    stopped: bool = False

    @property
    def done(self) -> int:
        return self.imported + self.skipped + self.failed


class Refused(EnvhubError):
    """The manifest as a whole cannot be imported (`failures` names its rows, if any)."""

    code = "manifest_refused"

    def __init__(self, message, failures: list[Failure]):
        super().__init__(message, {"lines": [failure.line for failure in failures]})
        self.failures = failures


def translated(message: str, values: dict) -> str:
    return _(message) % values if values else _(message)


def read_manifest(path: Path, folder: Path) -> manifest.Manifest:
    """The checked manifest at `path` for the files of `folder`; Refused otherwise."""
    if not folder.is_dir():
        raise Refused(_("The import folder %(folder)s does not exist.") % {"folder": folder}, [])
    try:
        with open(path, "rb") as handle:
            data = handle.read(manifest.MAX_BYTES + 1)
    except OSError as error:
        raise Refused(_("The manifest cannot be read: %(error)s.")
                      % {"error": error.strerror or error}, []) from None
    try:
        return manifest.parse(data, folder)
    except manifest.ManifestError as error:
        message = translated(error.message, error.values)
        failures = [Failure(line, identifier, "identifier", message)
                    for line, identifier in error.lines]
        raise Refused(message, failures) from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def run(actor: Actor, folder: Path, plan: manifest.Manifest, *,
        on_row: Callable[[Outcome], None] | None = None,
        on_failure: Callable[[Failure], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        check_only: bool = False) -> Outcome:
    """Import the rows of `plan` (from `read_manifest`); with `check_only`, check every row
    (metadata, files, what is already there) and store nothing."""
    permissions.require(actor, "add", Document)
    outcome = Outcome(rows=len(plan.rows))
    for row in plan.rows:
        if should_stop is not None and should_stop():
            outcome.stopped = True
            break
        failures = _import_row(actor, row, outcome, check_only)
        if failures:
            outcome.failed += 1
            outcome.failures.extend(failures)
            for failure in failures:
                if on_failure is not None:
                    on_failure(failure)
        if on_row is not None:
            on_row(outcome)
    if not check_only and outcome.imported:
        audit.record(actor, "library.import", None, {
            "rows": outcome.rows, "imported": outcome.imported, "skipped": outcome.skipped,
            "failed": outcome.failed, "stopped": outcome.stopped},
            object_type="library.import", object_repr=str(folder)[:200])
    return outcome


def _import_row(actor: Actor, row: manifest.Row, outcome: Outcome,
                check_only: bool) -> list[Failure]:
    def failure(column: str, message: str) -> Failure:
        return Failure(row.line, row.identifier, column, message)

    if row.problems:
        return [failure(problem.column, translated(problem.message, problem.values))
                for problem in row.problems]
    existing = Document.objects.filter(identifier=row.identifier).first()
    if existing is not None:
        return _compare(existing, row, outcome, failure)
    try:
        checked = metadata.check(row.data)
    except EnvhubError as error:
        return [failure(column, str(message)) for column, messages in error.details.items()
                for message in messages] or [failure("", str(error.message))]
    if check_only:
        outcome.imported += 1
        return []
    try:
        with ExitStack() as streams:
            incoming = [intake.Incoming(path.name, streams.enter_context(open(path, "rb")))
                        for path in row.files]
            document = intake.add_document(actor, checked.document, incoming,
                                           checked.provinces, checked.allowed_organisations)
    except EnvhubError as error:
        # A file's own refusal (named as a PDF and not one, empty, too large...).
        return [failure("files", str(error.message))]
    except OSError as error:
        return [failure("files", _("The file cannot be read: %(error)s.")
                        % {"error": error.strerror or error})]
    files = list(document.files.values_list("size", flat=True))
    outcome.files += len(files)
    outcome.bytes += sum(files)
    outcome.imported += 1
    return []


def _compare(existing: Document, row: manifest.Row, outcome: Outcome, failure) -> list[Failure]:
    """The row's document is already there: skipped when it holds the same files (a run
    again, or resumed), refused when it is another document under the same identifier."""
    kept = set(existing.files.filter(role=FileRole.ORIGINAL).values_list("sha256", flat=True))
    try:
        hashes = {sha256_of(path) for path in row.files}
    except OSError as error:
        return [failure("files", _("The file cannot be read: %(error)s.")
                        % {"error": error.strerror or error})]
    if hashes <= kept:
        outcome.skipped += 1
        return []
    return [failure("identifier", _(
        "The library already has a document “%(identifier)s” with other files; give this one "
        "another identifier, or add the files as a new version on the document's page.")
        % {"identifier": row.identifier})]


class Report:
    """The report of the failed rows, a CSV (UTF-8 with BOM, as spreadsheets open it) written
    row by row so that an interrupted run still leaves what failed before it; created only
    when a row fails."""

    def __init__(self, path: Path):
        self.path = path
        self.handle = None
        self.writer = None
        self.count = 0

    def write(self, failure: Failure) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "w", encoding="utf-8-sig", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow([_("line"), _("identifier"), _("column"), _("problem")])
        self.writer.writerow(csv_row([failure.line, failure.identifier, failure.column,
                                      failure.message]))
        self.handle.flush()
        self.count += 1

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
