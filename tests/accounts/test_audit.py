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


def test_it_locks_an_account_after_five_failures(reference):
    user, password = _user_with_password()
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "anh", "password": "wrong"})
    response = client.post("/login/", {"username": "anh", "password": password})
    assert response.status_code == 200  # the form again, with the lockout message
    assert "_auth_user_id" not in client.session
    assert "15" in response.content.decode()
