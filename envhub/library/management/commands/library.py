"""`envhub library import FOLDER --manifest manifest.csv`: a folder of scanned archives or
reports into the library, one manifest row per document (`library/importer.py`);
`envhub library reindex`: the search index built again; `envhub library sweep [--delete]`:
the bytes an interrupted upload or import left in the storage (`library/sweep.py`).

A progress bar on a terminal, a plain line every few seconds otherwise (a log, cron). Ctrl-C
stops after the document in progress; running the same command again goes on where it
stopped and adds nothing twice. The rows that failed are written, with why, to the report
(`--report`, by default beside the manifest). Exit status: 0 all imported or already there,
1 some rows failed, 2 the manifest was refused, 130 interrupted.
"""

from __future__ import annotations

import datetime
import signal
import sys
import threading
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from tqdm import tqdm

from envhub.accounts.models import User
from envhub.core.errors import EnvhubError
from envhub.core.numbers import format_number
from envhub.core.permissions import actor_for_user, system_actor
from envhub.core.uploads import size_words
from envhub.library import importer, search, sweep

PLAIN_EVERY_SECONDS = 10.0
SHOWN_FAILURES = 10
SHOWN_ORPHANS = 50


class PlainProgress:
    """What a log file gets instead of a bar: a line every PLAIN_EVERY_SECONDS and at the end."""

    def __init__(self, stream, total: int):
        self.stream, self.total, self.every = stream, total, PLAIN_EVERY_SECONDS
        self.shown_at = time.monotonic()

    def show(self, outcome: importer.Outcome, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.shown_at < self.every:
            return
        self.shown_at = now
        self.stream.write(_("%(done)s/%(total)s rows: %(imported)s imported, %(skipped)s "
                            "already there, %(failed)s failed") % {
            "done": outcome.done, "total": self.total, "imported": outcome.imported,
            "skipped": outcome.skipped, "failed": outcome.failed} + "\n")
        self.stream.flush()

    def close(self) -> None:
        pass


class BarProgress:
    def __init__(self, stream, total: int):
        self.bar = tqdm(total=total, file=stream, unit=" " + _("documents"), mininterval=0.3,
                        dynamic_ncols=True)  # follows the terminal as it is resized

    def show(self, outcome: importer.Outcome, final: bool = False) -> None:
        self.bar.n = outcome.done
        self.bar.set_postfix_str(_("%(failed)s failed") % {"failed": outcome.failed},
                                 refresh=False)
        self.bar.refresh() if final else self.bar.update(0)

    def close(self) -> None:
        self.bar.close()


class Command(BaseCommand):
    help = ("The electronic library: import a folder of documents with a manifest, rebuild "
            "the search index, sweep orphan files from the storage.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import", help="Import the documents of FOLDER listed in a manifest (CSV: one row "
                           "per document). Safe to interrupt and to run again.")
        load.add_argument("folder", metavar="FOLDER")
        load.add_argument("--manifest", required=True, metavar="CSV",
                          help="The manifest: metadata columns, and `files` relative to "
                               "FOLDER (';' between several).")
        load.add_argument("--report", metavar="CSV",
                          help="Where the failed rows are written (default: the manifest's "
                               "name with .report.csv, beside it).")
        load.add_argument("--user", metavar="NAME",
                          help="The librarian the documents are added by (default: the "
                               "server console).")
        load.add_argument("--check", action="store_true",
                          help="Check the manifest and every row, import nothing.")
        reindex = sub.add_parser(
            "reindex", help="Build the full-text search index again from the documents (after "
                            "a restore or an upgrade of the folding rules); search keeps "
                            "answering meanwhile.")
        reindex.add_argument("--batch", type=int, default=200,
                             help="Documents read at a time (default 200).")
        orphans = sub.add_parser(
            "sweep", help="List the files no document refers to (left by an upload or import "
                          "killed outright) older than the grace period; --delete deletes "
                          "them.")
        orphans.add_argument("--older-than", type=float, default=24, metavar="HOURS",
                             help="Grace period in hours (default 24): a file being stored "
                                  "now has no row yet.")
        orphans.add_argument("--delete", action="store_true",
                             help="Delete them (default: only list them).")

    def handle(self, *args, action, **options):
        if action == "reindex":
            return self._reindex(options["batch"])
        if action == "sweep":
            return self._sweep(options["older_than"], options["delete"])
        return self._import(**options)

    def _reindex(self, batch: int) -> None:
        tty = sys.stdout.isatty()

        def progress(done: int) -> None:
            if tty:
                self.stdout.write(f"\r{done} documents indexed", ending="")
                self.stdout.flush()

        done = search.rebuild(batch=max(1, batch), progress=progress)
        self.stdout.write(("\n" if tty else "") + f"{done} documents indexed.")

    def _sweep(self, hours: float, delete: bool) -> None:
        if hours < 0:
            raise CommandError(_("The grace period cannot be negative."))
        found = list(sweep.orphans(datetime.timedelta(hours=hours)))
        now = datetime.datetime.now(datetime.UTC)
        for orphan in found[:SHOWN_ORPHANS]:
            self.stdout.write(f"  {orphan.where}: {orphan.name}  {size_words(orphan.size)}  "
                              f"{(now - orphan.modified).total_seconds() / 3600:.0f} h")
        if len(found) > SHOWN_ORPHANS:
            self.stdout.write(pgettext("orphan files", "  … and %(more)s more") % {
                "more": len(found) - SHOWN_ORPHANS})
        size = sum(orphan.size for orphan in found)
        numbers = {"files": len(found), "size": size_words(size), "hours": f"{hours:g}"}
        if not found:
            self.stdout.write(_("No orphan file older than %(hours)s hours.") % numbers)
        elif not delete:
            self.stdout.write(_("%(files)s orphan files (%(size)s) older than %(hours)s hours. "
                                "Nothing was deleted: run again with --delete to delete "
                                "them.") % numbers)
        else:
            files, size = sweep.delete(system_actor("envhub library sweep (server console)"),
                                       found)
            self.stdout.write(_("Deleted %(files)s orphan files (%(size)s).") % {
                "files": files, "size": size_words(size)})

    def _import(self, *, folder, manifest, report, user, check, verbosity=1, **options):
        folder, manifest_path = Path(folder), Path(manifest)
        report_path = Path(report) if report else manifest_path.with_suffix(".report.csv")
        actor = self._actor(user)
        out = getattr(self.stderr, "_out", sys.stderr)
        sheet = importer.Report(report_path)
        try:
            plan = importer.read_manifest(manifest_path, folder)
        except importer.Refused as refusal:
            for failure in refusal.failures:
                sheet.write(failure)
            sheet.close()
            self.stderr.write(_("The manifest is refused, nothing was imported: %(reason)s")
                              % {"reason": refusal.message})
            if refusal.failures:
                self.stderr.write(_("The rows concerned are listed in %(path)s.")
                                  % {"path": report_path})
            raise SystemExit(2) from None
        tty = hasattr(out, "isatty") and out.isatty()
        progress = None
        if verbosity > 0:
            progress = (BarProgress if tty else PlainProgress)(out, len(plan.rows))
        self.stop_requested = False
        previous = self._catch_interrupts()
        started = time.monotonic()
        try:
            outcome = importer.run(
                actor, folder, plan, check_only=check, on_failure=sheet.write,
                on_row=progress.show if progress else None,
                should_stop=lambda: self.stop_requested)
        except KeyboardInterrupt:
            outcome = None
        except EnvhubError as error:
            raise CommandError(str(error.message)) from None
        finally:
            self._restore(previous)
            sheet.close()
        if outcome is not None and progress is not None:
            progress.show(outcome, final=True)
        if progress is not None:
            progress.close()
        if outcome is None:  # a second Ctrl-C: the document in progress was rolled back
            self.stdout.write(_("Interrupted: the documents imported before are kept, nothing "
                                "of the one in progress. Run the same command again to go on."))
            raise SystemExit(130)
        self._summary(outcome, time.monotonic() - started, check, sheet, report_path)
        if outcome.stopped:
            self.stdout.write(_("Interrupted: the documents imported before are kept. Run the "
                                "same command again to go on."))
            raise SystemExit(130)
        if outcome.failed:
            raise SystemExit(1)

    def _actor(self, username: str | None):
        if not username:
            return system_actor("envhub library import (server console)")
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(name)s.") % {"name": username})
        return actor_for_user(user)

    def _summary(self, outcome, seconds: float, check: bool, sheet, report_path) -> None:
        write = self.stdout.write
        if check:
            write(_("Checked %(rows)s rows: %(ok)s can be imported, %(skipped)s are already in "
                    "the library, %(failed)s have problems. Nothing was imported.") % {
                "rows": outcome.done, "ok": outcome.imported, "skipped": outcome.skipped,
                "failed": outcome.failed})
        else:
            language = get_language()

            def number(value, decimals=0):
                return format_number(value, language, decimals=decimals)

            write(_("Imported %(imported)s documents (%(files)s files, %(megabytes)s MB) in "
                    "%(seconds)s s, %(rate)s documents a minute; %(skipped)s already in the "
                    "library; %(failed)s rows failed.") % {
                "imported": number(outcome.imported), "files": number(outcome.files),
                "megabytes": number(outcome.bytes / 1e6, 1), "seconds": number(seconds, 1),
                "rate": number(outcome.imported * 60 / seconds if seconds > 0 else 0),
                "skipped": number(outcome.skipped), "failed": number(outcome.failed)})
        for failure in outcome.failures[:SHOWN_FAILURES]:
            write(_("  line %(line)s (%(identifier)s), %(column)s: %(message)s") % {
                "line": failure.line, "identifier": failure.identifier or "—",
                "column": failure.column or "—", "message": failure.message})
        if len(outcome.failures) > SHOWN_FAILURES:
            write(_("  … and %(more)s more") % {"more": len(outcome.failures) - SHOWN_FAILURES})
        if sheet.count:
            write(_("The rows that failed, and why: %(path)s") % {"path": report_path})
        if not check and outcome.imported:
            write(_("The text of the new documents is extracted by the worker (envhub worker)."))

    def _catch_interrupts(self) -> dict | None:
        """The first Ctrl-C (or SIGTERM) stops after the document in progress; a second one
        stops at once (its transaction is rolled back)."""
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT,
                                                                    signal.SIGTERM)}

        def request_stop(signum, frame):
            self.stop_requested = True
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.stderr.write("\n" + _("Stopping after the document in progress (Ctrl-C "
                                      "again to stop now)…"))

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        return previous

    def _restore(self, previous: dict | None) -> None:
        for number, handler in (previous or {}).items():
            signal.signal(number, handler)
