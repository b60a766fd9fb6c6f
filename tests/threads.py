"""Calls made at the same moment from threads of their own, each with its own database
connection, so that the locks and conditional updates under test are the real ones (SQLite and
PostgreSQL)."""

from __future__ import annotations

import threading

from django.db import connection

from envhub.core.errors import EnvhubError


def at_once(*calls, join_seconds: float = 300):
    """Run the calls in threads started together; their results or EnvhubErrors, in order. Any
    other exception fails the calling test."""
    barrier = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            out[index] = call()
        except EnvhubError as error:
            out[index] = error
        except Exception as error:  # noqa: BLE001 - an unexpected error fails the test below
            out[index] = ("crash", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_seconds)
    assert not any(isinstance(item, tuple) for item in out), out
    return out
