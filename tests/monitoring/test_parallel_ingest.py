"""`envhub ingest --jobs N`: files read and checked in other processes while the command
writes, or with `--jobs 0` in a thread while the database commits; the result is the same as
reading them in turn. Run as real processes on an installation of its own (worker processes
cannot see a test's in-memory database)."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envhub.monitoring.formats import tt10

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def envhub(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment["ENVHUB_VAR_DIR"] = str(var_dir)
    return subprocess.run([sys.executable, "-m", "envhub.cli", *args], cwd=ROOT,
                          env=environment, capture_output=True, text=True, timeout=300)


def python(var_dir: Path, code: str) -> str:
    result = envhub(var_dir, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("jobs", ["2", "0"])
def test_the_files_read_ahead_are_written_as_if_read_in_turn(installed_var_dir, tmp_path, jobs):
    code = f"PAR{jobs}"
    prefix = python(installed_var_dir, (
        "from envhub.registry.models import Province, Station\n"
        f"station, _ = Station.objects.get_or_create(code='{code}', defaults=dict(name='Thử', "
        "kind='auto_air', medium='air', province=Province.objects.get(code='01'), "
        "latitude=21.0, longitude=105.8))\n"
        "station.derive(); station.save(); print(station.tt10_prefix)"))
    start = datetime.datetime(2026, 11, 1, 0, 5)
    for index in range(40):
        at = start + datetime.timedelta(minutes=5 * index)
        readings = [tt10.Reading.of("PM10", 40 + index, "ug/m3", at),
                    tt10.Reading.of("PM2,5", 20 + index, "ug/m3", at)]
        (tmp_path / f"{prefix}{at:%Y%m%d%H%M%S}.txt").write_bytes(tt10.format_file(readings))
    (tmp_path / f"{prefix}20261101999999.txt").write_bytes(b"junk")

    def stored() -> str:
        return python(installed_var_dir, (
            "from envhub.monitoring.models import Batch, Observation\n"
            f"print(Observation.objects.filter(series__station__code='{code}').count(), "
            "*sorted(Batch.objects.filter(file_name__startswith='" + prefix + "')"
            ".values_list('status', flat=True)))"))

    first = envhub(installed_var_dir, "ingest", str(tmp_path), "--jobs", jobs, "--chunk", "7")
    assert first.returncode == 0, first.stderr
    count, *statuses = stored().split()
    assert count == "80"
    assert statuses == ["accepted"] * 40 + ["rejected"]

    again = envhub(installed_var_dir, "ingest", str(tmp_path), "--jobs", jobs)
    assert again.returncode == 0, again.stderr
    count, *statuses = stored().split()
    assert count == "80"
    assert statuses.count("duplicate_file") == 40
