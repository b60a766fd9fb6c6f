"""`envhub library_reindex`: build the library's search index again from the documents (after a
restore, an upgrade of the folding rules, or to repair it). Documents stay searchable by their
old entries until each is replaced; the run can be repeated."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from envhub.library import search


class Command(BaseCommand):
    help = "Rebuild the library's full-text search index."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200,
                            help="Documents read at a time (default 200).")

    def handle(self, *args, batch: int, **options):
        tty = sys.stdout.isatty()

        def progress(done: int) -> None:
            if tty:
                self.stdout.write(f"\r{done} documents indexed", ending="")
                self.stdout.flush()

        done = search.rebuild(batch=max(1, batch), progress=progress)
        self.stdout.write(("\n" if tty else "") + f"{done} documents indexed.")
