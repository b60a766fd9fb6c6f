"""The web server as `envhub run` starts it: gunicorn's own refusals come in the API's envelope,
and each installation has its own control socket."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from envhub.core.webserver import gunicorn_command

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exchange(port: int, request: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            if b"Content-Length:" in head and len(body) >= int(
                    head.split(b"Content-Length: ")[1].split(b"\r\n")[0]):
                break
    return answer


def start_gunicorn(var_dir: Path, port: int) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment["ENVHUB_VAR_DIR"] = str(var_dir)
    process = subprocess.Popen(gunicorn_command(f"127.0.0.1:{port}", 1, var_dir), cwd=ROOT,
                               env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if b" 200 " in exchange(port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          b"Connection: close\r\n\r\n").split(b"\r\n")[0]:
                return process
        except OSError:
            pass
        assert process.poll() is None, "gunicorn exited"
        assert time.monotonic() < deadline, "gunicorn did not come up"
        time.sleep(0.3)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def web(installed_var_dir):
    port = free_port()
    process = start_gunicorn(installed_var_dir, port)
    yield port
    stop(process)


@pytest.mark.parametrize(("request_bytes", "status", "code"), [
    (b"GET /api/v1/provinces?q=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
     414, "uri_too_long"),
    (b"GET /api/v1/provinces HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9_000
     + b"\r\n\r\n", 431, "headers_too_large"),
    (b"\x16\x03\x01 not http\r\n\r\n", 400, "bad_request"),
])
def test_what_gunicorn_refuses_comes_in_the_envelope(web, request_bytes, status, code):
    answer = exchange(web, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].split(b" ")[1] == str(status).encode()
    assert b"Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]


def test_a_long_address_under_gunicorns_limit_reaches_django(web):
    """Between ENVHUB_MAX_QUERY_BYTES and gunicorn's limit, Django names the limit."""
    connection = http.client.HTTPConnection("127.0.0.1", web, timeout=10)
    connection.request("GET", "/api/v1/provinces?q=" + "a" * 6_000,
                       headers={"Accept-Language": "en"})
    response = connection.getresponse()
    assert response.status == 414
    assert "4096" in json.loads(response.read())["error"]["message"]
    connection.close()


def test_each_installation_has_its_own_control_socket(installed_var_dir, tmp_path):
    other = tmp_path / "other"
    first = start_gunicorn(installed_var_dir, free_port())
    try:
        second = start_gunicorn(other, free_port())
        assert (installed_var_dir / "gunicorn.ctl").is_socket()
        assert (other / "gunicorn.ctl").is_socket()
        stop(second)
        assert (installed_var_dir / "gunicorn.ctl").is_socket()  # the first keeps its own
    finally:
        stop(first)
