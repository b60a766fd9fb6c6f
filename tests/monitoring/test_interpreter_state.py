"""The live receivers change no interpreter-wide setting: an upload runs beside others in the
same process (gunicorn threads, a thread per FTP connection). Only a backfill tunes the
interpreter (cycle collector, switch interval), for its own run, and puts it back."""

from __future__ import annotations

import gc
import io
import sys

import pytest
from django.core.management import call_command
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from envhub.monitoring import storage
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import Observation
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db


def interpreter_state():
    return gc.isenabled(), sys.getswitchinterval()


@pytest.fixture
def seen_while_working(monkeypatch):
    """The interpreter's state each time a file is parsed and a slice's rows are written."""
    seen = []

    def watched(function):
        def call(*args, **kwargs):
            seen.append(interpreter_state())
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(tt10, "parse", watched(tt10.parse))
    monkeypatch.setattr(storage, "insert_observations", watched(storage.insert_observations))
    return seen


def files(world, count):
    return [tt10_file(world.air_hn, local(2026, 11, 20, 8, 5 * n),
                      [("PM10", 40 + n, "ug/m3"), ("SO2", 5, "ug/m3")]) for n in range(count)]


def test_an_http_upload_leaves_the_interpreter_as_it_is(world, seen_while_working):
    before = interpreter_state()
    issued = accounts.create_token(system_actor(), name="logger", station=world.air_hn)
    [file] = files(world, 1)
    response = Client().post("/api/v1/ingest/files", data=file.content,
                             content_type="text/plain", HTTP_X_FILENAME=file.name,
                             HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert response.status_code == 200, response.content
    assert Observation.objects.count() == 2
    assert seen_while_working and set(seen_while_working) == {before}
    assert interpreter_state() == before


def test_a_backfill_tunes_the_interpreter_only_while_it_runs(world, tmp_path,
                                                             seen_while_working):
    before = interpreter_state()
    for file in files(world, 3):
        (tmp_path / file.name).write_bytes(file.content)
    call_command("ingest", str(tmp_path), "--jobs", "0", stdout=io.StringIO(),
                 stderr=io.StringIO())
    assert Observation.objects.count() == 6
    assert seen_while_working and all(collecting is False
                                      for collecting, _interval in seen_while_working)
    assert interpreter_state() == before
