"""A batch that fails midway leaves nothing half-written; the others still get in."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, storage
from envhub.monitoring.models import Batch, BatchFile, Observation, RollupQueue, StationStatus
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db


def files(world):
    return [tt10_file(world.air_hn, local(2026, 11, 20, 8, minute), [("PM10", minute, "ug/m3")])
            for minute in (0, 5, 10)]


def nothing_stored():
    return (Batch.objects.count(), BatchFile.objects.count(), Observation.objects.count(),
            RollupQueue.objects.count(), StationStatus.objects.count()) == (0, 0, 0, 0, 0)


def test_a_failure_after_the_values_are_written_leaves_nothing(world, monkeypatch):
    def fail_after_writing(keys, now):
        raise DatabaseError("disk full")

    monkeypatch.setattr(storage, "queue_rollups", fail_after_writing)
    with pytest.raises(DatabaseError):
        ingest.ingest(system_actor("tests"), "folder", files(world)[:1])
    assert nothing_stored()


def test_one_failing_file_does_not_hold_back_the_others(world, monkeypatch):
    real_insert = storage.insert_observations

    def insert(pending, batch_ids):
        rows = pending.rows or [row for _start, text in pending.encoded  # SQLite's JSON
                                for row in json.loads(text)]
        if any(value == 5 for _series, _time, value, _status, _place in rows):
            raise DatabaseError("this file's write fails")
        return real_insert(pending, batch_ids)

    monkeypatch.setattr(storage, "insert_observations", insert)
    sent = files(world)
    with pytest.raises(DatabaseError):
        ingest.ingest(system_actor("tests"), "folder", [sent[1]])
    reports = ingest.ingest(system_actor("tests"), "folder", sent)
    # The slice failed as a whole and was retried file by file: the two good files are in; the
    # bad one left nothing behind and its report tells the sender to send it again.
    assert [r.status for r in reports] == ["accepted", "error", "accepted"]
    assert reports[1].rejects[0].code == "server_error"
    assert sorted(Observation.objects.values_list("value", flat=True)) == [0.0, 10.0]
    assert Batch.objects.count() == 2
    assert BatchFile.objects.count() == 2
