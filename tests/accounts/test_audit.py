"""The audit log: append-only down to the database, and it records sign-ins and failures."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import Client

from envhub.accounts.models import AuditEvent, User
from envhub.core import audit
from envhub.core.permissions import system_actor

pytestmark = pytest.mark.django_db


def test_it_refuses_to_change_or_delete_an_event_through_the_model(reference):
    event = audit.record(system_actor(), "test")
    event.action = "rewritten"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_it_refuses_to_change_or_delete_an_event_in_the_database(reference):
    event = audit.record(system_actor(), "test")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).action == "test"


def _user_with_password(username="anh", password="mat-khau-rat-dai-2026"):
    user = User.objects.create(username=username)
    user.set_password(password)
    user.save()
    return user, password


def test_it_hashes_passwords_with_argon2(reference):
    user, _ = _user_with_password()
    assert user.password.startswith("argon2$")


def test_it_records_sign_in_sign_out_and_failures(reference):
    user, password = _user_with_password()
    client = Client(REMOTE_ADDR="10.1.2.3")
    response = client.post("/login/", {"username": "anh", "password": "wrong"})
    assert response.status_code == 200
    response = client.post("/login/", {"username": "anh", "password": password})
    assert response.status_code == 302
    client.post("/logout/")
    events = list(AuditEvent.objects.filter(action__in=["login", "logout", "login_failed"])
                  .order_by("id").values_list("action", "object_repr", "ip_address"))
    assert events == [("login_failed", "anh", "10.1.2.3"), ("login", "anh", "10.1.2.3"),
                      ("logout", "anh", "10.1.2.3")]


# --- the append-only triggers stay in place ------------------------------------------------

def _drop_audit_triggers():
    from tests.conftest import _audit_triggers

    _audit_triggers(installed=False)


def test_it_puts_back_triggers_that_a_table_rebuild_dropped(reference):
    from envhub.accounts.audit_triggers import (
        ensure_audit_triggers,
        expected_triggers,
        missing_audit_triggers,
        on_post_migrate,
    )

    event = audit.record(system_actor(), "test")
    assert missing_audit_triggers() == set()
    _drop_audit_triggers()  # what SQLite's table rebuild (any future AlterField) does
    assert missing_audit_triggers() == expected_triggers(connection)
    on_post_migrate(sender=None, using="default")  # what `migrate` runs at its end
    assert missing_audit_triggers() == set()
    assert ensure_audit_triggers() == []  # idempotent
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_trigger_repair_after_every_migrate():
    from django.core.management import call_command

    from envhub.accounts.audit_triggers import missing_audit_triggers

    _drop_audit_triggers()
    assert missing_audit_triggers()
    call_command("migrate", verbosity=0, interactive=False)  # nothing to apply; post_migrate runs
    assert missing_audit_triggers() == set()


def test_envhub_check_reports_missing_triggers(reference):
    import io

    from envhub.accounts.health import audit_triggers
    from envhub.core.management.commands.envhub_check import Command

    def check() -> tuple[int, str]:
        command = Command(stdout=io.StringIO(), stderr=io.StringIO())
        command.quiet, command.errors = False, 0
        audit_triggers(command)
        return command.errors, command.stdout.getvalue() + command.stderr.getvalue()

    assert check() == (0, "OK     audit log is append-only (database triggers in place)\n")
    _drop_audit_triggers()
    errors, output = check()
    assert errors == 1
    assert "ERROR  the audit log is not protected" in output
    assert "envhub migrate" in output
