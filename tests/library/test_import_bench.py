"""`bench.library_import`'s building blocks on a tiny size, so that they cannot rot (nothing is
timed here)."""

from __future__ import annotations

import pytest

from bench import library_import
from envhub.library.models import Collection, Document
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db


def test_the_archive_imports_whole_and_memory_is_sampled(reference, tmp_path, monkeypatch):
    Collection.objects.create(code="bench", title="Kho thử")
    monkeypatch.setattr(library_import, "SAMPLE_EVERY", 2)
    bases = [one_page_pdf("a"), one_page_pdf("b")]
    manifest = library_import.write_archive(tmp_path / "kho", 4, "A", bases)
    copied, _seconds = library_import.baseline_copy(tmp_path / "kho", tmp_path / "copies")
    assert copied == 4
    result = library_import.import_folder(tmp_path / "kho", manifest, trace=True)
    assert result["documents"] == 4 and [n for n, *_rest in result["samples"]] == [2, 4]
    assert result["traced_peak"] > 0
    assert Document.objects.filter(identifier__startswith="A-").count() == 4
    assert len(set(Document.objects.values_list("files__sha256", flat=True))) == 4
