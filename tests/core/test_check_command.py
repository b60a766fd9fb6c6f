"""`envhub check` tells an operator what is wrong, and exits non-zero when something is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    }
    environment.update({"ENVHUB_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-m", "envhub.cli", "check"], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_it_names_every_bad_setting_before_starting_django(tmp_path):
    result = run_check(tmp_path, DEBUG="sometimes", DATABASE_URL="mysql://root@localhost/x")
    assert result.returncode == 2
    assert "DEBUG='sometimes'" in result.stderr
    assert "unsupported database 'mysql'" in result.stderr


def test_it_reports_an_unmigrated_database(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert "migration(s) not applied" in result.stderr
    assert "envhub migrate" in result.stderr


def test_it_reports_an_unreachable_database(tmp_path):
    result = run_check(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr


@pytest.mark.slow
def test_it_passes_on_a_set_up_installation(installed_var_dir):
    result = run_check(installed_var_dir)
    assert result.returncode == 0, result.stderr
    assert "all migrations applied" in result.stdout
    assert "reference data loaded" in result.stdout
    assert "ENVHUB_HTTPS is off" in result.stdout
