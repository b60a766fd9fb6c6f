"""`envhub run` starts a real web server (gunicorn), the worker and the FTP receiver, serves the
site, and stops all three cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from ftplib import FTP
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    """A free port outside the FTP receiver's default passive range (60000–60099), which the
    settings refuse to share with the FTP port."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not 60000 <= port <= 60099:
            return port


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _children(pid: int) -> list[str]:
    result = subprocess.run(["ps", "-o", "args=", "--ppid", str(pid)], capture_output=True,
                            text=True)
    return [line for line in result.stdout.splitlines() if line.strip()]


def _ftp_banner(port: int) -> str:
    deadline = time.monotonic() + 30
    while True:
        try:
            with FTP() as ftp:
                return ftp.connect("127.0.0.1", port, timeout=5)
        except OSError:
            assert time.monotonic() < deadline, "the FTP receiver did not come up"
            time.sleep(0.3)


def test_it_serves_the_site_and_stops_on_ctrl_c(installed_var_dir):
    port, ftp_port = _free_port(), _free_port()
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment["ENVHUB_VAR_DIR"] = str(installed_var_dir)
    environment["ENVHUB_FTP_BIND"] = f"127.0.0.1:{ftp_port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "envhub.cli", "run", "--bind", f"127.0.0.1:{port}",
         "--web-workers", "1"],
        cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(base + "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, process.stdout.read()
            assert time.monotonic() < deadline, "the web server did not come up"
            time.sleep(0.3)

        status, body = _get(base + "/")
        assert status == 200 and "envhub" in body.decode()
        status, body = _get(base + "/api/v1/openapi.json")
        assert status == 200 and b'"openapi"' in body
        status, body = _get(base + "/static/vendor/leaflet/leaflet.js")
        assert status == 200 and len(body) > 100_000
        children = _children(process.pid)
        assert any("gunicorn" in line for line in children), children
        assert any("envhub.cli worker" in line for line in children), children
        assert any("envhub.cli ftp" in line for line in children), children
        assert _ftp_banner(ftp_port).startswith("220")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, output
    assert "envhub run: stopped." in output
    with pytest.raises(OSError):
        _get(base + "/healthz")
    with pytest.raises(OSError), FTP() as ftp:
        ftp.connect("127.0.0.1", ftp_port, timeout=5)
