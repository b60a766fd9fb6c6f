"""The text of each format, read without Django or programs (`library/text.py`)."""

from __future__ import annotations

import codecs
import datetime
import io
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.library import text
from tests.library.sample_files import docx, odt, xlsx

SAMPLE = "Chất lượng nước sông Đồng Nai năm 2023"


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(value: str) -> bytes:
    """Windows-1258 as old office files wrote it: the vowel letters (â, ơ, ư…) precomposed,
    the five tone marks as combining characters after them."""
    out = []
    for char in value:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in parts if mark in TONES)
        out.append(unicodedata.normalize("NFC", "".join(m for m in parts if m not in TONES))
                   + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("data,encoding", [
    (SAMPLE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16"),
    # Read back composed (NFC), as the rest of the library keeps Vietnamese.
    (cp1258(SAMPLE), "cp1258"),
])
def test_it_decodes_plain_text_in_every_encoding_of_vietnamese_files(data, encoding):
    extracted = text.plain_text(io.BytesIO(data))
    assert extracted.content == SAMPLE
    assert extracted.encoding == encoding and extracted.method == "plain"
    assert not extracted.truncated and extracted.empty_pages == []


def test_it_reads_as_windows_1258_a_file_that_stops_being_utf8_late():
    data = b"Bao cao " * 200_000 + cp1258("Đồng")  # well past the first chunk
    extracted = text.plain_text(io.BytesIO(data))
    assert extracted.encoding == "cp1258"
    assert extracted.content.endswith("Đồng")


def test_it_cuts_a_huge_text_at_the_cap_and_says_so():
    extracted = text.plain_text(io.BytesIO(b"a" * 5000), limit=1000)
    assert len(extracted.content) == 1000 and extracted.truncated
    exact = text.plain_text(io.BytesIO(b"a" * 1000), limit=1000)
    assert len(exact.content) == 1000 and not exact.truncated


@given(st.text(max_size=300))
def test_it_gives_back_any_utf8_text_composed(value):
    extracted = text.plain_text(io.BytesIO(value.encode("utf-8")))
    assert extracted.content == unicodedata.normalize("NFC", value.lstrip("\ufeff")).replace(
        "\x00", "")


def test_it_reads_a_word_document_and_its_page_count():
    extracted = text.docx_text(io.BytesIO(docx(["Báo cáo quan trắc", SAMPLE], pages=7)))
    assert extracted.content == f"Báo cáo quan trắc\n{SAMPLE}"
    assert (extracted.method, extracted.stated_pages, extracted.paged) == ("office", 7, False)


def test_it_reads_an_opendocument_text():
    extracted = text.odt_text(io.BytesIO(odt(["Mở đầu", SAMPLE], pages=3)))
    assert extracted.content == f"Mở đầu\n{SAMPLE}"
    assert extracted.stated_pages == 3


def test_it_reads_a_workbook_sheet_by_sheet_values_not_formulas():
    data = xlsx([["Trạm", "Ngày", "PM2.5"], ["Hà Nội", datetime.date(2023, 5, 1), 45.0],
                 ["Đồng Nai", None, 12.5], ["Tổng", None, "=C2+C3"]])
    extracted = text.xlsx_text(io.BytesIO(data))
    lines = extracted.content.splitlines()
    assert lines[:4] == ["Quan trắc", "Trạm\tNgày\tPM2.5", "Hà Nội\t2023-05-01\t45",
                         "Đồng Nai\t\t12.5"]
    # openpyxl wrote no cached value for the formula: its value is empty, the formula not text.
    assert lines[4] == "Tổng"


@pytest.mark.parametrize("reader", [text.docx_text, text.odt_text, text.xlsx_text])
def test_it_refuses_a_broken_zip(reader):
    with pytest.raises(text.Unreadable) as refused:
        reader(io.BytesIO(b"PK\x03\x04 not really a zip"))
    assert refused.value.code == "corrupt"


def test_it_refuses_xml_that_does_not_parse():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><w:body>")
    with pytest.raises(text.Unreadable) as refused:
        text.docx_text(buffer)
    assert refused.value.code == "corrupt"


def test_it_does_not_inflate_a_member_declared_too_large(monkeypatch):
    monkeypatch.setattr(text, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(text.Unreadable) as refused:
        text.docx_text(io.BytesIO(docx(["x" * 500])))
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("output,count,pages", [
    ("một\fhai\f", None, ["một", "hai"]),
    ("một\f\f  \fbốn\f", None, ["một", "", "", "bốn"]),
    ("một\f", 3, ["một", "", ""]),
    ("", 1, [""]),
])
def test_it_splits_pdftotext_output_into_pages(output, count, pages):
    assert text.pdf_pages(output, count) == pages


def test_it_lists_the_pages_without_recognisable_text():
    extracted = text.Extracted(["Trang một", "", " ~ ", "Trang bốn", "ab", "5"], "ocr",
                               paged=True)
    assert extracted.empty_pages == [2, 3, 5, 6]
    assert text.page_ranges(extracted.empty_pages) == "2–3, 5–6"
    assert text.page_ranges([9, 1, 2, 3, 7]) == "1–3, 7, 9"
    assert text.Extracted(["", "x"], "plain").empty_pages == []


@pytest.mark.parametrize("legacy,unicode", [
    ("Hµ Néi", "Hà Nội"),
    ("B\xb8o c\xb8o hi\xd6n tr\xb9ng m\xabi tr\xad\xeang", "Báo cáo hiện trạng môi trường"),
    ("Ch\xcat l\xad\xeeng n\xad\xedc s\xabng \xa7\xe5ng Nai", "Chất lượng nước sông Đồng Nai"),
    ("M\xad\xeang Kh\xad\xacng", "Mường Khương"),
])
def test_it_turns_tcvn3_text_of_the_old_vn_fonts_into_unicode(legacy, unicode):
    assert text.from_tcvn3(legacy) == unicode


def test_it_repairs_a_whole_text_only_when_it_is_tcvn3():
    legacy = "B\xb8o c\xb8o hi\xd6n tr\xb9ng m\xabi tr\xad\xeang t\xb9i H\xb5 N\xe9i"
    repaired = text.repair_legacy(text.Extracted([legacy, "Trang 2"], "text_layer", paged=True))
    assert repaired.pages == ["Báo cáo hiện trạng môi trường tại Hà Nội", "Trang 2"]
    assert repaired.encoding == "tcvn3"
    for keep in ["Le café « très » bon, à Paris © 2023 § 3 — élève, où, Noël",
                 "Hà Nội µg/m³ bụi · PM2.5 ® ¶ 3", "Hµ Néi"]:  # too few signs to be sure
        assert text.repair_legacy(text.Extracted([keep], "office")).content == keep
