"""The demo library (`envhub demo`): a dozen sample documents of every kind, the same bytes on
every run, imported once, restricted where they say so, their text extracted after the load,
and a scan that OCR can read."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import types

import pytest
from pypdf import PdfReader

from envhub.accounts.models import AuditEvent, Role, User
from envhub.core.permissions import actor_for_user, system_actor
from envhub.demo import accounts as demo_accounts
from envhub.demo import country
from envhub.demo import library as demo_library
from envhub.demo.management.commands.demo import Command as DemoCommand
from envhub.library import formats, samples
from envhub.library.models import AccessLevel, Document, DocumentType
from envhub.library.policy import document_condition

ACTOR = system_actor("tests")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("samples")
    return folder, samples.write_samples(folder, (7,))


@pytest.fixture
def extraction(monkeypatch):
    """Records the demo's call to the text extraction (`library/extraction.py`, the worker's
    part): the demo asks for it once the samples are in."""
    calls = []
    module = types.ModuleType("envhub.library.extraction")
    module.process_pending = lambda limit: calls.append(
        (limit, sorted(Document.objects.filter(text_state="pending")
                       .values_list("identifier", flat=True))))
    monkeypatch.setitem(sys.modules, "envhub.library.extraction", module)
    import envhub.library
    monkeypatch.setattr(envhub.library, "extraction", module, raising=False)
    return calls


def test_the_samples_are_a_dozen_documents_of_every_kind(written):
    folder, rows = written
    assert len(rows) == len(samples.IDENTIFIERS) == 12
    kinds = {}
    for row in rows:
        path = folder / row["files"]
        kinds[row["identifier"]] = formats.media_type(path.read_bytes()[:8192], path.name)
    assert sorted(set(kinds.values())) == sorted(
        {formats.PDF, formats.DOCX, formats.XLSX, formats.TEXT})
    assert list(kinds.values()).count(formats.PDF) == 9
    assert {row["type"] for row in rows} >= {DocumentType.LEGAL, DocumentType.SCANNED_ARCHIVE,
                                             DocumentType.EIA, DocumentType.MONITORING_REPORT}
    restricted = [row for row in rows if row["access_level"] == AccessLevel.RESTRICTED]
    assert [row["allowed_organisations"] for row in restricted] == ["7"]


def test_the_same_bytes_on_every_run(written, tmp_path):
    folder, rows = written
    samples.write_samples(tmp_path, (7,))
    for row in rows:
        assert (tmp_path / row["files"]).read_bytes() == (folder / row["files"]).read_bytes(), \
            row["files"]


def test_the_text_pdfs_have_their_text_and_the_scan_has_none(written):
    folder, _rows = written
    law = PdfReader(folder / "luat-bao-ve-moi-truong-2020.pdf")
    assert "Luật Bảo vệ môi trường" in law.pages[0].extract_text()
    scan = PdfReader(folder / samples.SCANNED.file)
    assert len(scan.pages) == 1
    assert scan.pages[0].extract_text().strip() == ""


@pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                    reason="Tesseract and poppler are installed by `make system-deps`")
def test_ocr_reads_the_vietnamese_of_the_scan(written, tmp_path):
    folder, _rows = written
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(folder / samples.SCANNED.file),
                    str(tmp_path / "page")], check=True)
    text = subprocess.run(["tesseract", str(tmp_path / "page-1.png"), "-", "-l", "vie+eng"],
                          capture_output=True, check=True, text=True).stdout
    assert "ô nhiễm nghiêm trọng sông Đồng Nai" in text
    assert "quan trắc" in text


@pytest.mark.django_db
def test_the_demo_library_is_imported_once_and_its_text_extracted(
        reference, library_folder, extraction, var_dir_for_accounts):
    country.build_country(ACTOR, seed=country.DEFAULT_SEED)
    report = demo_library.ensure_library(ACTOR)
    assert (report.imported, report.already, report.failures) == (12, 0, [])
    assert report.extraction == "done"
    assert extraction == [(demo_library.EXTRACTION_LIMIT, sorted(samples.IDENTIFIERS))]
    documents = Document.objects.filter(collection__code=samples.COLLECTION)
    assert documents.count() == 12
    scan = documents.get(identifier=samples.SCANNED.identifier)
    assert (scan.type, scan.access_level, scan.issued_on.year) == (
        DocumentType.SCANNED_ARCHIVE, AccessLevel.INTERNAL, 1998)
    assert list(scan.provinces.values_list("code", flat=True)) == ["75"]
    assert documents.filter(dossier__code=samples.DOSSIER).count() == 2

    # The restricted EIA report: Hà Nội's officer reads it, the librarian too, others not.
    accounts = {a.role: a for a in demo_accounts.ensure_accounts(ACTOR)}
    eia = documents.get(access_level=AccessLevel.RESTRICTED)

    def reads(role: str) -> bool:
        actor = actor_for_user(User.objects.get(username=accounts[role].username))
        condition = document_condition(actor)
        return condition is None or Document.objects.filter(condition, pk=eia.pk).exists()

    assert reads(Role.PROVINCIAL_OFFICER) and reads(Role.LIBRARIAN)
    assert not reads(Role.LEADER) and not reads(Role.FACILITY_OPERATOR)

    events = AuditEvent.objects.count()
    again = demo_library.ensure_library(ACTOR)
    assert (again.imported, again.already) == (0, 12)
    assert AuditEvent.objects.count() == events
    out = io.StringIO()
    DemoCommand(stdout=out).load_library(ACTOR)
    assert (f"Library: collection '{samples.COLLECTION}' with 0 documents imported, 12 already "
            "there") in out.getvalue()
    assert "text: done (12 pending)" in out.getvalue()
    assert Document.objects.filter(collection__code=samples.COLLECTION).count() == 12


@pytest.fixture
def var_dir_for_accounts(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_manifest_it_writes_is_read_back(written, tmp_path):
    from envhub.library import manifest

    folder, rows = written
    path = samples.write_manifest(tmp_path / "danh-muc.csv", rows)
    read = manifest.parse(path.read_bytes(), folder)
    assert [row.identifier for row in read.rows] == list(samples.IDENTIFIERS)
    assert not any(row.problems for row in read.rows)
    assert io.BytesIO(path.read_bytes()).read(3) == b"\xef\xbb\xbf"
