"""The `envhub` command: the operator's entry point.

    envhub run         web server, worker and FTP receiver in one command
    envhub setup       migrate, collect static files, load reference and demo data
    envhub check       report what is misconfigured
    envhub demo        create the demo country and its accounts
    envhub reference   load provinces, wards, parameters and regulations
    envhub worker      the background worker (tasks and periodic jobs)
    envhub token ...   issue, list and revoke API tokens
    envhub ingest PATH...   ingest TT10 files, folders and zip archives (backfills)
    envhub library import FOLDER --manifest CSV   documents into the library (resumable)
    envhub library reindex   the library's search index built again
    envhub library sweep [--delete]   files an interrupted upload or import left in storage
    envhub ftp         the FTP receiver alone
    envhub <django management command> ...   e.g. envhub migrate, envhub createsuperuser
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Subcommands whose management command has another name (Django's own `check` stays available
# as `envhub django-check`).
ALIASES = {"check": "envhub_check", "django-check": "check"}


def _config_problems() -> int:
    """Print configuration problems without starting Django; return how many there are."""
    from envhub.core import config

    base_dir = Path(__file__).resolve().parent.parent
    loaded = config.load(os.environ, base_dir, create_secret=False)
    for problem in loaded.problems:
        print(f"ERROR  {problem}", file=sys.stderr)
    return len(loaded.problems)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return
    if argv[0] == "check" and _config_problems():
        print("envhub check: the settings above must be fixed first.", file=sys.stderr)
        raise SystemExit(2)
    argv[0] = ALIASES.get(argv[0], argv[0])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["envhub", *argv])


if __name__ == "__main__":
    main()
