"""The FTP receiver end to end: a real FTP server (the one `envhub ftp` runs) in a thread of the
test process, and Python's `ftplib` as the datalogger.

The tests are transactional: the server's threads use their own database connections and must
see the world the test created (tests/conftest.py explains the audit log triggers). The test
reads the database only while no upload is being handled, to leave SQLite's shared in-memory
test database to one writer at a time.
"""

from __future__ import annotations

import datetime
import ftplib
import io
import os
import threading
import time
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.utils import timezone

from envhub.accounts import services as accounts
from envhub.accounts.models import AuditEvent
from envhub.core import config
from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, jobs
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import Batch, BatchStatus, Channel, Observation
from envhub.monitoring.receivers import ftp

transactional = pytest.mark.django_db(transaction=True)

STACK_VALUES = [("SO2", 120.5, "mg/Nm3"), ("NOx", 310.0, "mg/Nm3"), ("O2", 6.2, "%"),
                ("Temp", 140.0, "°C")]


# --- helpers ----------------------------------------------------------------------------------

def local_hour(hours_ago: int) -> datetime.datetime:
    """A whole hour some hours ago, as naive Viet Nam time (how dataloggers write it)."""
    now = timezone.now().astimezone(tt10.VN_TZ).replace(tzinfo=None)
    return now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=hours_ago)


def tt10_upload(station, at: datetime.datetime, values=STACK_VALUES) -> tuple[str, bytes]:
    province, facility, code = station.tt10_prefix.rstrip("_").split("_")
    name = tt10.format_filename(province, facility, code, at)
    content = tt10.format_file(tt10.Reading.of(symbol, value, unit, at)
                               for symbol, value, unit in values)
    return name, content


def stored(station) -> list[tuple[str, datetime.datetime, float]]:
    return sorted(
        (row.series.parameter.code, row.time, row.value)
        for row in Observation.objects.filter(series__station=station)
        .select_related("series__parameter")
    )


def sent(at: datetime.datetime, values=STACK_VALUES) -> list[tuple[str, datetime.datetime, float]]:
    utc = at.replace(tzinfo=tt10.VN_TZ).astimezone(datetime.timezone.utc)
    return sorted((symbol, utc, value) for symbol, value, _unit in values)


def upload(client: ftplib.FTP, name: str, content: bytes) -> str:
    return client.storbinary(f"STOR {name}", io.BytesIO(content))


def wait_until_handled(home: Path, timeout: float = 20) -> None:
    """Until no upload in the facility's folder is still being written or ingested."""
    deadline = time.monotonic() + timeout
    while any(ftp.is_partial(path.name) for path in home.rglob("*")):
        assert time.monotonic() < deadline, "the upload was not handled in time"
        time.sleep(0.05)


def files_in(home: Path) -> list[str]:
    return sorted(str(path.relative_to(home)) for path in home.rglob("*") if path.is_file())


@pytest.fixture
def ftp_root(tmp_path, settings):
    root = tmp_path / "ftp"
    settings.ENVHUB_FTP_ROOT = root
    return root


@pytest.fixture
def server(world, ftp_root, monkeypatch):
    """The receiver on a free port of 127.0.0.1, served from a background thread."""
    # pyftpdlib waits 3 s before answering a failed login; the tests need not.
    monkeypatch.setattr(ftp.FacilityFTPHandler, "auth_failed_timeout", 0.05)
    receiver = ftp.make_server("127.0.0.1:0", ftp_root)
    stop = threading.Event()
    thread = threading.Thread(target=ftp.serve, args=(receiver, stop), daemon=True)
    thread.start()
    yield receiver
    stop.set()
    thread.join(timeout=15)
    assert not thread.is_alive()


@pytest.fixture
def token(world):
    return accounts.create_token(system_actor("tests"), name="datalogger",
                                 facility=world.facility_hn).plain


def connect(server, user: str, password: str) -> ftplib.FTP:
    host, port = server.address
    client = ftplib.FTP()
    client.connect(host, port, timeout=10)
    client.login(user, password)
    return client


@pytest.fixture
def client(server, world, token):
    session = connect(server, world.facility_hn.tax_code, token)
    yield session
    try:
        session.quit()
    except (OSError, EOFError, ftplib.Error):
        session.close()


@pytest.fixture
def home(ftp_root, world) -> Path:
    return ftp_root / world.facility_hn.tax_code


# --- tests ------------------------------------------------------------------------------------

@transactional
def test_it_ingests_each_upload_as_the_facility_and_deletes_it(world, client, home):
    station = world.station_stack_hn
    hours = [local_hour(5), local_hour(4), local_hour(3)]
    client.mkd("HNKT1")
    client.mkd("HNKT1/2026")
    client.cwd("HNKT1/2026")
    assert upload(client, *tt10_upload(station, hours[0])).startswith("226")
    client.cwd("/")
    assert upload(client, *tt10_upload(station, hours[1])).startswith("226")
    assert upload(client, *tt10_upload(station, hours[2])).startswith("226")
    wait_until_handled(home)

    assert stored(station) == sorted(sum((sent(at) for at in hours), []))
    batches = Batch.objects.filter(station=station).order_by("id")
    assert [b.status for b in batches] == [BatchStatus.ACCEPTED] * 3
    assert {b.channel for b in batches} == {Channel.FTP}
    assert all(b.sender.startswith(f"facility:{world.facility_hn.tax_code}") for b in batches)
    assert all(b.raw.content for b in batches)  # the bytes are archived ...
    assert files_in(home) == []  # ... and the uploads deleted; the folders stay
    assert (home / "HNKT1" / "2026").is_dir()


@transactional
def test_it_adds_nothing_when_a_file_is_sent_again(world, client, home):
    station = world.station_stack_hn
    name, content = tt10_upload(station, local_hour(2))
    upload(client, name, content)
    wait_until_handled(home)
    before = stored(station)
    upload(client, name, content)
    wait_until_handled(home)

    assert stored(station) == before and len(before) == len(STACK_VALUES)
    statuses = list(Batch.objects.filter(station=station).order_by("id")
                    .values_list("status", flat=True))
    assert statuses == [BatchStatus.ACCEPTED, BatchStatus.DUPLICATE_FILE]


@transactional
def test_it_refuses_a_file_for_another_facilitys_station(world, client, home):
    other = world.station_stack_hn2  # another enterprise's stack in the same province
    upload(client, *tt10_upload(other, local_hour(2)))
    wait_until_handled(home)

    batch = Batch.objects.get()
    assert batch.status == BatchStatus.REJECTED
    # As if the station did not exist: a sender cannot tell another's station from none.
    assert [reject["code"] for reject in batch.rejects] == ["unknown_station"]
    assert batch.station_id is None
    assert stored(other) == []
    assert AuditEvent.objects.filter(action="ingest_refused").count() == 1
    assert files_in(home) == []


@transactional
def test_it_refuses_wrong_logins_audits_them_and_locks_out(world, server, token):
    tax_code = world.facility_hn.tax_code
    other_token = accounts.create_token(system_actor("tests"), name="other",
                                        facility=world.facility_hn2).plain
    station_token = accounts.create_token(system_actor("tests"), name="station",
                                          station=world.station_stack_hn).plain
    revoked = accounts.create_token(system_actor("tests"), name="old",
                                    facility=world.facility_hn)
    accounts.revoke_token(world.actor("admin"), revoked.token)
    attempts = [
        (tax_code, token + "x"),            # wrong password
        (tax_code, other_token),            # another facility's token
        (tax_code, station_token),          # a station's token is not an FTP password
        (tax_code, revoked.plain),          # revoked
        ("0100233488", token),              # a valid tax code of no facility
        ("../../etc", token),               # not a tax code at all
    ]
    for user, password in attempts:
        with pytest.raises(ftplib.error_perm, match="^530"):
            connect(server, user, password)

    failures = AuditEvent.objects.filter(action="login_failed").order_by("id")
    assert failures.count() == len(attempts)
    assert {event.ip_address for event in failures} == {"127.0.0.1"}
    assert [event.object_repr for event in failures][:4] == [tax_code] * 4
    # Four failures so far for this tax code; the fifth locks it from this address, even for
    # the right token (tests/monitoring/test_ftp_logins.py: only from this address).
    with pytest.raises(ftplib.error_perm, match="^530"):
        connect(server, f"{tax_code[:4]} {tax_code[4:]}", "envh_nothing")
    with pytest.raises(ftplib.error_perm, match=r"^530 .* 15 "):
        connect(server, tax_code, token)
    # The other facility is not locked.
    other = connect(server, world.facility_hn2.tax_code, other_token)
    other.quit()


@transactional
def test_it_keeps_each_facility_inside_its_own_folder(world, server, client, ftp_root, home):
    neighbour = ftp_root / world.facility_hn2.tax_code
    neighbour.mkdir(parents=True)
    (neighbour / "secret.txt").write_text("not yours")
    (ftp_root / "outside.txt").write_text("not yours either")
    upload(client, *tt10_upload(world.station_stack_hn, local_hour(2)))
    wait_until_handled(home)
    client.mkd("HNKT1")

    client.cwd("..")
    assert client.pwd() == "/"
    client.cwd("/")
    assert client.pwd() == "/"
    assert client.nlst() == ["HNKT1"]
    for path in (f"/{world.facility_hn2.tax_code}", f"../{world.facility_hn2.tax_code}",
                 str(neighbour), str(ftp_root)):
        with pytest.raises(ftplib.error_perm, match="^550"):
            client.cwd(path)
    for path in (f"../{world.facility_hn2.tax_code}/secret.txt", "../outside.txt",
                 str(neighbour / "secret.txt"), "/../../outside.txt"):
        with pytest.raises(ftplib.error_perm, match="^550"):
            client.retrbinary(f"RETR {path}", lambda data: None)
    # A path that climbs out is read inside the folder: the climb is simply dropped.
    client.mkd("../../escaped")
    assert (home / "escaped").is_dir() and not (ftp_root.parent / "escaped").exists()
    assert (neighbour / "secret.txt").read_text() == "not yours"
    assert sorted(path.name for path in ftp_root.iterdir()) == sorted(
        ["outside.txt", world.facility_hn.tax_code, world.facility_hn2.tax_code])


@transactional
def test_it_stops_an_oversized_upload_and_keeps_nothing(world, client, home, settings):
    settings.ENVHUB_MAX_FILE_BYTES = 20_000
    name, _content = tt10_upload(world.station_stack_hn, local_hour(2))
    line = b"SO2\t120.5\tmg/Nm3\t20260101000000\t00\n"
    huge = line * (8_000_000 // len(line))  # 8 MB, 400 times the limit

    with pytest.raises((ftplib.error_perm, OSError), match="552|Broken pipe|reset"):
        upload(client, name, huge)
    wait_until_handled(home)
    assert files_in(home) == []
    assert Batch.objects.count() == 0 and Observation.objects.count() == 0


@transactional
def test_it_refuses_names_that_are_not_txt(world, client, home):
    for name in ("data.csv", "HN_NDSH_HNKT1_20260101000000.txt.exe", "archive.zip"):
        with pytest.raises(ftplib.error_perm, match="^553"):
            upload(client, name, b"SO2\t1\tmg/Nm3\t20260101000000\t00\n")
    with pytest.raises(ftplib.error_perm, match="^553"):
        client.storbinary("APPE HN_NDSH_HNKT1_20260101000000.txt", io.BytesIO(b"x"))
    assert files_in(home) == []
    assert Batch.objects.count() == 0


@transactional
def test_a_file_kept_when_the_database_fails_is_ingested_by_the_sweep(world, client, home,
                                                                      monkeypatch):
    station = world.station_stack_hn
    real_ingest = ingest.ingest
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise DatabaseError("the database went away")
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(ingest, "ingest", failing_once)
    at = local_hour(2)
    name, content = tt10_upload(station, at)
    client.mkd("HNKT1")
    client.cwd("HNKT1")
    assert upload(client, name, content).startswith("226")
    wait_until_handled(home)

    kept = home / "HNKT1" / name
    assert kept.read_bytes() == content
    assert Batch.objects.count() == 0
    # Too fresh for the sweep: a datalogger may still be busy with it.
    jobs.sweep_ftp_folders()
    assert kept.exists()

    a_while_ago = time.time() - 2 * ftp.SWEEP_AFTER_SECONDS
    os.utime(kept, (a_while_ago, a_while_ago))
    jobs.sweep_ftp_folders()
    assert not kept.exists()
    assert stored(station) == sent(at)
    batch = Batch.objects.get()
    assert batch.channel == Channel.FTP and batch.status == BatchStatus.ACCEPTED
    assert batch.sender == f"facility:{world.facility_hn.tax_code} (ftp sweep)"


@pytest.mark.django_db
def test_the_sweep_removes_abandoned_uploads_and_old_empty_date_folders(world, ftp_root):
    home = ftp_root / world.facility_hn.tax_code
    old = time.time() - 4 * 24 * 3600
    paths = {
        "abandoned": home / "HNKT1" / "2026" / "05" / ftp.partial_name("a.txt"),
        "in_progress": home / "HNKT1" / ftp.partial_name("b.txt"),
    }
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"SO2")
    os.utime(paths["abandoned"], (old, old))
    (home / "HNKT1" / "2025" / "12").mkdir(parents=True)
    (home / "data").mkdir()  # a named folder a datalogger was configured with
    for folder in [home / "HNKT1" / "2025" / "12", home / "HNKT1" / "2025", home / "data"]:
        os.utime(folder, (old, old))

    result = ftp.sweep()

    assert result.abandoned_uploads_removed == 1 and result.ingested == 0
    assert not paths["abandoned"].exists() and paths["in_progress"].exists()
    assert not (home / "HNKT1" / "2025").exists()  # empty date folders, three days old
    assert (home / "data").is_dir()  # kept: named
    assert (home / "HNKT1" / "2026" / "05").is_dir()  # written to today: kept
    os.utime(home / "HNKT1" / "2026" / "05", (old, old))
    os.utime(home / "HNKT1" / "2026", (old, old))
    ftp.sweep()
    assert not (home / "HNKT1" / "2026").exists()
    assert (home / "HNKT1").is_dir()


def test_it_reads_the_ftp_settings_strictly(tmp_path):
    loaded = config.load({}, tmp_path)
    assert loaded.problems == []
    assert (loaded.ftp_bind, loaded.ftp_passive_ports, loaded.ftp_masquerade) == (
        "127.0.0.1:2121", (60000, 60099), "")
    assert loaded.ftp_root == tmp_path / "var" / "ftp"
    loaded = config.load({"ENVHUB_FTP_BIND": "0.0.0.0:21", "ENVHUB_FTP_ROOT": "/srv/ftp",
                          "ENVHUB_FTP_PASSIVE_PORTS": "50000-50010",
                          "ENVHUB_FTP_MASQUERADE": "203.0.113.10"}, tmp_path)
    assert loaded.problems == []
    assert loaded.ftp_root == Path("/srv/ftp") and loaded.ftp_passive_ports == (50000, 50010)
    for name, value in [("ENVHUB_FTP_PASSIVE_PORTS", "60000"),
                        ("ENVHUB_FTP_PASSIVE_PORTS", "60000-59000"),
                        ("ENVHUB_FTP_PASSIVE_PORTS", "80-90"),
                        ("ENVHUB_FTP_PASSIVE_PORTS", "60000 - 60099"),
                        ("ENVHUB_FTP_PASSIVE_PORTS", "2100-2200"),  # holds the control port
                        ("ENVHUB_FTP_BIND", "2121"),
                        ("ENVHUB_FTP_MASQUERADE", "ftp.example.vn")]:
        problems = config.load({name: value}, tmp_path).problems
        assert len(problems) == 1 and problems[0].startswith(name), (value, problems)
