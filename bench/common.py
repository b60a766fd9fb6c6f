"""Shared set-up for the benchmarks: a throw-away installation (its own var/ folder, SQLite or
a PostgreSQL database of its own), a synthetic registry, and TT10 files.

Benchmarks are not tests: each prints envhub's figure beside a baseline's and their ratio.
Record results in docs/benchmarks.md with the machine noted.
"""

from __future__ import annotations

import datetime
import http.client
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/envhub_bench")

# Ten ambient-air symbols (so each file carries 10 values) with plausible levels and units.
AIR_SYMBOLS = [("PM2,5", 35.0, "ug/m3"), ("PM10", 60.0, "ug/m3"), ("PM1", 20.0, "ug/m3"),
               ("TSP", 90.0, "ug/m3"), ("SO2", 12.0, "ug/m3"), ("NO2", 30.0, "ug/m3"),
               ("NO", 10.0, "ug/m3"), ("NOx", 45.0, "ug/m3"), ("CO", 900.0, "ug/m3"),
               ("O3", 50.0, "ug/m3")]


def machine() -> str:
    cores = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return (f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}, {platform.system()} {platform.release()}")


def prepare_environment(vendor: str) -> Path:
    """Point envhub at a fresh installation before Django starts."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"envhub-bench-{vendor}-"))
    os.environ["ENVHUB_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "envhub.settings"
    if vendor == "postgresql":
        recreate_postgres_database(PG_URL)
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ.pop("DATABASE_URL", None)
    return var_dir


def recreate_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(migrate: bool = True) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        from envhub.core.permissions import system_actor
        from envhub.core.reference import load_all

        load_all(system_actor("bench"))


def create_air_stations(count: int) -> list:
    """`count` automatic ambient-air stations, spread over the provinces."""
    from envhub.registry.models import Province, Station

    provinces = list(Province.objects.order_by("code"))
    stations = []
    for number in range(count):
        province = provinces[number % len(provinces)]
        station = Station(
            code=f"B{number:05d}", name=f"Trạm thử {number}", kind="auto_air",
            province=province, latitude=10.5 + (number % 100) * 0.1,
            longitude=105.5 + (number // 100 % 10) * 0.1,
        )
        station.derive()
        station.save()
        stations.append(station)
    return stations


def tt10_files(stations, files_per_station: int, start_local: datetime.datetime,
               symbols=AIR_SYMBOLS):
    """(name, content) for each station and 5-minute step, time-major like real arrivals."""
    step = datetime.timedelta(minutes=5)
    for index in range(files_per_station):
        at = start_local + index * step
        stamp = at.strftime("%Y%m%d%H%M%S")
        for number, station in enumerate(stations):
            lines = [f"{symbol}\t{level * (1 + ((number + index) % 7) / 10):.2f}\t{unit}\t"
                     f"{stamp}\t00" for symbol, level, unit in symbols]
            yield f"{station.tt10_prefix}{stamp}.txt", ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Reader:
    """A person reading: a token for the API, a signed-in session's cookie for the pages."""

    token: str
    cookie: str


def reader(label: str = "bench-reader") -> Reader:
    """A provincial officer whose membership lists every province: each read goes through the
    permission policy's scope filter (it is not an administrator's), and still sees every
    station."""
    from django.conf import settings
    from django.test import Client

    from envhub.accounts import services as accounts
    from envhub.accounts.models import Membership, Role, User
    from envhub.core.permissions import system_actor
    from envhub.registry.models import Organisation, OrganisationKind, Province

    provinces = list(Province.objects.all())
    department = Organisation.objects.create(
        name=f"Sở thử ({label})", kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
        province=provinces[0])
    user = User.objects.create(username=label)
    membership = Membership.objects.create(user=user, organisation=department,
                                           role=Role.PROVINCIAL_OFFICER)
    membership.provinces.set(provinces)
    session = Client()
    session.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.cookies[settings.SESSION_COOKIE_NAME].value}"
    return Reader(accounts.create_token(system_actor(), name=label, user=user).plain, cookie)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, *, web_workers: int, worker: bool) -> subprocess.Popen:
    """`envhub run` on this installation (no FTP receiver), once it answers /healthz."""
    command = [sys.executable, "-m", "envhub.cli", "run", "--bind", f"127.0.0.1:{port}",
               "--web-workers", str(web_workers), "--no-ftp"]
    if not worker:
        command.append("--no-worker")
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"envhub run exited with code {server.returncode}")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("envhub run did not answer /healthz within 90 s")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=60)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


@dataclass
class Latency:
    """p50, p95 and max of a list of durations in seconds (zeros when there is none)."""

    count: int
    p50: float
    p95: float
    max: float

    @classmethod
    def of(cls, samples: list[float]) -> Latency:
        if not samples:
            return cls(0, 0.0, 0.0, 0.0)
        return cls(len(samples), percentile(samples, 0.5), percentile(samples, 0.95),
                   max(samples))

    def __str__(self) -> str:
        return (f"p50 {self.p50 * 1000:7.1f} ms   p95 {self.p95 * 1000:7.1f} ms   "
                f"max {self.max * 1000:7.1f} ms   ({self.count:,})")


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes), as `uptime` shows it: the machine is shared."""
    try:
        return "load average " + ", ".join(f"{load:.2f}" for load in os.getloadavg())
    except OSError:
        return "load average unknown"


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    sys.stdout.flush()
