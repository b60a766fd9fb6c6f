"""What keeps a PDF from holding the worker: the worker's copy of a PDF ends at its last `%%EOF`
(OCRmyPDF took 134 s on two pages followed by 256 KiB of padding, against 4 s without), and
OCRmyPDF is stopped past its time (`ocr.ocr_timeout`), which the document reports as failed."""

from __future__ import annotations

import io
import subprocess

import pytest

from envhub.library import extraction, intake, ocr
from envhub.library.models import Document, TextState
from tests.library.sample_files import pdf, scan

PAGE = ["BÁO CÁO QUAN TRẮC", "Chất lượng nước sông Đồng Nai"]
PADDING = b"% padding of a large scan\n" * 10_000  # 260 kB after the end
needs_ocr = pytest.mark.skipif(bool(ocr.missing_for_ocr()),
                               reason="OCR tools missing: run scripts/system-deps.sh base")


@pytest.mark.parametrize("tail,cut", [
    (PADDING, True),  # cut just after the marker
    (b"\n" * 100, False),  # a few line ends, as many writers leave: kept
])
def test_the_workers_copy_ends_at_the_last_end_of_file_marker(tmp_path, tail, cut):
    whole = pdf(2) + tail
    path = tmp_path / "original.pdf"
    path.write_bytes(whole)
    extraction._cut_after_end(path)
    assert path.read_bytes() == (whole[:whole.rindex(b"%%EOF") + 5] if cut else whole)


def test_a_file_without_a_marker_is_left_as_it_is(tmp_path):
    path = tmp_path / "original.pdf"
    path.write_bytes(b"%PDF-1.7\n" + PADDING)
    extraction._cut_after_end(path)
    assert path.read_bytes() == b"%PDF-1.7\n" + PADDING


@needs_ocr
@pytest.mark.slow
def test_ocrmypdf_is_stopped_past_its_time(tmp_path):
    source, target = tmp_path / "scan.pdf", tmp_path / "searchable.pdf"
    source.write_bytes(scan([PAGE]))
    with pytest.raises(ocr.ToolFailed) as failure:
        ocr.make_searchable(source, target, timeout=0.5)
    assert failure.value.code == "timeout"
    running = subprocess.run(["pgrep", "-f", str(target)], capture_output=True, text=True)
    assert running.stdout == ""  # killed, not left behind


@needs_ocr
@pytest.mark.slow
@pytest.mark.django_db
def test_a_padded_scan_is_recognised_within_a_short_limit(world, shelf, monkeypatch):
    # Limits far under what the padding would cost OCRmyPDF (134 s for 256 KiB, more here):
    # without the cut the document would fail on time.
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT", 60)
    monkeypatch.setattr(ocr, "FILE_TIMEOUT", 30)
    Document.objects.update(text_state=TextState.NO_TEXT)  # the shelf's own: not the queue
    document = Document(collection=shelf.collection, identifier="LT-PAD",
                        title="Hồ sơ scan có phần đệm")
    intake.add_document(world.actor("librarian"), document,
                        [intake.Incoming("ho-so.pdf", io.BytesIO(scan([PAGE]) + PADDING))])
    outcomes = extraction.process_pending()
    document.refresh_from_db()
    assert [outcome.state for outcome in outcomes] == [TextState.DONE], document.text_message
    assert "Đồng Nai" in document.text.content
