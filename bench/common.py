"""Shared set-up for the benchmarks: a throw-away installation (its own var/ folder, SQLite or
a PostgreSQL database of its own), a synthetic registry, and TT10 files.

Benchmarks are not tests: each prints envhub's figure beside a baseline's and their ratio.
Record results in docs/benchmarks.md with the machine noted.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
import tempfile
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
        from envhub.registry.reference import load_all

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


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
    sys.stdout.flush()
