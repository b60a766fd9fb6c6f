"""A real S3-compatible server for tests: moto's, in a process of its own (so that memory
measured in the test is envhub's alone — ThreadedMotoServer would keep the parts it receives
in the test's process), on a port of the calling pytest-xdist worker's own."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time

import boto3


def worker_port(base: int) -> int:
    """`base` on gw0, `base + 1` on gw1…: two workers never share a server."""
    return base + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@contextlib.contextmanager
def moto_server(port: int, keys: dict, start_seconds: float = 60):
    """Start moto's S3 server on `port` and yield a boto3 client of it; stopped on exit."""
    with socket.socket() as probe:  # a server left on the port would be tested instead
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is taken: moto's server cannot start there")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)
        yield boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                           region_name="us-east-1", **keys)
    finally:
        server.terminate()
        server.wait(timeout=10)
