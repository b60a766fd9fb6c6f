"""The worker's survey jobs beside a live server, for browser tests: the browser's event loop
runs in the test's thread, where Django refuses database work, so the checks and loadings run
in a thread of their own, as `envhub worker` would."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from envhub.surveys import checking, loading


@pytest.fixture
def survey_worker():
    """Check waiting uploads and load approved versions every fifth of a second."""
    stop = threading.Event()

    def loop():
        try:
            while not stop.is_set():
                checking.run()
                loading.run()
                stop.wait(0.2)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="survey-worker", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)
