"""Startup's objects are left out of the garbage collector's full walks (`core.collector`)."""

import gc

from envhub.core.collector import THRESHOLDS, freeze_startup_objects


def test_django_startup_froze_what_it_loaded():
    # pytest-django set Django up, so `CoreConfig.ready` has run.
    assert gc.get_freeze_count() > 10_000


def test_the_young_generation_waits_for_more_allocations():
    assert gc.get_threshold() == THRESHOLDS
    assert THRESHOLDS[0] > 700  # Python's default


def test_freezing_again_takes_what_was_made_since():
    before = gc.get_freeze_count()
    kept = [{"row": n} for n in range(1000)]
    freeze_startup_objects()
    assert gc.get_freeze_count() >= before + len(kept)
