"""`envhub ingest PATH...`: backfill TT10 files from folders and zip archives (the folder
receiver, `monitoring.receivers.folder`), then bring the rollups up to date.

Ctrl-C stops once the current chunk is committed or rolled back, prints what was done and
exits with 130; a second run adds nothing for the files already received.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from envhub.core.permissions import system_actor
from envhub.monitoring import rollups
from envhub.monitoring.receivers import folder

SHOWN_REASONS = 8


class Command(BaseCommand):
    help = ("Ingest TT10 files from folders and zip archives (backfill). Safe to interrupt and "
            "to run again.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH",
                            help="Files, folders (walked recursively) or .zip archives.")
        parser.add_argument("--replace", action="store_true",
                            help="Overwrite values that differ from those already stored "
                                 "(audited).")
        parser.add_argument("--chunk", type=int, default=None, metavar="N",
                            help=f"Files per transaction (default {folder.SQLITE_CHUNK} on "
                                 f"SQLite; on PostgreSQL {folder.READ_SLICE}, or "
                                 f"{folder.READ_SLICE_WITH_READERS} with reading processes).")
        parser.add_argument("--no-rollups", action="store_true",
                            help="Leave the rollups to the worker.")
        parser.add_argument("--jobs", type=int, default=None, metavar="N",
                            help="Processes that read and check files while this one writes "
                                 "(default: one with more than two cores, none with two or "
                                 "fewer; with 0 a thread of this process reads the next "
                                 "files while the database writes).")

    def handle(self, *args, paths, replace, chunk, no_rollups, jobs, **options):
        if chunk is not None and chunk < 1:
            raise CommandError(_("--chunk must be at least 1."))
        if jobs is not None and jobs < 0:
            raise CommandError(_("--jobs must be 0 or more."))
        actor = system_actor("envhub ingest (server console)")
        self.tally = folder.Tally()
        self.stop_requested = False
        previous_handlers = self._catch_interrupts()
        started = time.monotonic()
        files_word = _("files")
        progress = tqdm(file=getattr(self.stderr, "_out", sys.stderr), unit=f" {files_word}",
                        bar_format=f"{{n_fmt}} {files_word} [{{elapsed}}, {{rate_fmt}}{{postfix}}]",
                        mininterval=0.5)
        outcome = "done"
        transactions = folder.receive(actor, paths, self.tally, replace=replace, chunk=chunk,
                                      jobs=jobs)
        try:
            for files in transactions:
                progress.update(files)
                progress.set_postfix_str(
                    _("%(rate)s values/s") % {"rate": _rate(self.tally.values, started)})
                if self.stop_requested:
                    outcome = "interrupted"
                    break
        except KeyboardInterrupt:
            outcome = "interrupted"
        except folder.DatabaseDown:
            outcome = "database"
        finally:
            transactions.close()
            progress.close()
            self._restore(previous_handlers)
        self._summary(started)
        if outcome == "interrupted":
            self.stdout.write(_("Interrupted: the chunks above are stored, nothing of the one "
                                "in progress. Run the same command again to go on."))
            raise SystemExit(130)
        if outcome == "database":
            raise CommandError(_("The database keeps failing; what is counted above is stored. "
                                 "Run the same command again once it is back."))
        if not no_rollups:
            work = rollups.process_queue()
            self.stdout.write(_("Rollups: %(hours)d hours, %(days)d days and %(latest)d latest "
                                "values computed.") % {
                "hours": work.hours, "days": work.days, "latest": work.latest})

    def _catch_interrupts(self) -> dict | None:
        """The first Ctrl-C (or SIGTERM) asks to stop after the current chunk; a second one
        stops at once (the open transaction is rolled back)."""
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT,
                                                                    signal.SIGTERM)}

        def request_stop(signum, frame):
            self.stop_requested = True
            signal.signal(signal.SIGINT, signal.default_int_handler)
            self.stderr.write("\n" + _("Stopping after the current chunk (Ctrl-C again to "
                                      "stop now)…"))

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        return previous

    def _restore(self, previous: dict | None) -> None:
        for number, handler in (previous or {}).items():
            signal.signal(number, handler)

    def _summary(self, started: float) -> None:
        tally, write = self.tally, self.stdout.write
        elapsed = max(time.monotonic() - started, 1e-9)
        write(_("Files read: %(files)d (.txt files, also in zip archives)") % {
            "files": tally.files})
        write(_("  ingested: %(ingested)d; rejected: %(rejected)d; duplicate files (already "
                "received, nothing added): %(duplicates)d") % {
            "ingested": tally.ingested, "rejected": tally.rejected_files,
            "duplicates": tally.duplicate_files})
        write(_("Values accepted: %(values)d; lines rejected: %(lines)d; duplicate values: "
                "%(duplicates)d; conflicting values (first kept): %(conflicts)d") % {
            "values": tally.values, "lines": tally.rejected_lines,
            "duplicates": tally.duplicate_values, "conflicts": tally.conflicts})
        if tally.files and tally.duplicate_files == tally.files:
            write(_("Nothing new: every file had already been received."))
        if tally.skipped:
            details = ", ".join(f"{reason}: {count}" for reason, count in
                                tally.skipped.most_common())
            write(_("Skipped: %(count)d (%(details)s)") % {
                "count": sum(tally.skipped.values()), "details": details})
        if tally.problem_count:
            write(_("Problems: %(count)d") % {"count": tally.problem_count})
            for line in tally.problems:
                write(f"  {line}")
            if tally.problem_count > len(tally.problems):
                write(_("  … and %(more)d more") % {
                    "more": tally.problem_count - len(tally.problems)})
        if tally.reasons:
            write(_("Commonest reasons for rejecting:"))
            for code, count in tally.reasons.most_common(SHOWN_REASONS):
                write(f"  {code}: {count}")
        write(_("Time: %(seconds).1f s (%(files)s files/s, %(values)s values/s)") % {
            "seconds": elapsed, "files": _rate(tally.files, started),
            "values": _rate(tally.values, started)})


def _rate(count: int, started: float) -> str:
    return f"{count / max(time.monotonic() - started, 1e-9):,.0f}"
