"""Deep checks of incoming files: encrypted PDFs, PDFs with too many pages, zip bombs, office
files that are not what they are named, images too large; each refused with its own code
before a byte is stored, and a good file's page count kept."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from envhub.core.errors import InvalidInput, TooLarge
from envhub.library import checks, intake
from envhub.library.models import Document, DocumentFile
from tests.library.sample_files import (
    docx,
    odt,
    office,
    pdf,
    png_header,
    stored_files,
    xlsx,
)

pytestmark = pytest.mark.django_db


def _add(world, shelf, *files: tuple[str, bytes]) -> Document:
    document = Document(collection=shelf.collection, identifier="TL-9", title="Báo cáo")
    return intake.add_document(world.actor("librarian"), document,
                               [intake.Incoming(name, io.BytesIO(data)) for name, data in files])


def _refused(world, shelf, folder, name: str, data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as refusal:
        _add(world, shelf, (name, data))
    assert not Document.objects.filter(identifier="TL-9").exists()
    assert DocumentFile.objects.count() == 0 and stored_files(folder) == []
    return refusal.value


def test_it_keeps_the_page_count_of_a_good_pdf(world, shelf, library_folder):
    document = _add(world, shelf, ("bao-cao.pdf", pdf(3)))
    assert document.page_count == 3 and document.files.get().media_type == "application/pdf"


def test_it_refuses_an_encrypted_pdf(world, shelf, library_folder):
    with translation.override("vi"):
        refusal = _refused(world, shelf, library_folder, "mat.pdf", pdf(1, password="bi-mat"))
    assert refusal.details == {"file": ["encrypted"]}
    assert "mật khẩu" in str(refusal.message)


def test_it_refuses_a_pdf_of_5000_pages(world, shelf, library_folder, settings):
    assert settings.ENVHUB_LIBRARY_MAX_PAGES < 5000  # the default
    refusal = _refused(world, shelf, library_folder, "tuyen-tap.pdf", pdf(5000))
    assert refusal.details == {"file": ["too_many_pages"]}
    assert "5000" in str(refusal.message)


def test_it_refuses_a_pdf_it_cannot_read(world, shelf, library_folder):
    refusal = _refused(world, shelf, library_folder, "hong.pdf",
                       b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert refusal.details == {"file": ["corrupt"]}


def test_it_refuses_a_damaged_pdf_too_large_to_repair_in_vietnamese(world, shelf,
                                                                   library_folder, monkeypatch):
    damaged = pdf(2).replace(b"startxref", b"startxref\n9999999\n%")
    monkeypatch.setattr(checks, "WHOLE_READ_LIMIT", len(damaged) // 2)
    with translation.override("vi"):
        refusal = _refused(world, shelf, library_folder, "hong-lon.pdf", damaged)
    assert refusal.details == {"file": ["corrupt"]}
    assert "quá lớn để sửa" in str(refusal.message)


def test_it_refuses_a_zip_bomb_by_ratio(world, shelf, library_folder):
    bomb = docx(extra={"word/media/zeros.bin": b"\0" * 20_000_000})
    assert len(bomb) < 100_000
    refusal = _refused(world, shelf, library_folder, "bom.docx", bomb)
    assert refusal.details == {"file": ["zip_bomb"]}


def test_it_refuses_a_zip_that_unpacks_past_the_total(world, shelf, library_folder,
                                                     monkeypatch):
    monkeypatch.setattr(checks, "MAX_UNCOMPRESSED", 10_000)
    parts = {f"xl/worksheets/sheet{n}.xml": bytes(range(256)) * 20 for n in range(3)}
    refusal = _refused(world, shelf, library_folder, "bang.xlsx", office(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", **parts}))
    assert refusal.details == {"file": ["zip_bomb"]}


@pytest.mark.parametrize("name,data,code", [
    # Word and Excel put a password-protected file in an OLE container.
    ("mat.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "encrypted"),
    ("bang.xlsx", docx(), "wrong_type"),
    ("van-ban.docx", office({"a.txt": b"khong phai word"}), "wrong_type"),
    ("van-ban.odt", docx(), "wrong_type"),
    ("mat.odt", odt(manifest=b'<manifest:file-entry><manifest:encryption-data/>'
                             b'</manifest:file-entry>'),
     "encrypted"),
    ("hong.docx", b"PK\x03\x04" + b"\0" * 100, "corrupt"),
    ("ban-do.png", png_header(30_000, 30_000), "too_many_pixels"),
    ("hong.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "corrupt"),
])
def test_it_refuses_office_files_and_images_that_are_not_right(world, shelf,
                                                               library_folder,
                                                               name, data, code):
    assert _refused(world, shelf, library_folder, name, data).details == {"file": [code]}


def test_it_takes_good_office_files_and_images(world, shelf, library_folder):
    document = _add(world, shelf, ("a.docx", docx()), ("b.xlsx", xlsx()), ("c.odt", odt()),
                    ("d.png", png_header(2000, 3000)))
    assert [file.media_type.rsplit(".", 1)[-1] for file in document.files.order_by("version")] \
        == ["document", "sheet", "text", "image/png"]
    assert len(stored_files(library_folder)) == 4


def test_a_bad_second_file_leaves_the_first_unstored(world, shelf, library_folder):
    _refused_both = pytest.raises(InvalidInput)
    with _refused_both:
        _add(world, shelf, ("tot.pdf", pdf(2)), ("mat.pdf", pdf(1, password="x")))
    assert not Document.objects.filter(identifier="TL-9").exists()
    assert stored_files(library_folder) == []


def test_it_refuses_a_seekable_file_over_the_limit_before_reading_it(world, shelf,
                                                                     library_folder,
                                                                     settings):
    settings.ENVHUB_LIBRARY_MAX_FILE_BYTES = 4096
    stream = io.BytesIO(pdf(1) + b"\0" * 5000)
    with pytest.raises(TooLarge):
        _add(world, shelf, ("lon.pdf", stream.getvalue()))
    assert stored_files(library_folder) == []


def test_a_new_version_is_checked_too(world, shelf, library_folder):
    document = _add(world, shelf, ("v1.pdf", pdf(2)))
    with pytest.raises(InvalidInput):
        intake.add_version(world.actor("librarian"), document,
                           intake.Incoming("v2.pdf", io.BytesIO(pdf(1, password="x"))))
    assert document.files.count() == 1 and len(stored_files(library_folder)) == 1
