"""A token's last use is written at most once per `token_use.RESOLUTION`, and an upload writes it
in its own transaction: on SQLite every write waits for the one write lock."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from envhub.accounts import services, token_use
from envhub.accounts.models import ApiToken
from envhub.core.permissions import system_actor
from tests.monitoring.files import local, tt10_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_process():
    token_use.forget()
    yield
    token_use.forget()


def token_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('UPDATE "accounts_apitoken"')]


def used_ago(token, minutes: int) -> datetime.datetime:
    at = timezone.now() - datetime.timedelta(minutes=minutes)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=at)
    return at


def test_a_use_is_written_and_not_again_while_the_stored_one_is_fresh(world):
    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    assert Client().get("/api/v1/me", **headers).status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None
    two_minutes_ago = used_ago(issued.token, 2)
    with CaptureQueriesContext(connection) as queries:
        assert Client().get("/api/v1/me", **headers).status_code == 200
    assert token_writes(queries) == []
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == two_minutes_ago
    used_ago(issued.token, 6)
    with CaptureQueriesContext(connection) as queries:
        Client().get("/api/v1/me", **headers)
    assert len(token_writes(queries)) == 1


def test_a_use_this_process_wrote_is_not_written_again_from_an_older_read(
        world, django_capture_on_commit_callbacks):
    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    long_ago = used_ago(issued.token, 60)
    with django_capture_on_commit_callbacks(execute=True):
        assert token_use.record(issued.token)
    # Another request of this process read the row before that write.
    issued.token.last_used_at = long_ago
    assert not token_use.is_due(issued.token)
    assert not token_use.record(issued.token)


def test_an_upload_writes_its_token_use_in_its_own_transaction(world):
    issued = services.create_token(system_actor(), name="logger", station=world.air_hn)
    file = tt10_file(world.air_hn, local(2026, 11, 20, 8, 0), [("PM10", 50, "ug/m3")])
    with CaptureQueriesContext(connection) as queries:
        response = Client().post("/api/v1/ingest/files", data=file.content,
                                 content_type="text/plain", HTTP_X_FILENAME=file.name,
                                 HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert response.status_code == 200, response.content
    statements = [q["sql"] for q in queries]
    [write] = token_writes(queries)
    at = statements.index(write)
    opened = max(i for i, sql in enumerate(statements[:at]) if sql.startswith("SAVEPOINT"))
    # In the transaction that stores the file, before it closes.
    assert any('"monitoring_' in sql for sql in statements[opened:at])
    assert any(sql.startswith("RELEASE SAVEPOINT") for sql in statements[at:])
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_use_that_cannot_be_written_leaves_the_answer_as_it_is(world):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    import sqlite3

    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 0")
    try:
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    finally:
        connection.connection.execute("PRAGMA busy_timeout = 30000")
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is None
