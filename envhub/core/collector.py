"""Python's cyclic garbage collector in a long-running envhub process.

A full collection walks every object the process holds — about 180,000 once Django and
envhub's apps are loaded, 100 ms on a 2-core machine. Python starts one whenever the objects
that survived the young collections since the last one pass a quarter of those it walked then,
so a request that builds tens of thousands of rows (the national dashboard's per-station and
per-source totals) set one off every other request or so: 100 ms more for that request, the
tail of its latency. The objects loaded at startup live as long as the process; `gc.freeze()`
takes them out of the collector's sight (and keeps their pages shared between forked
workers), so a full collection walks only what requests left behind."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Collect once, then leave everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
