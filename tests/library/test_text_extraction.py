"""The worker's reading of documents (`library/extraction.py`): text layers, office files and
plain text stored as the document's text, claims, new versions, failures and a missing OCR."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from envhub.core.health import database_checks
from envhub.core.periodic import discover
from envhub.library import extraction, intake, ocr, storage
from envhub.library.models import Document, DocumentFile, DocumentText, FileRole, TextState
from tests.library import sample_files
from tests.library.sample_files import docx, text_pdf
from tests.said import Said

indexed = sample_files.indexed

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(shelf):
    """The shelf's documents (no files) already read: the tests' own documents are the queue."""
    Document.objects.update(text_state=TextState.NO_TEXT)
    return shelf


def _add(world, shelf, identifier: str, name: str, data: bytes) -> Document:
    document = Document(collection=shelf.collection, identifier=identifier,
                        title="Báo cáo quan trắc")
    return intake.add_document(world.actor("librarian"), document,
                               [intake.Incoming(name, io.BytesIO(data))])


def _add_unchecked(shelf, identifier: str, name: str, data: bytes, media_type: str) -> Document:
    """A document whose original is stored as it is: intake's own checks refuse a damaged or
    encrypted file on the way in, but one stored before them (or by hand) must still fail
    cleanly here."""
    document = Document.objects.create(collection=shelf.collection, identifier=identifier,
                                       title="Báo cáo quan trắc")
    stored = storage.save_stream(io.BytesIO(data))
    DocumentFile.objects.create(document=document, version=1, role=FileRole.ORIGINAL, name=name,
                                storage_name=stored.storage_name, size=stored.size,
                                sha256=stored.sha256, media_type=media_type)
    return document


def _stored_text(document: Document) -> str:
    file = document.files.get(role=FileRole.TEXT)
    with storage.open_stored(file.storage_name) as stream:
        return stream.read().decode("utf-8")


def test_it_reads_the_text_layer_of_each_page_of_a_pdf(world, shelf, indexed):
    data = text_pdf(["Hiện trạng môi trường tỉnh Đồng Nai", "Chất lượng không khí Hà Nội"])
    document = _add(world, shelf, "TL-10", "hien-trang.pdf", data)
    outcome = extraction.process_document(document)
    document.refresh_from_db()
    assert (outcome.state, document.text_state, document.page_count) == ("done", "done", 2)
    assert document.text_message == "" and document.text_claimed_until is None
    kept = DocumentText.objects.get(document=document)
    assert (kept.version, kept.pages, kept.empty_pages, kept.method) == (1, 2, [], "text_layer")
    assert kept.content.split("\f") == ["Hiện trạng môi trường tỉnh Đồng Nai",
                                        "Chất lượng không khí Hà Nội"]
    assert _stored_text(document) == kept.content
    text_file = document.files.get(role=FileRole.TEXT)
    assert (text_file.version, text_file.name, text_file.media_type) == (
        1, "hien-trang.txt", "text/plain")
    assert not document.files.filter(role=FileRole.SEARCHABLE_PDF).exists()
    assert indexed == ["TL-10"]
    from envhub.accounts.models import AuditEvent

    event = AuditEvent.objects.get(action="library.text.extract", object_id=str(document.pk))
    assert event.changes["state"] == "done" and event.changes["method"] == "text_layer"


def test_it_reads_office_files_and_keeps_a_page_count_given_by_hand(world, shelf, indexed):
    document = _add(world, shelf, "TL-11", "bao-cao.docx",
                    docx(["Báo cáo đánh giá tác động môi trường"], pages=12))
    Document.objects.filter(pk=document.pk).update(page_count=15)
    extraction.process_document(document)
    document.refresh_from_db()
    assert document.text_state == TextState.DONE and document.page_count == 15
    assert document.text.content == "Báo cáo đánh giá tác động môi trường"
    assert document.text.method == "office"


def test_it_makes_unicode_of_a_word_file_typed_in_the_old_vn_fonts(world, shelf, indexed):
    legacy = ["B\xb8o c\xb8o hi\xd6n tr\xb9ng m\xabi tr\xad\xeang",
              "Ch\xcat l\xad\xeeng n\xad\xedc s\xabng \xa7\xe5ng Nai"]
    document = _add(world, shelf, "TL-31", "vntime.docx", docx(legacy))
    extraction.process_document(document)
    document.refresh_from_db()
    assert document.text.content == ("Báo cáo hiện trạng môi trường\n"
                                      "Chất lượng nước sông Đồng Nai")


@pytest.mark.parametrize("name,data", [("trong.txt", b"   \n\n  "), ("trong.docx", docx([]))])
def test_it_says_when_a_file_holds_no_text(world, shelf, indexed, name, data):
    document = _add(world, shelf, "TL-12", name, data)
    outcome = extraction.process_document(document)
    document.refresh_from_db()
    assert outcome.state == document.text_state == TextState.NO_TEXT
    assert document.text_message == "Tệp không chứa văn bản nào."
    assert document.text_claimed_until is None and document.text.version == 1
    # An empty text is not stored as an empty file; a blank one is kept as it is.
    assert document.files.filter(role=FileRole.TEXT).count() == (name == "trong.txt")


def test_it_marks_a_damaged_file_failed_and_goes_on_with_the_others(world, shelf, indexed):
    broken = _add_unchecked(shelf, "TL-13", "hong.docx", b"PK\x03\x04" + b"\x00" * 300,
                            "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document")
    _add(world, shelf, "TL-14", "tot.txt", "Quan trắc nước mặt".encode())
    outcomes = extraction.process_pending(limit=10)
    assert [(o.identifier, o.state) for o in outcomes] == [("TL-13", "failed"), ("TL-14", "done")]
    broken.refresh_from_db()
    assert broken.text_message == ("Tệp bị hỏng hoặc không đúng định dạng của nó: không đọc "
                                   "được văn bản.")
    assert broken.text_claimed_until is None
    assert not broken.files.filter(role=FileRole.TEXT).exists()
    assert indexed == ["TL-13", "TL-14"]
    assert extraction.process_pending(limit=10) == []  # nothing waits any more


def test_it_says_an_encrypted_pdf_cannot_be_read(world, shelf, indexed):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(["Tài liệu mật"]))))
    writer.encrypt("bi-mat", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    buffer.seek(0)
    # Stored as it is: intake's own checks refuse such a file on the way in.
    document = Document.objects.create(collection=shelf.collection, identifier="TL-19",
                                       title="Mật")
    stored = storage.save_stream(buffer)
    DocumentFile.objects.create(document=document, version=1, role=FileRole.ORIGINAL,
                                name="mat.pdf", storage_name=stored.storage_name,
                                size=stored.size, sha256=stored.sha256,
                                media_type="application/pdf")
    outcome = extraction.process_pending()[0]
    document.refresh_from_db()
    assert outcome.state == document.text_state == TextState.FAILED
    assert document.text_message == "Tệp đã được mã hoá: không đọc được văn bản."


def test_it_marks_failed_a_text_the_storage_refuses_and_keeps_nothing(world, shelf, indexed,
                                                                      monkeypatch,
                                                                      library_folder):
    document = _add(world, shelf, "TL-32", "dai.txt", "Văn bản khá dài".encode())
    monkeypatch.setattr(storage, "max_bytes", lambda: 5)
    outcome = extraction.process_pending()[0]
    document.refresh_from_db()
    assert outcome.state == document.text_state == TextState.FAILED
    assert document.text_message == "Đọc văn bản không thành công."
    assert document.text_claimed_until is None
    assert list(document.files.values_list("role", flat=True)) == [FileRole.ORIGINAL]
    assert len([path for path in library_folder.rglob("*") if path.is_file()]) == 1


def test_it_takes_no_new_document_once_its_time_is_spent(world, shelf, indexed):
    _add(world, shelf, "TL-30", "a.txt", b"Quan trac")
    assert extraction.process_pending(budget=datetime.timedelta(0)) == []
    assert len(extraction.process_pending(budget=datetime.timedelta(minutes=1))) == 1


def test_it_leaves_a_claimed_document_alone_until_the_claim_runs_out(world, shelf, indexed):
    document = _add(world, shelf, "TL-15", "a.txt", "Bụi mịn PM2.5".encode())
    soon = timezone.now() + datetime.timedelta(minutes=3)
    Document.objects.filter(pk=document.pk).update(text_claimed_until=soon)
    assert extraction.process_pending() == []
    assert extraction.process_document(document) is None
    gone = timezone.now() - datetime.timedelta(seconds=1)
    Document.objects.filter(pk=document.pk).update(text_claimed_until=gone)
    assert [o.identifier for o in extraction.process_pending()] == ["TL-15"]


def test_it_stops_taking_documents_after_its_limit(world, shelf, indexed):
    for number in range(3):
        _add(world, shelf, f"TL-2{number}", f"{number}.txt", f"Văn bản {number}".encode())
    assert len(extraction.process_pending(limit=2)) == 2
    assert Document.objects.filter(text_state=TextState.PENDING).count() == 1


def test_it_drops_the_text_of_a_version_replaced_while_it_was_read(world, shelf, indexed,
                                                                   monkeypatch, library_folder):
    document = _add(world, shelf, "TL-16", "cu.txt", "Bản cũ".encode())
    read = extraction._read

    def read_then_new_version(doc, original, folder):
        result = read(doc, original, folder)
        intake.add_version(world.actor("librarian"), doc,
                           intake.Incoming("moi.txt", io.BytesIO("Bản mới".encode())))
        return result

    monkeypatch.setattr(extraction, "_read", read_then_new_version)
    outcome = extraction.process_document(document)
    assert outcome.message == "superseded"
    document.refresh_from_db()
    assert document.text_state == TextState.PENDING and document.text_claimed_until is None
    assert not DocumentText.objects.filter(document=document).exists()
    assert not DocumentFile.objects.filter(document=document, role=FileRole.TEXT).exists()
    stored = [path for path in library_folder.rglob("*") if path.is_file()]
    assert len(stored) == 2  # the two originals, no orphaned text file
    monkeypatch.setattr(extraction, "_read", read)
    extraction.process_document(document)
    document.refresh_from_db()
    assert document.text.content == "Bản mới" and document.text.version == 2
    assert document.files.get(role=FileRole.TEXT).version == 2


def test_it_reports_ocr_unavailable_keeping_what_the_text_layer_has(world, shelf, indexed,
                                                                    monkeypatch):
    monkeypatch.setattr(ocr, "missing_for_ocr", lambda: ["tesseract-ocr-vie"])
    data = text_pdf(["Trang có chữ: quan trắc khí thải", ""])
    document = _add(world, shelf, "TL-17", "ket-hop.pdf", data)
    outcome = extraction.process_pending()[0]
    document.refresh_from_db()
    assert outcome.state == document.text_state == TextState.OCR_UNAVAILABLE
    assert document.text_message == ("Máy chủ này không có OCR (thiếu: tesseract-ocr-vie). "
                                     "Các trang không có chữ nhận dạng được: 2.")
    assert document.text.content.startswith("Trang có chữ") and document.text.empty_pages == [2]
    # Not taken up again while OCR is missing; taken up once it is there.
    assert extraction.process_pending() == []
    assert TextState.OCR_UNAVAILABLE not in extraction.waiting_states()
    monkeypatch.setattr(ocr, "missing_for_ocr", lambda: [])
    assert TextState.OCR_UNAVAILABLE in extraction.waiting_states()




def _library_checks(report):
    for check in database_checks():
        if check.__module__ == "envhub.library.text_health":
            check(report)


def test_envhub_check_reports_missing_ocr_and_documents_waiting(world, shelf, monkeypatch):
    report = Said()
    _library_checks(report)
    assert report[0][0] == "ok" and "tesseract 5" in report[0][1]
    monkeypatch.setattr(ocr, "missing_for_ocr", lambda: ["ocrmypdf", "tesseract-ocr-vie"])
    document = _add(world, shelf, "TL-18", "a.txt", b"abc")
    DocumentFile.objects.filter(document=document).update(
        created_at=timezone.now() - datetime.timedelta(hours=1))
    Document.objects.filter(pk=shelf.public.pk).update(text_state=TextState.OCR_UNAVAILABLE)
    report = Said()
    _library_checks(report)
    kinds = [kind for kind, _message in report]
    assert kinds == ["error", "warn", "warn"]
    assert "missing ocrmypdf, tesseract-ocr-vie" in report[0][1]
    assert report[1][1].startswith("library: 1 documents waiting over 30 minutes")
    assert report[2][1].startswith("library: 1 documents without OCR")


def test_the_worker_runs_the_library_text_job(world, shelf, indexed):
    job = discover()["library-text"]
    assert job.every == datetime.timedelta(seconds=10)
    assert job.max_run >= datetime.timedelta(hours=1)
    for number in range(6):
        _add(world, shelf, f"TL-4{number}", f"{number}.txt", f"Văn bản {number}".encode())
    outcomes = job.function()
    assert [o.identifier for o in outcomes] == [f"TL-4{number}" for number in range(5)]
    assert Document.objects.filter(text_state=TextState.PENDING).count() == 1
