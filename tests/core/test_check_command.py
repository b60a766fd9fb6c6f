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


def _copy_installation(source: Path, target: Path) -> Path:
    """A private copy of a set-up installation (its SQLite database and secret key)."""
    import shutil
    import sqlite3

    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "secret_key", target / "secret_key")
    with sqlite3.connect(source / "envhub.sqlite3") as src, \
            sqlite3.connect(target / "envhub.sqlite3") as dst:
        src.backup(dst)
    return target


@pytest.mark.slow
def test_it_reports_an_audit_log_without_its_triggers(installed_var_dir, tmp_path):
    import sqlite3

    var_dir = _copy_installation(installed_var_dir, tmp_path / "var")
    with sqlite3.connect(var_dir / "envhub.sqlite3") as db:
        db.execute("DROP TRIGGER accounts_auditevent_no_update")
    result = run_check(var_dir)
    assert result.returncode == 1
    assert "the audit log is not protected" in result.stderr
    assert "accounts_auditevent_no_update" in result.stderr


def test_it_warns_about_unknown_envhub_variables_and_open_hosts(tmp_path):
    result = run_check(tmp_path, ENVHUB_HTTP="on", ALLOWED_HOSTS="*")
    assert "WARN   ENVHUB_HTTP is set but is not an envhub setting (a typo?)." in result.stdout
    assert "WARN   ALLOWED_HOSTS=*" in result.stdout


@pytest.mark.django_db
def test_it_warns_about_active_demo_accounts_on_a_real_server(settings):
    import io

    from envhub.accounts.models import User
    from envhub.core.management.commands.envhub_check import Command
    from envhub.demo.health import demo_accounts

    def warnings() -> str:
        command = Command(stdout=io.StringIO(), stderr=io.StringIO())
        command.quiet, command.errors = False, 0
        demo_accounts(command)
        assert command.errors == 0
        return command.stdout.getvalue()

    settings.DEBUG = False
    assert warnings() == ""
    User.objects.create(username="demo-admin")
    User.objects.create(username="demo-leader", is_active=False)
    output = warnings()
    assert output.startswith("WARN   demo accounts are active")
    assert "demo-admin" in output and "demo-leader" not in output
    settings.DEBUG = True  # a developer's machine: that is what they are for
    assert warnings() == ""


def test_the_sqlite_database_is_created_private_and_checked(tmp_path):
    """It holds everyone's session keys: mode 600 from its creation (its -wal and -shm files
    follow it), and `envhub check` warns when someone opened it to others."""
    import stat

    result = run_check(tmp_path)
    database = tmp_path / "envhub.sqlite3"
    files = [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"))
             if path.exists()]
    assert database in files
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert f"OK     {database} is readable by its owner only" in result.stdout
    database.chmod(0o644)
    result = run_check(tmp_path)
    assert f"WARN   {database} is readable by other users (mode 644); chmod 600 it." \
        in result.stdout
