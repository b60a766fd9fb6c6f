"""A batch that fails midway leaves nothing half-written; the others still get in."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError

from envhub.core.permissions import system_actor
from envhub.monitoring import ingest, storage
from envhub.monitoring.models import Batch, BatchFile, Observation, RollupQueue, StationStatus
from tests.monitoring.files import local, pending_rows, tt10_file

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


def fail_writes_holding(bad_value: float, monkeypatch) -> None:
    """The database refuses any write of observations that holds this value."""
    real_insert = storage.insert_observations

    def insert(pending, batch_ids):
        if any(row[2] == bad_value for row in pending_rows(pending)):
            raise DatabaseError("this file's write fails")
        return real_insert(pending, batch_ids)

    monkeypatch.setattr(storage, "insert_observations", insert)


def test_one_failing_file_does_not_hold_back_the_others(world, monkeypatch):
    fail_writes_holding(5, monkeypatch)
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


# --- a backfill's transactions of several slices (`backfill.write_in_transactions`) ---------

FIVE_MINUTES = datetime.timedelta(minutes=5)


def slices_of(world, count: int, per_slice: int) -> list[list[ingest.IncomingFile]]:
    sent = [tt10_file(world.air_hn, local(2026, 11, 20, 8, 0) + n * FIVE_MINUTES,
                      [("PM10", n, "ug/m3")]) for n in range(count)]
    return [sent[start:start + per_slice] for start in range(0, count, per_slice)]


def written(slices, per_transaction: int) -> list[tuple[list, list]]:
    from envhub.monitoring import backfill, parallel

    actor = system_actor("tests")
    reads = parallel.InlineReader(actor).checked(slices)
    return list(backfill.write_in_transactions(actor, "folder", reads,
                                               files_per_transaction=per_transaction))


@pytest.mark.django_db(transaction=True)
def test_slices_are_written_in_transactions_of_several(world, monkeypatch):
    from django.db import transaction

    written_so_far, committed = [0], []
    real_write = ingest.write

    def write(actor, channel, prepared, **kwargs):
        reports = real_write(actor, channel, prepared, **kwargs)
        written_so_far[0] += len(prepared)
        # Run once the slice's transaction is committed: what had been written by then.
        transaction.on_commit(lambda: committed.append(written_so_far[0]))
        return reports

    monkeypatch.setattr(ingest, "write", write)
    done = written(slices_of(world, 7, 2), per_transaction=4)
    # Slices of 2, 2 | 2, 1: two commits, each after its second slice (a commit per slice
    # would give [2, 4, 6, 7]); each transaction told once it is committed.
    assert committed == [4, 4, 7, 7]
    assert [len(items) for items, _reports in done] == [4, 3]
    assert [[r.status for r in reports] for _items, reports in done] == [
        ["accepted"] * 4, ["accepted"] * 3]
    assert Observation.objects.count() == 7


def test_a_slice_refused_inside_a_transaction_is_retried_file_by_file(world, monkeypatch):
    fail_writes_holding(3, monkeypatch)
    done = written(slices_of(world, 6, 2), per_transaction=6)
    statuses = [r.status for _items, reports in done for r in reports]
    assert statuses == ["accepted"] * 3 + ["error"] + ["accepted"] * 2
    # The other slices of the transaction, and the other file of the refused one, are kept.
    assert sorted(Observation.objects.values_list("value", flat=True)) == [0, 1, 2, 4, 5]
    assert Batch.objects.count() == BatchFile.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_transaction_whose_commit_fails_reports_every_file_and_keeps_the_earlier(
        world, monkeypatch):
    from django.db import connection

    real_queue = storage.queue_rollups
    calls = []

    def queue_then_break_a_reference(keys, now):
        real_queue(keys, now)
        calls.append(1)
        if len(calls) == 3:  # the second transaction's first slice
            # A series of a station that does not exist: the database's reference check is
            # deferred to the commit, which then fails as a full disk would make it.
            with connection.cursor() as cursor:
                cursor.execute('INSERT INTO "monitoring_series" (station_id, parameter_id, '
                               "created_at) VALUES (%s, %s, %s)", [987654321, 987654321, now])

    monkeypatch.setattr(storage, "queue_rollups", queue_then_break_a_reference)
    done = written(slices_of(world, 8, 2), per_transaction=4)
    assert [[r.status for r in reports] for _items, reports in done] == [
        ["accepted"] * 4, ["error"] * 4]
    assert done[1][1][0].rejects[0].code == "server_error"
    assert sorted(Observation.objects.values_list("value", flat=True)) == [0, 1, 2, 3]
    assert Batch.objects.count() == 4
