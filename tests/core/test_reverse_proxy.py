"""The reverse proxy settings of docs/operations.md absorb slow clients: sixty connections that
send their headers a line at a time hold every thread of a gunicorn reached directly (its health
probe times out), and none behind nginx configured with exactly the documented lines."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.core.test_webserver import free_port, start_gunicorn, stop

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 60

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(NGINX).exists(),
                       reason="nginx is not installed (scripts/system-deps.sh test installs it)"),
]


def documented_blocks() -> dict[str, str]:
    """The nginx blocks of docs/operations.md, by the context their first line names."""
    text = (ROOT / "docs" / "operations.md").read_text()
    blocks = re.findall(r"```nginx\n# (\w+) context\n(.*?)```", text, flags=re.S)
    return dict(blocks)


def nginx_configuration(folder: Path, proxy_port: int, upstream_port: int) -> Path:
    blocks = documented_blocks()
    http_block = blocks["http"].replace("server 127.0.0.1:8000;",
                                        f"server 127.0.0.1:{upstream_port};")
    user = "user root root;\n" if os.geteuid() == 0 else ""
    configuration = folder / "nginx.conf"
    configuration.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {folder}/body;\n"
        f"proxy_temp_path {folder}/proxy;\nfastcgi_temp_path {folder}/fastcgi;\n"
        f"uwsgi_temp_path {folder}/uwsgi;\nscgi_temp_path {folder}/scgi;\n{http_block}\n"
        f"server {{\nlisten 127.0.0.1:{proxy_port};\n{blocks['server']}\n}}\n}}\n")
    return configuration


@contextmanager
def slow_clients(port: int, count: int):
    """`count` connections that each send a header line a second and never finish."""
    connections = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        connections.append(connection)
    done = threading.Event()

    def trickle():
        while not done.wait(1):
            for connection in connections:
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(2)  # every connection has sent bytes: gunicorn gives each a thread
    try:
        yield
    finally:
        done.set()
        thread.join()
        for connection in connections:
            connection.close()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return answer.status == 200
    except OSError:
        return False


def test_the_documented_proxy_settings_absorb_slow_clients(installed_var_dir, tmp_path):
    gunicorn_port, proxy_port = free_port(), free_port()
    web = start_gunicorn(installed_var_dir, gunicorn_port)
    nginx = None
    try:
        with slow_clients(gunicorn_port, SLOW_CLIENTS):
            assert not healthy(gunicorn_port)  # reached directly, gunicorn is starved
        deadline = time.monotonic() + 30
        while not healthy(gunicorn_port):  # the slow connections are gone
            assert time.monotonic() < deadline
            time.sleep(0.5)
        configuration = nginx_configuration(tmp_path, proxy_port, gunicorn_port)
        nginx = subprocess.Popen([NGINX, "-c", str(configuration), "-p", str(tmp_path)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not healthy(proxy_port):
            assert nginx.poll() is None, (tmp_path / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not come up"
            time.sleep(0.3)
        with slow_clients(proxy_port, SLOW_CLIENTS):
            assert all(healthy(proxy_port) for _ in range(5))
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=30)
        stop(web)
