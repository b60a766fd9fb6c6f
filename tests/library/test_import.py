"""`envhub library import FOLDER --manifest CSV`: good rows imported, bad rows reported with why
(in Vietnamese), and a run interrupted then resumed adds nothing twice."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from envhub.accounts.models import AuditEvent
from envhub.core.permissions import system_actor
from envhub.library import importer, intake
from envhub.library.management.commands import library as command
from envhub.library.models import Document, DocumentFile
from tests.library.sample_files import one_page_pdf

pytestmark = pytest.mark.django_db

HEADER = ["identifier", "title", "collection", "issued_on", "access_level", "provinces",
          "subjects", "retention", "files"]


def pdf(text: str) -> bytes:
    """A real one-page PDF (the intake reads every PDF it takes), its bytes told by `text`."""
    return one_page_pdf(text)


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "kho-luu-tru"
    (folder / "2022").mkdir(parents=True)
    for number in range(1, 6):
        (folder / "2022" / f"bao-cao-{number}.pdf").write_bytes(pdf(f"Báo cáo {number}"))
    (folder / "2022" / "phu-luc-1.pdf").write_bytes(pdf("Phụ lục 1"))
    (folder / "gia-mao.pdf").write_bytes(b"MZ\x90\x00 not a pdf at all")
    (tmp_path / "ngoai.pdf").write_bytes(pdf("outside"))
    return folder


def write_manifest(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def good_rows(count=5):
    return [[f"KL-{n}", f"Báo cáo quan trắc số {n}", "bao-cao", f"0{n}/03/2022", "public", "01",
             "không khí; nước mặt", "10", f"2022/bao-cao-{n}.pdf"] for n in range(1, count + 1)]


def run(folder, manifest, *extra):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("library", "import", str(folder), "--manifest", str(manifest), *extra,
                     stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


def report_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def stored_files(folder) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def test_it_imports_the_good_rows_and_reports_the_bad_ones_with_why(
        shelf, archive, tmp_path, library_folder):
    rows = good_rows(3)
    rows[0][-1] = "2022/bao-cao-1.pdf; 2022/phu-luc-1.pdf"  # two versions
    rows += [
        ["KL-4", "Ngày sai", "bao-cao", "31/02/2022", "public", "", "", "", "2022/bao-cao-4.pdf"],
        ["KL-5", "Phông lạ", "khong-co", "", "public", "", "", "", "2022/bao-cao-5.pdf"],
        ["KL-6", "Tệp thiếu", "bao-cao", "", "public", "", "", "", "2022/khong-co.pdf"],
        ["KL-7", "Ngoài thư mục", "bao-cao", "", "public", "", "", "", "../ngoai.pdf"],
        ["KL-8", "Giả PDF", "bao-cao", "", "public", "", "", "", "gia-mao.pdf"],
        ["KL-9", "Tỉnh lạ", "bao-cao", "", "public", "99", "", "", "2022/bao-cao-5.pdf"],
    ]
    manifest = write_manifest(tmp_path / "danh-muc.csv", rows)
    status, out, err = run(archive, manifest)

    assert status == 1
    imported = Document.objects.exclude(pk__in=[shelf.public.pk, shelf.internal.pk,
                                                shelf.restricted.pk])
    assert sorted(imported.values_list("identifier", flat=True)) == ["KL-1", "KL-2", "KL-3"]
    first = Document.objects.get(identifier="KL-1")
    assert first.title == "Báo cáo quan trắc số 1"
    assert str(first.issued_on) == "2022-03-01" and first.year == 2022
    assert first.subjects == ["không khí", "nước mặt"] and first.retention_years == 10
    assert list(first.provinces.values_list("code", flat=True)) == ["01"]
    assert list(first.files.order_by("version").values_list("name", "version")) == [
        ("bao-cao-1.pdf", 1), ("phu-luc-1.pdf", 2)]
    # Nothing of a failed row is kept, neither rows nor bytes.
    assert stored_files(library_folder) == DocumentFile.objects.count() == 4

    report = report_rows(tmp_path / "danh-muc.report.csv")
    by_line = {(row["dòng"], row["cột"]): row["lý do"] for row in report}
    assert set(by_line) == {("5", "issued_on"), ("6", "collection"), ("7", "files"),
                            ("8", "files"), ("9", "files"), ("10", "provinces")}
    assert "dd/mm/yyyy" in by_line[("5", "issued_on")]
    assert "khong-co" in by_line[("6", "collection")]
    assert "không có trong thư mục" in by_line[("7", "files")]
    assert "ngoài thư mục" in by_line[("8", "files")]
    assert "PDF" in by_line[("9", "files")]
    assert [row["định danh"] for row in report if row["dòng"] == "5"] == ["KL-4"]
    assert "Đã nhập 3 tài liệu" in out and "6 dòng lỗi" in out
    assert "danh-muc.report.csv" in out


def test_an_interrupted_run_resumed_adds_nothing_twice(shelf, archive, tmp_path,
                                                       library_folder):
    manifest = write_manifest(tmp_path / "danh-muc.csv", good_rows(5))
    plan = importer.read_manifest(manifest, archive)
    done = []
    first = importer.run(system_actor("tests"), archive, plan,
                         on_row=lambda outcome: done.append(outcome.done),
                         should_stop=lambda: len(done) >= 2)
    assert first.stopped and first.imported == 2

    status, out, _err = run(archive, manifest)
    assert status == 0
    assert "Đã nhập 3 tài liệu" in out and "2 tài liệu đã có" in out
    events = AuditEvent.objects.count()
    status, out, _err = run(archive, manifest)
    assert status == 0 and "Đã nhập 0 tài liệu" in out and "5 tài liệu đã có" in out
    assert Document.objects.filter(identifier__startswith="KL-").count() == 5
    assert DocumentFile.objects.count() == stored_files(library_folder) == 5
    assert AuditEvent.objects.count() == events  # a run that adds nothing writes nothing


def test_a_crash_inside_a_document_keeps_the_ones_before_and_nothing_of_it(
        shelf, archive, tmp_path, library_folder, monkeypatch):
    rows = good_rows(4)
    rows[2][-1] = "2022/bao-cao-3.pdf;2022/phu-luc-1.pdf"
    manifest = write_manifest(tmp_path / "danh-muc.csv", rows)
    real = intake._add_original
    calls = []

    def crash_on_the_third(actor, document, *file):
        # KL-3's first file is stored, then the process is interrupted before its second.
        calls.append(document.identifier)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(actor, document, *file)

    monkeypatch.setattr(intake, "_add_original", crash_on_the_third)
    status, out, _err = run(archive, manifest)
    assert status == 130 and "chạy lại" in out.lower()
    assert sorted(Document.objects.filter(identifier__startswith="KL-")
                  .values_list("identifier", flat=True)) == ["KL-1", "KL-2"]
    assert stored_files(library_folder) == 2

    monkeypatch.setattr(intake, "_add_original", real)
    status, out, _err = run(archive, manifest)
    assert status == 0 and "Đã nhập 2 tài liệu" in out
    assert Document.objects.filter(identifier__startswith="KL-").count() == 4
    assert stored_files(library_folder) == DocumentFile.objects.count() == 5


def test_the_same_identifier_with_other_files_is_not_taken_for_the_same_row(
        shelf, archive, tmp_path):
    manifest = write_manifest(tmp_path / "danh-muc.csv", good_rows(1))
    assert run(archive, manifest)[0] == 0
    (archive / "2022" / "bao-cao-1.pdf").write_bytes(pdf("một bản khác"))
    status, out, _err = run(archive, manifest)
    assert status == 1
    assert "đã có tài liệu “KL-1” với các tệp khác" in out
    assert Document.objects.get(identifier="KL-1").files.count() == 1


def test_a_manifest_with_duplicate_identifiers_is_refused_and_nothing_imported(
        shelf, archive, tmp_path):
    rows = good_rows(3)
    rows[2][0] = "KL-1"
    manifest = write_manifest(tmp_path / "danh-muc.csv", rows)
    status, _out, err = run(archive, manifest)
    assert status == 2
    assert "không nhập gì" in err and "KL-1 (2); KL-1 (4)" in err
    assert not Document.objects.filter(identifier__startswith="KL-").exists()
    assert [row["dòng"] for row in report_rows(tmp_path / "danh-muc.report.csv")] == ["2", "4"]


def test_a_manifest_without_its_columns_is_refused(shelf, archive, tmp_path):
    manifest = write_manifest(tmp_path / "danh-muc.csv", [["KL-1", "A", "x.pdf"]],
                              header=["identifier", "title", "files"])
    status, _out, err = run(archive, manifest)
    assert status == 2 and "collection" in err
    status, _out, err = run(tmp_path / "khong-co", manifest)
    assert status == 2 and "không tồn tại" in err


def test_check_mode_checks_every_row_and_imports_nothing(shelf, archive, tmp_path):
    rows = good_rows(2) + [["KL-9", "Ngày sai", "bao-cao", "2022-13-01", "", "", "", "",
                            "2022/bao-cao-3.pdf"]]
    manifest = write_manifest(tmp_path / "danh-muc.csv", rows)
    status, out, _err = run(archive, manifest, "--check")
    assert status == 1 and "2 dòng nhập được" in out and "1 dòng có lỗi" in out
    assert not Document.objects.filter(identifier__startswith="KL-").exists()


def test_only_the_librarys_keepers_may_import(world, shelf, archive, tmp_path):
    manifest = write_manifest(tmp_path / "danh-muc.csv", good_rows(1))
    with pytest.raises(CommandError):
        run(archive, manifest, "--user", "officer")
    assert run(archive, manifest, "--user", "librarian")[0] == 0
    assert Document.objects.get(identifier="KL-1").created_by == world.users["librarian"]


def test_without_a_terminal_progress_is_plain_lines(shelf, archive, tmp_path, monkeypatch):
    monkeypatch.setattr(command, "PLAIN_EVERY_SECONDS", 0)
    manifest = write_manifest(tmp_path / "danh-muc.csv", good_rows(3))
    _status, _out, err = run(archive, manifest)
    lines = [line for line in err.splitlines() if "/3 dòng" in line]
    assert lines[-1] == "3/3 dòng: 3 đã nhập, 0 đã có, 0 lỗi"
    assert "\r" not in err


def test_a_row_whose_second_file_is_refused_leaves_no_bytes_of_the_first(
        shelf, archive, tmp_path, library_folder):
    rows = good_rows(1)
    rows[0][-1] = "2022/bao-cao-1.pdf;gia-mao.pdf"
    manifest = write_manifest(tmp_path / "danh-muc.csv", rows)
    status, out, _err = run(archive, manifest)
    assert status == 1 and "gia-mao.pdf" in out
    assert not Document.objects.filter(identifier="KL-1").exists()
    assert stored_files(library_folder) == 0


def read_all_waiting(master):
    """All a pseudo-terminal holds: one read gives only the line discipline's
    first chunk, which on a busy machine may be the bar's first frame alone."""
    import os
    import select

    chunks = []
    while select.select([master], [], [], 0.5)[0]:
        chunk = os.read(master, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_on_a_terminal_progress_is_a_bar(shelf, archive, tmp_path):
    import fcntl
    import os
    import pty
    import struct
    import termios

    manifest = write_manifest(tmp_path / "danh-muc.csv", good_rows(3))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    try:
        call_command("library", "import", str(archive), "--manifest", str(manifest),
                     stdout=io.StringIO(), stderr=terminal)
        terminal.flush()
        shown = read_all_waiting(master).decode()
    finally:
        terminal.close()
        os.close(master)
    assert "100%" in shown and "3/3" in shown and "tài liệu" in shown and "\r" in shown
