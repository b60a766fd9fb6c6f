"""`envhub ingest PATH...`: a backfill from folders and zip archives, end to end."""

from __future__ import annotations

import datetime
import io
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone, translation

from envhub.monitoring import storage
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import Batch, BatchStatus, Channel, HourlyRollup, Observation
from envhub.monitoring.receivers import folder as folder_receiver

pytestmark = pytest.mark.django_db

STACK_VALUES = [("SO2", 120.5, "mg/Nm3"), ("NOx", 310.0, "mg/Nm3"), ("O2", 6.2, "%"),
                ("Temp", 140.0, "°C")]


# --- helpers ----------------------------------------------------------------------------------

def local_time(steps_ago: int) -> datetime.datetime:
    """Naive Viet Nam time, on the 5-minute grid, `steps_ago` steps of 5 minutes ago."""
    now = timezone.now().astimezone(tt10.VN_TZ).replace(tzinfo=None, second=0, microsecond=0)
    now -= datetime.timedelta(minutes=now.minute % 5)
    return now - datetime.timedelta(minutes=5 * steps_ago)


class Files:
    """TT10 files for one station, each at its own time, and what they hold."""

    def __init__(self, station):
        self.station = station
        self.count = 0

    def next(self) -> tuple[str, bytes]:
        self.count += 1
        at = local_time(self.count)
        province, facility, code = self.station.tt10_prefix.rstrip("_").split("_")
        name = tt10.format_filename(province, facility, code, at)
        content = tt10.format_file(tt10.Reading.of(symbol, value, unit, at)
                                   for symbol, value, unit in STACK_VALUES)
        return name, content

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        name, content = self.next()
        (folder / name).write_bytes(content)
        return folder / name

    @property
    def lines(self) -> int:
        return self.count * len(STACK_VALUES)


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command("ingest", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def observations(station) -> int:
    return Observation.objects.filter(series__station=station).count()


@pytest.fixture
def files(world) -> Files:
    return Files(world.station_stack_hn)


@pytest.fixture
def tree(tmp_path, files) -> Path:
    """Files at two depths, a zip at the top and a zip in a sub-folder, and things to skip."""
    root = tmp_path / "backfill"
    files.write(root)
    files.write(root / "HNKT1" / "2026" / "05")
    files.write(root / "HNKT1" / "2026" / "06")
    (root / "README.md").write_text("not data")
    name, content = files.next()
    write_zip(root / "older.zip", [files.next(), (f"2025/01/{name}", content),
                                   ("notes.pdf", b"%PDF-1.4"), ("2025/", b"")])
    write_zip(root / "HNKT1" / "archive" / "april.zip", [files.next(), files.next()])
    return root


# --- tests ------------------------------------------------------------------------------------

def test_it_ingests_a_tree_with_zip_archives_then_computes_the_rollups(world, files, tree):
    out, err = run(tree)

    assert observations(world.station_stack_hn) == files.lines == 7 * len(STACK_VALUES)
    batches = Batch.objects.filter(station=world.station_stack_hn)
    assert batches.count() == 7
    assert set(batches.values_list("channel", flat=True)) == {Channel.FOLDER}
    assert set(batches.values_list("status", flat=True)) == {BatchStatus.ACCEPTED}
    assert "Files read: 7" in out
    assert f"Values accepted: {files.lines};" in out
    assert "not a .txt file: 2, folder: 1" in out  # README.md, notes.pdf; 2025/
    assert "files/s" in err and "values/s" in err
    assert "Rollups:" in out
    assert HourlyRollup.objects.filter(series__station=world.station_stack_hn).exists()


def test_running_it_again_adds_nothing_and_says_the_files_were_duplicates(world, files, tree):
    run(tree)
    before = observations(world.station_stack_hn)
    out, _err = run(tree)

    assert observations(world.station_stack_hn) == before == files.lines
    assert "duplicate files (already received, nothing added): 7" in out
    assert "Nothing new: every file had already been received." in out


def test_it_refuses_zip_bombs_without_using_much_memory(world, files, tmp_path, settings):
    good_name, good = files.next()
    bomb_name = files.next()[0]
    # An honest 50 MB of zeros: declared over the size limit, so never unpacked.
    honest = tmp_path / "honest.zip"
    with zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(bomb_name, "w") as member:
            for _ in range(50):
                member.write(bytes(1_000_000))
        archive.writestr(good_name, good)
    # The same member with headers that claim 100 bytes.
    lying = tmp_path / "lying.zip"
    data = bytearray(honest.read_bytes())
    struct.pack_into("<I", data, 22, 100)  # the first local header's uncompressed size
    end = data.rfind(b"PK\x05\x06")
    directory = struct.unpack_from("<I", data, end + 16)[0]
    struct.pack_into("<I", data, directory + 24, 100)  # and the central directory's
    lying.write_bytes(data)

    tracemalloc.start()
    try:
        out, _err = run(honest, lying)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 16_000_000, peak
    assert observations(world.station_stack_hn) == len(STACK_VALUES)  # the good file, once
    too_large = Batch.objects.get(status=BatchStatus.REJECTED)
    assert [reject["code"] for reject in too_large.rejects] == ["too_large"]
    assert f"lying.zip!{bomb_name}: cannot be read from the archive" in out
    assert "too_large: 1" in out
    batches = Batch.objects.count()  # the good file, its duplicate in lying.zip, the refusal

    # With a higher size limit, a member that would grow a thousand times is refused by ratio.
    settings.ENVHUB_MAX_FILE_BYTES = 20_000_000
    ratio = tmp_path / "ratio.zip"
    write_zip(ratio, [(files.next()[0], bytes(5_000_000))])
    out, _err = run(ratio)
    assert "a zip bomb?" in out
    assert Batch.objects.count() == batches


def test_member_paths_are_ignored_and_nothing_is_written_to_disk(world, files, tmp_path):
    name, content = files.next()
    archive = write_zip(tmp_path / "in" / "traversal.zip", [
        (f"../../{name}", content),
        ("../../../evil.txt", b"SO2\t1\tmg/Nm3\t20260101000000\t00\n"),
        ("/etc/cron.d/x.txt", b"junk"),
    ])
    before = sorted(tmp_path.parent.rglob("*"))
    cwd_before = sorted(os.listdir(os.getcwd()))
    cron_before = Path("/etc/cron.d/x.txt").exists()

    out, _err = run(archive)

    # The TT10 member is ingested by its base name (the station is in the name) ...
    batch = Batch.objects.get(file_name=name)
    assert batch.status == BatchStatus.ACCEPTED
    assert observations(world.station_stack_hn) == len(STACK_VALUES)
    # ... the others are bad file names, reported, and nothing was extracted anywhere.
    refused = Batch.objects.exclude(file_name=name).order_by("file_name")
    assert [(b.file_name, b.status) for b in refused] == [
        ("evil.txt", BatchStatus.REJECTED), ("x.txt", BatchStatus.REJECTED)]
    assert "wrong_part_count: 2" in out
    # Nothing new beside this test's folder (other tests' files may have gone meanwhile: a
    # finished test's SQLite leaves its -shm when its last connection closes), nor where
    # the members' paths lead, nor in the working directory.
    assert set(tmp_path.parent.rglob("*")) - set(before) == set()
    assert not (tmp_path.parent / name).exists()
    assert not (tmp_path.parent.parent / "evil.txt").exists()
    assert Path("/etc/cron.d/x.txt").exists() == cron_before
    assert not any(path not in cwd_before for path in os.listdir(os.getcwd()))


def test_a_corrupt_zip_or_unreadable_file_is_reported_and_the_rest_ingested(
        world, files, tmp_path, monkeypatch):
    root = tmp_path / "mixed"
    files.write(root)
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    whole = write_zip(tmp_path / "whole.zip", [files.next(), files.next()])
    (root / "truncated.zip").write_bytes(whole.read_bytes()[:-30])
    locked = files.write(root / "locked")
    real_open = open

    def refusing_open(path, *args, **kwargs):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    # The tests run as root, which chmod cannot stop from reading.
    monkeypatch.setattr(folder_receiver, "open", refusing_open, raising=False)
    out, _err = run(root)

    assert observations(world.station_stack_hn) == len(STACK_VALUES)
    assert "Problems: 3" in out
    assert f"{root / 'broken.zip'}: not a readable zip archive" in out
    assert f"{root / 'truncated.zip'}: not a readable zip archive" in out
    assert f"{locked}: cannot be read (Permission denied)" in out


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_keeps_whole_chunks_and_a_rerun_completes_it(world, files,
                                                                        tmp_path, monkeypatch):
    root = tmp_path / "seven"
    for _ in range(7):
        files.write(root)
    real_queue = storage.queue_rollups
    chunks_written = []

    def interrupted_in_the_second_chunk(*args, **kwargs):
        chunks_written.append(args)
        if len(chunks_written) == 2:
            raise KeyboardInterrupt  # as Ctrl-C would, inside the chunk's transaction
        return real_queue(*args, **kwargs)

    monkeypatch.setattr(storage, "queue_rollups", interrupted_in_the_second_chunk)
    with pytest.raises(SystemExit) as stopped:
        run(root, "--chunk", "3")
    assert stopped.value.code == 130
    assert Batch.objects.count() == 3
    assert observations(world.station_stack_hn) == 3 * len(STACK_VALUES)

    monkeypatch.setattr(storage, "queue_rollups", real_queue)
    out, _err = run(root, "--chunk", "3")
    assert observations(world.station_stack_hn) == files.lines == 7 * len(STACK_VALUES)
    assert "ingested: 4;" in out
    assert "duplicate files (already received, nothing added): 3" in out


def test_an_interrupted_run_says_what_was_done(world, files, tmp_path, monkeypatch):
    root = tmp_path / "two"
    files.write(root)
    files.write(root)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(storage, "queue_rollups", interrupt)
    out = io.StringIO()
    with translation.override("en"), pytest.raises(SystemExit):
        call_command("ingest", str(root), "--chunk", "1", stdout=out, stderr=io.StringIO())
    assert "Files read: 0" in out.getvalue()
    assert "Interrupted:" in out.getvalue()


def test_it_stops_when_the_database_keeps_failing(world, files, tmp_path, monkeypatch):
    root = tmp_path / "down"
    for _ in range(5):
        files.write(root)

    def broken(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(storage, "insert_observations", broken)
    out = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="keeps failing"):
        call_command("ingest", str(root), "--chunk", "2", stdout=out, stderr=io.StringIO())
    assert Batch.objects.count() == 0
    assert "could not be stored (database error)" in out.getvalue()
    assert "Files read: 0" in out.getvalue()
