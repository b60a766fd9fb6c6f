"""An expected refusal (403, 413, a form with too many fields) is one line in the server's log;
an internal error keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from envhub.core.log import RefusalsWithoutTraceback

pytestmark = pytest.mark.django_db


@pytest.fixture
def server_log():
    """What the console handler (the server's log) writes during the test."""
    [console] = [handler for handler in logging.getLogger().handlers
                 if any(isinstance(item, RefusalsWithoutTraceback) for item in handler.filters)]
    stream = io.StringIO()
    previous = console.setStream(stream)
    yield stream
    console.setStream(previous)


def test_a_permission_refusal_is_one_line(world, server_log):
    assert world.client("officer").get("/admin/accounts/user/add/").status_code == 403
    assert world.client("officer").get("/admin/accounts/auditevent/").status_code == 403
    lines = server_log.getvalue().splitlines()
    assert len(lines) == 2 and all("Forbidden" in line for line in lines)
    assert "Traceback" not in server_log.getvalue()


def test_a_suspicious_request_is_one_line(reference, server_log):
    client = Client(raise_request_exception=False)
    body = "&".join(f"f{i}=1" for i in range(1_001))
    response = client.post("/login/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in server_log.getvalue()
    assert "Traceback" not in server_log.getvalue()


def test_an_internal_error_keeps_its_traceback(reference, server_log, monkeypatch):
    from envhub.registry import services

    def explode(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "provinces", explode)
    assert Client(raise_request_exception=False).get("/api/v1/provinces").status_code == 500
    assert "Traceback" in server_log.getvalue() and "RuntimeError: a bug" in server_log.getvalue()
