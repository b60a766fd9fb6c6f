"""A backfill (`envhub ingest PATH`): the ingestion road for a folder of many thousand files,
with the speed machinery that only a one-off command may use.

- The next slice is read and checked while the database writes one (`monitoring.parallel`).
  Reading processes send the checked files without their values (`without_values`): the plan
  holds what will be written, and sending the values would cost the writer more than checking
  a file again in the rare case the database disagrees with the plan.
- Several slices go in one transaction (`write_in_transactions`): each commit writes back the
  pages of the observations' key of every series it touches, whatever the number of values, so
  fewer commits write fewer pages.
- The interpreter is tuned for the whole run (`tuned_interpreter`): settings that hold for the
  whole process, which the live receivers (web, FTP) never change.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import Iterable, Iterator, Sequence

from django.db import DatabaseError, transaction

from envhub.core.permissions import Actor
from envhub.monitoring import ingest
from envhub.monitoring.ingest import BatchReport, CheckedFile, Plan, directory
from envhub.monitoring.ingest.reports import not_stored

logger = logging.getLogger("envhub.ingest")

# How soon a thread waiting for the interpreter gets it from the one running Python (CPython's
# default: 5 ms). The writer waits so each time one of its statements ends while the reading
# thread runs, several times a slice.
SWITCH_INTERVAL = 0.0002


@contextlib.contextmanager
def tuned_interpreter():
    """Python's cycle collector paused, and the interpreter handed between threads sooner, for
    a backfill's whole run. A slice makes some hundred thousand small tuples and lists, none in
    a reference cycle, and the collector, set off by their number, would walk the whole heap
    again and again for them. Both are put back as they were."""
    collecting = gc.isenabled()
    switch_interval = sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(switch_interval)
        if collecting:
            gc.enable()


def without_values(files: Sequence[CheckedFile], planned: Plan) -> None:
    """Let go of the checked values of planned files before a reading process sends them to
    the writer: the plan holds what will be written, and the writer checks a file again only
    when the database disagrees with the plan. The plan keeps the ids of the slice's series
    only, not the directory's."""
    planned.series_ids = {key: planned.series_ids[key] for key in {
        (f.station.id, value[0].id) for f in files if f.values for value in f.values}}
    for f in files:
        if f.values:
            f.values = None


def write_in_transactions(actor: Actor, channel: str, reads: Iterable, *,
                          files_per_transaction: int, replace: bool = False, gate=None,
                          kept=lambda item: item) -> Iterator[tuple[list, list[BatchReport]]]:
    """Write slices as a reader gives them (`parallel.CheckedSlice`s) in transactions of about
    `files_per_transaction` files, several slices each; yield (what `kept` keeps of each
    item, their reports) for each transaction once it is committed. `gate`: the reading
    thread's (`parallel.Gate`), opened while the database works without the interpreter.

    Each slice is written as `ingest.write` writes it, inside the transaction (a savepoint): a
    slice the database refuses is rolled back alone and retried file by file, and a file it
    still refuses is reported with the status ERROR. A transaction whose commit fails stores
    nothing: each of its files is reported so."""
    while_database_works = gate.opened if gate is not None else contextlib.nullcontext

    def written(read) -> list[BatchReport]:
        try:
            return ingest.write(actor, channel, read.files, now=read.now, replace=replace,
                                plan=read.plan, while_database_works=while_database_works)
        except DatabaseError:  # a slice of one file, rolled back alone
            return [not_stored(f.report.file_name) for f in read.files]

    with tuned_interpreter():
        reads = iter(reads)
        for read in reads:  # the first slice of a transaction
            items = [kept(item) for item in read.items]
            if len(items) >= files_per_transaction:
                # A transaction of one slice: `write`'s own (a savepoint would only cost; on
                # PostgreSQL a subtransaction for every slice).
                reports = written(read)
                read = None
                yield items, reports
                continue
            reports = []
            try:
                with contextlib.ExitStack() as during_commit:
                    with transaction.atomic():
                        while read is not None:
                            reports += written(read)
                            read = None  # the written slice goes before the next is read
                            if len(items) < files_per_transaction:
                                read = next(reads, None)
                                if read is not None:
                                    items += map(kept, read.items)  # not the files' contents
                        during_commit.enter_context(while_database_works())
            except DatabaseError as error:
                directory.forget()  # series created in the transaction are gone with it
                logger.warning("a transaction of %d files failed at its commit: %s",
                               len(items), error)
                reports = [not_stored(report.file_name) for report in reports]
            yield items, reports
