"""`envhub library sweep`: the bytes a killed upload or import left in the library's storage —
files no row names, previews of bytes no file has any more, temporary uploads — older than the
grace period, listed (dry run) or deleted (`--delete`, audited); the library's own files, files
being stored now and names the library does not write are never touched; `envhub check`
counts them. On a folder here, on S3 in test_s3.py."""

from __future__ import annotations

import datetime
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from envhub.core import audit
from envhub.core.health import database_checks
from envhub.library import storage, sweep
from tests.library.sample_files import add_versions
from tests.said import Said

pytestmark = pytest.mark.django_db

DAY = 24 * 3600


def _age(name: str, seconds: float) -> None:
    path = storage.library_storage().path(name)
    then = time.time() - seconds
    os.utime(path, (then, then))


def _store(name: str, content: bytes = b"x" * 100, age: float = 2 * DAY) -> str:
    saved = storage.library_storage().save(name, ContentFile(content))
    _age(saved, age)
    return saved


@pytest.fixture
def left(world, shelf, tmp_path, monkeypatch):
    """The shelf's files (kept), and what interrupted runs left behind; the upload folder the
    test's own (the one under ENVHUB_VAR_DIR is shared by the test workers)."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setattr(storage, "upload_folder", lambda: uploads)
    files = add_versions(world.actor("librarian"), shelf.public)
    kept = files[0]
    for file in files:
        _age(file.storage_name, 3 * DAY)
    names = {
        "orphan": _store("documents/2026/11/" + "a" * 32, b"%PDF-" + b"0" * 995),
        "fresh": _store("documents/2026/12/" + "b" * 32, age=60),  # being stored now
        "preview_kept": _store(f"previews/{kept.sha256}-1000.png"),
        "preview_orphan": _store(f"previews/{'c' * 64}-1000.png"),
        "foreign": _store("khac/ghi-chu.txt"),  # not a name the library writes
    }
    upload = storage.upload_folder() / "tmpabc.upload"
    upload.write_bytes(b"y" * 50)
    os.utime(upload, (time.time() - 2 * DAY,) * 2)
    return {"files": files, "names": names, "upload": upload}


def _run(*args) -> str:
    out = io.StringIO()
    call_command("library", "sweep", *args, stdout=out)
    return out.getvalue()


def test_it_finds_exactly_the_orphans_older_than_the_grace_period(left):
    found = {(o.where, o.name) for o in sweep.orphans()}
    assert found == {("storage", left["names"]["orphan"]),
                     ("storage", left["names"]["preview_orphan"]), ("uploads", "tmpabc.upload")}
    assert {o.name for o in sweep.orphans(datetime.timedelta(seconds=1))} >= {
        left["names"]["fresh"]}
    assert not list(sweep.orphans(datetime.timedelta(days=30)))


def test_a_dry_run_lists_them_and_deletes_nothing(left):
    out = _run()
    assert left["names"]["orphan"] in out and "tmpabc.upload" in out
    assert "3 tệp mồ côi" in out and "--delete" in out
    store = storage.library_storage()
    assert all(store.exists(name) for name in left["names"].values())
    assert left["upload"].exists()
    assert not audit.events().filter(action=sweep.SWEEP).exists()


def test_delete_removes_the_orphans_only_and_is_audited(left):
    out = _run("--delete")
    assert "Đã xoá 3 tệp mồ côi" in out
    store = storage.library_storage()
    names = left["names"]
    assert not store.exists(names["orphan"]) and not store.exists(names["preview_orphan"])
    assert not left["upload"].exists()
    for kept in ("fresh", "preview_kept", "foreign"):
        assert store.exists(names[kept]), kept
    for file in left["files"]:
        assert store.exists(file.storage_name)
    event = audit.events().get(action=sweep.SWEEP)
    assert event.changes == {"files": 3, "bytes": 1000 + 100 + 50}
    assert "Không có tệp mồ côi" in _run("--delete")


def test_a_name_a_row_took_meanwhile_is_kept(left, world, shelf):
    found = list(sweep.orphans())
    orphan = next(o for o in found if o.name == left["names"]["orphan"])
    file = left["files"][0]
    file.pk = None
    file.version = 99
    file.storage_name = orphan.name
    file.save()  # committed between the listing and the deletion
    files, _size = sweep.delete(world.actor("admin"), found)
    assert files == 2 and storage.library_storage().exists(orphan.name)


def test_the_grace_period_is_an_option(left):
    out = _run("--older-than", "0.01")
    assert left["names"]["fresh"] in out
    with pytest.raises(Exception, match="âm"):
        _run("--older-than", "-1")


def _check() -> list:
    said = Said()
    for check in database_checks():
        if check.__name__ == "library_orphans":
            check(said)
    return said


def test_envhub_check_counts_the_orphans(left):
    (level, message), = _check()
    assert level == "warn" and "3 files" in message and "envhub library sweep --delete" in message
    _run("--delete")
    assert _check() == [("ok", "library storage: no orphan files")]
