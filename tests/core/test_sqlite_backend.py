"""On SQLite a transaction takes the write lock as soon as it is free: `BEGIN IMMEDIATE` tries
again every few milliseconds, where SQLite's busy handler sleeps up to 100 ms between tries."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import connection, transaction

from envhub.core.sqlite_backend import base


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def locked_until(clock: Clock, seconds: float, error=None):
    calls = []

    def execute(sql):
        calls.append(sql)
        if clock.now < seconds:
            failure = error or sqlite3.OperationalError("database is locked")
            failure.sqlite_errorcode = getattr(failure, "sqlite_errorcode", sqlite3.SQLITE_BUSY)
            raise failure
    return execute, calls


def test_a_waiting_writer_tries_again_every_few_milliseconds():
    clock = Clock()
    execute, calls = locked_until(clock, 0.5)
    base.begin_immediate(execute, 30, sleep=clock.sleep, clock=lambda: clock.now)
    assert calls[-1] == "BEGIN IMMEDIATE"
    assert max(clock.sleeps) <= base.LONGEST_RETRY_SECONDS < 0.01
    assert len(calls) > 0.5 / base.LONGEST_RETRY_SECONDS


def test_it_gives_up_after_the_timeout_with_the_lock_error():
    clock = Clock()
    execute, _calls = locked_until(clock, 100)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        base.begin_immediate(execute, 2, sleep=clock.sleep, clock=lambda: clock.now)
    assert 2 <= clock.now < 2 + base.LONGEST_RETRY_SECONDS * 2


def test_another_error_is_not_retried():
    clock = Clock()
    other = sqlite3.OperationalError("disk I/O error")
    other.sqlite_errorcode = sqlite3.SQLITE_IOERR
    execute, calls = locked_until(clock, 100, error=other)
    with pytest.raises(sqlite3.OperationalError, match="disk"):
        base.begin_immediate(execute, 30, sleep=clock.sleep, clock=lambda: clock.now)
    assert calls == ["BEGIN IMMEDIATE"]


@pytest.mark.django_db(transaction=True)
def test_a_transaction_waits_for_another_writer_and_keeps_the_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None,
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.2, other.execute, ["COMMIT"]).start()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('UPDATE "accounts_user" SET "is_active" = "is_active"')
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 30000
    other.close()
