"""The one ingestion service: every receiver (FTP, HTTP, folder) hands files to `ingest`.

The road, one module a step:

1. `checks`: for each file, its size and name (`<Province>_<Facility>_<Station>_<time>.txt`),
   its station (`registry_view`) and whether the sender may send for it, its lines (TT10), and each
   value: its symbol mapped to a parameter, its unit converted to the parameter's canonical
   unit, its time and range checked. Nothing is written.
2. `plan`: what the slice of checked files will write: observation rows, a batch row per file,
   the hours to queue for the rollups, encoded for the database.
3. `writer`: one transaction for the slice: batches with their raw bytes and rejects, the new
   observations, duplicates told from conflicts, the rollup queue, the stations' activity.
4. `reports`: what each sender is told, file by file.

A file that was already received (same station, same SHA-256) adds nothing and says so. A value
for a (series, time) that exists with a different value is kept as the first one and reported as
a conflict; a steward may re-ingest with `replace=True`, which overwrites and is audited. Called
with one file, `ingest` raises `DatabaseError` when the database cannot store it; called with
several, a file that cannot be stored gets a report with status `error` and the others go on.

A backfill (`envhub ingest`) takes the same road with its own speed machinery beside it:
`monitoring.backfill` and `monitoring.parallel`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core.errors import Forbidden
from envhub.core.permissions import Actor
from envhub.monitoring.ingest.checks import CheckedFile, check_file, check_files
from envhub.monitoring.ingest.plan import Plan, plan_slice
from envhub.monitoring.ingest.registry_view import directory
from envhub.monitoring.ingest.reports import ERROR, BatchReport, IncomingFile, Reject
from envhub.monitoring.ingest.writer import LIVE_CHANNELS, write

__all__ = [
    "ERROR", "LIVE_CHANNELS", "BatchReport", "CheckedFile", "IncomingFile", "Plan", "Reject",
    "check_file", "check_files", "check_replace", "directory", "ingest", "plan_slice", "write",
]


def ingest(actor: Actor, channel: str, files: Sequence[IncomingFile], *, replace: bool = False,
           now: datetime.datetime | None = None, live: bool | None = None) -> list[BatchReport]:
    """Check files and write them in one transaction; if the database fails, write them one
    at a time. `live`: the files arrived from the stations now (default: FTP and HTTP)."""
    check_replace(actor, replace)
    now = now or timezone.now()
    return write(actor, channel, check_files(actor, files, now), now=now, replace=replace,
                 live=live)


def check_replace(actor: Actor, replace: bool) -> None:
    if replace and not actor.manages_everything:
        raise Forbidden(_("Only a data steward may re-ingest with replace."))
