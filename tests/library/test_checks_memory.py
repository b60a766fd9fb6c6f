"""Checking a PDF leaves nothing for the cyclic garbage collector: pypdf's objects point back at
their reader, so without `checks._forget` every checked PDF left about 18 kB in reference
cycles, which an import of thousands of files piled up between full collections."""

from __future__ import annotations

import gc
import io

import pytest

from envhub.library import checks
from tests.library.sample_files import one_page_pdf, pdf


def _cyclic_garbage_of(call) -> list:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        call()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = [type(item).__module__ for item in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    return [module for module in found if module.startswith("pypdf")]


@pytest.mark.parametrize("data", [one_page_pdf("Bao cao"), pdf(12)], ids=["drawn", "blank"])
def test_a_checked_pdf_leaves_no_cycles(data):
    assert _cyclic_garbage_of(lambda: checks.check_pdf(io.BytesIO(data), 2000)) == []


def test_a_refused_pdf_leaves_no_cycles_either():
    data = pdf(3)  # pypdf's writer makes cycles of its own: outside the measure

    def refused():
        with pytest.raises(checks.FormatError):
            checks.check_pdf(io.BytesIO(data), 2)

    assert _cyclic_garbage_of(refused) == []
