"""`make run` on a fresh Debian machine: the Debian packages Python's venv needs, and Pango and
the Noto fonts the worker's PDF reports need, are installed before the virtualenv is made
(profile `base`); `make test` adds the browser and gettext (profile `test`); and the script does
nothing when everything is there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-deps.sh"


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def run_script(tmp_path: Path, profile: str, *, ensurepip: bool, installed: bool):
    """The script against fake Debian tools: what it would install, through a fake sudo."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "sudo.log"
    _fake(bin_dir, "python3.11", f"""
case "$2" in
  ensurepip) exit {0 if ensurepip else 1} ;;
esac
[ "$1" = -c ] && echo 3.11""")
    _fake(bin_dir, "dpkg-query", "echo 'install ok installed'" if installed else "exit 1")
    _fake(bin_dir, "apt-cache", "exit 0")
    _fake(bin_dir, "id", "echo 1000")
    _fake(bin_dir, "sudo", f'echo "$@" >> {log}')
    environment = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
                   "PYTHON": str(bin_dir / "python3.11")}
    result = subprocess.run(["bash", str(SCRIPT), profile], env=environment,
                            capture_output=True, text=True, timeout=60)
    installs = [line for line in (log.read_text().splitlines() if log.exists() else [])
                if line.startswith("apt-get install")]
    return result, installs


REPORTS = " libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core"
# The library's text: pdftotext and pdftoppm, Tesseract with Vietnamese, OCRmyPDF (the worker).
LIBRARY = " poppler-utils tesseract-ocr tesseract-ocr-vie ocrmypdf"


def test_base_installs_the_venv_package_when_ensurepip_is_missing(tmp_path):
    result, installs = run_script(tmp_path, "base", ensurepip=False, installed=False)
    assert result.returncode == 0, result.stderr
    assert len(installs) == 1 and installs[0].endswith(" python3.11-venv" + REPORTS + LIBRARY)


def test_base_installs_what_the_reports_need(tmp_path):
    result, installs = run_script(tmp_path, "base", ensurepip=True, installed=False)
    assert result.returncode == 0, result.stderr
    assert installs == ["apt-get install -y -qq --no-install-recommends" + REPORTS + LIBRARY]


def test_test_adds_the_browser_gettext_and_nginx(tmp_path):
    result, installs = run_script(tmp_path, "test", ensurepip=True, installed=False)
    assert result.returncode == 0, result.stderr
    assert installs[0].endswith(REPORTS + LIBRARY + " chromium gettext nginx")
    assert "python3.11-venv" not in installs[0]


@pytest.mark.parametrize("profile", ["base", "test"])
def test_it_does_nothing_when_everything_is_installed(tmp_path, profile):
    result, installs = run_script(tmp_path, profile, ensurepip=False, installed=True)
    assert (result.returncode, result.stdout, result.stderr, installs) == (0, "", "", [])


def test_it_wants_a_profile(tmp_path):
    result, _ = run_script(tmp_path, "everything", ensurepip=True, installed=True)
    assert result.returncode == 2 and "usage" in result.stderr


def test_the_makefile_installs_the_base_packages_before_making_the_venv():
    def recipe(target: str) -> str:
        return subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True,
                              text=True, timeout=60).stdout

    install = recipe("install")
    assert "scripts/system-deps.sh base" in install
    assert install.index("scripts/system-deps.sh base") < install.index("-m venv")
    assert "scripts/system-deps.sh test" in recipe("system-deps")
