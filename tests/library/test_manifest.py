"""The import manifest is read as people save it (UTF-8 with or without BOM, UTF-16, Windows-
1258; comma, semicolon or tab) and refused clearly when it cannot be used: missing columns,
duplicate identifiers, files missing or outside the folder, bytes that are no text."""

from __future__ import annotations

import codecs
import os
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.library import manifest, metadata
from envhub.library.manifest import ManifestError, parse

HEADER = "identifier,title,collection,issued_on,files\n"


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "kho"
    (root / "quet").mkdir(parents=True)
    (root / "quet" / "a.pdf").write_bytes(b"%PDF-1.4 a")
    (root / "b.pdf").write_bytes(b"%PDF-1.4 b")
    (root / "Báo cáo 2022.pdf").write_bytes(b"%PDF-1.4 c")
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    return root


def problems(row) -> list[tuple[str, str]]:
    return [(problem.column, problem.message % problem.values if problem.values
             else problem.message) for problem in row.problems]


def test_it_knows_the_same_columns_as_the_metadata_check():
    assert manifest.METADATA_COLUMNS == metadata.FIELDS


def test_it_reads_rows_with_their_files_inside_the_folder(folder):
    data = (HEADER + "TL-1,Báo cáo A,bao-cao,01/02/2022,quet/a.pdf; b.pdf\n"
            "TL-2,\"Báo cáo, có dấu phẩy\",bao-cao,,Báo cáo 2022.pdf\n\n,,,,\n").encode()
    read = parse(data, folder)
    assert [row.identifier for row in read.rows] == ["TL-1", "TL-2"]
    first, second = read.rows
    assert first.line == 2 and second.line == 3
    assert first.data == {"identifier": "TL-1", "title": "Báo cáo A", "collection": "bao-cao",
                          "issued_on": "01/02/2022"}
    assert [path.name for path in first.files] == ["a.pdf", "b.pdf"]
    assert second.data["title"] == "Báo cáo, có dấu phẩy"
    assert second.files[0].name == "Báo cáo 2022.pdf"
    assert not first.problems and not second.problems


TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """As Windows writes Vietnamese: the letter (with its hat or horn) and the tone apart."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(letter + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1258", ";")])
def test_it_reads_the_encodings_and_delimiters_spreadsheets_write(folder, encoding, delimiter):
    text = (HEADER + "TL-1,Đánh giá tác động môi trường,bao-cao,,b.pdf\n").replace(",", delimiter)
    data = windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    read = parse(data, folder)
    assert read.encoding == encoding.removesuffix("-sig")
    assert read.delimiter == delimiter
    assert read.rows[0].data["title"] == "Đánh giá tác động môi trường"


def test_a_header_with_capitals_and_spaces_is_read():
    columns = manifest._header([" Identifier", "TITLE ", "collection", "Files"])
    assert columns == ["identifier", "title", "collection", "files"]


@pytest.mark.parametrize("header,code,words", [
    ("identifier,title,files\n", "missing_columns", "collection"),
    ("title,collection,files\n", "missing_columns", "identifier"),
    ("identifier,title,collection,files,tieu_de\n", "unknown_columns", "tieu_de"),
    ("identifier,title,collection,files,title\n", "repeated_columns", "title"),
])
def test_a_manifest_without_its_columns_is_refused_naming_them(folder, header, code, words):
    with pytest.raises(ManifestError) as refused:
        parse((header + "TL-1,A,bao-cao,b.pdf\n").encode(), folder)
    assert refused.value.code == code
    assert words in str(refused.value)


def test_duplicate_identifiers_refuse_the_manifest_naming_every_line(folder):
    data = (HEADER + "TL-1,A,bao-cao,,b.pdf\nTL-2,B,bao-cao,,b.pdf\ntl-1,C,bao-cao,,b.pdf\n"
            "TL-1,D,bao-cao,,b.pdf\n").encode()
    with pytest.raises(ManifestError) as refused:
        parse(data, folder)
    assert refused.value.code == "duplicate_identifiers"
    assert refused.value.lines == ((2, "TL-1"), (4, "tl-1"), (5, "TL-1"))


@pytest.mark.parametrize("name,code", [
    ("../secret.pdf", "outside"),
    ("quet/../../secret.pdf", "outside"),
    ("/etc/passwd", "outside"),
    ("C:\\Windows\\win.ini", "outside"),
    ("..\\secret.pdf", "outside"),
    ("khong-co.pdf", "missing_file"),
    ("quet", "not_a_file"),
    ("a\x00b.pdf", "bad_path"),
    ("a\nb.pdf", "bad_path"),
])
def test_files_missing_or_outside_the_folder_are_the_rows_problems(folder, name, code):
    with pytest.raises(ManifestError) as refused:
        manifest.resolve(name, folder)
    assert refused.value.code == code
    files, found = manifest.resolve_files(f"b.pdf;{name}", folder)
    assert [path.name for path in files] == ["b.pdf"]
    assert [problem.column for problem in found] == ["files"]


def test_a_link_that_leads_out_of_the_folder_is_outside(folder):
    os.symlink(folder.parent / "secret.pdf", folder / "link.pdf")
    with pytest.raises(ManifestError) as refused:
        manifest.resolve("link.pdf", folder)
    assert refused.value.code == "outside"


def test_a_row_keeps_its_problems_and_the_others_stay_good(folder):
    data = (HEADER + "TL-1,A,bao-cao,,../secret.pdf\n,B,bao-cao,,b.pdf\nTL-3,C,bao-cao,,\n"
            "TL-4,D,bao-cao,,b.pdf,extra\nTL-5,E,bao-cao,,b.pdf\n").encode()
    rows = parse(data, folder).rows
    assert [[column for column, _message in problems(row)] for row in rows] == [
        ["files"], ["identifier"], ["files"], ["files"], []]
    assert "outside the import folder" in problems(rows[0])[0][1]
    assert "no file" in problems(rows[2])[0][1]


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    (b"\xef\xbb\xbf", "empty"),
    (b"identifier\x00,title\n", "not_text"),
    (b"%PDF-1.7\n\x00\x01\x02", "not_text"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "not_text"),  # a lone surrogate
    (b"\x81\x8d\x8f\x90", "not_text"),  # bytes neither UTF-8 nor Windows-1258 reads
    (b'identifier,title,collection,files\nTL-1,"never closed,bao-cao,b.pdf\n', "bad_csv"),
])
def test_bytes_that_are_no_manifest_are_refused(folder, data, code):
    with pytest.raises(ManifestError) as refused:
        parse(data, folder)
    assert refused.value.code == code


def test_an_oversized_manifest_is_refused_before_it_is_read(folder):
    with pytest.raises(ManifestError) as refused:
        parse(b"a" * (manifest.MAX_BYTES + 1), folder)
    assert refused.value.code == "too_large"


def test_too_many_rows_and_too_long_cells_are_refused(folder, monkeypatch):
    monkeypatch.setattr(manifest, "MAX_ROWS", 3)
    data = (HEADER + "".join(f"TL-{n},A,bao-cao,,b.pdf\n" for n in range(4))).encode()
    with pytest.raises(ManifestError) as refused:
        parse(data, folder)
    assert refused.value.code == "too_many_rows"
    long_cell = (HEADER + "TL-1," + "x" * (manifest.MAX_FIELD + 1) + ",bao-cao,,b.pdf\n").encode()
    with pytest.raises(ManifestError) as refused:
        parse(long_cell, folder)
    assert refused.value.code == "bad_csv"


def test_a_hostile_header_is_refused_in_linear_time(folder):
    import time

    started = time.perf_counter()
    with pytest.raises(ManifestError) as refused:
        parse(("identifier,collection,files," + "title," * 500_000 + "\n").encode(), folder)
    assert refused.value.code == "repeated_columns"
    assert time.perf_counter() - started < 30  # quadratic would take hours


def test_too_many_files_in_a_row_is_the_rows_problem(folder):
    files, found = manifest.resolve_files(";".join(["b.pdf"] * (manifest.MAX_FILES + 1)), folder)
    assert files == [] and found[0].values == {"limit": manifest.MAX_FILES}


# --- hostile input: never anything but rows or a ManifestError ----------------------------------

HEADS = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                         HEADER.encode(), b"identifier;title;collection;files\r\n", b"\"", b"PK"])
CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["../secret.pdf", "b.pdf", "/etc/passwd", "quet", "TL-1", "\"", "a;b", "..", ".", "~"])


@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(head=HEADS, body=st.binary(max_size=3000))
def test_random_bytes_give_rows_or_a_refusal_never_a_crash(folder, head, body):
    try:
        read = parse(head + body, folder)
    except ManifestError as error:
        assert error.code and error.message
        return
    for row in read.rows:
        assert all(folder in path.parents for path in row.files)


@settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=6), max_size=8),
       delimiter=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_random_cells_give_rows_or_a_refusal_never_a_file_outside(folder, rows, delimiter,
                                                                  encoding):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["identifier", "title", "collection", "files"])
    writer.writerows(rows)
    try:
        read = parse(out.getvalue().encode(encoding), folder)
    except ManifestError as error:
        assert error.code in {"duplicate_identifiers", "not_text", "bad_csv"}
        return
    for row in read.rows:
        assert all(folder in path.parents and path.is_file() for path in row.files)
        assert row.problems or (row.identifier and row.files)
