"""Python's cyclic garbage collector in a long-running envhub process.

A full collection walks every object the process holds — about 180,000 once Django and
envhub's apps are loaded, 100 ms on a 2-core machine. Python starts one whenever the objects
that survived the young collections since the last one pass a quarter of those it walked then,
so a request that builds tens of thousands of rows (the national dashboard's per-station and
per-source totals) set one off every other request or so: 100 ms more for that request, the
tail of its latency. The objects loaded at startup live as long as the process; `gc.freeze()`
takes them out of the collector's sight (and keeps their pages shared between forked
workers), so a full collection walks only what requests left behind.

The young generation's threshold is raised as well (`THRESHOLDS`): with Python's 700
allocations, the country's dashboard page ran 42 collections a page (over 9 pages: 342
young, 31 middle, 3 full), 19-25 ms a page; with 10,000, one a page and 1-2 ms. Most garbage
is freed by reference counting the moment it is dropped; only cycles wait for a collection,
a little longer now."""

from __future__ import annotations

import gc

# Young generation after this many allocations (Python: 700), the middle one after 10 young
# collections, the oldest after 10 middle ones (as Python).
THRESHOLDS = (10_000, 10, 10)


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)


def freeze_startup_objects() -> None:
    """Collect once, then leave everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
