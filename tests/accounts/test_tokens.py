"""API tokens: shown once, stored as a digest, owned by exactly one user/station/facility,
revocable, expiring; issued from the command line for operators."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from envhub.accounts import services
from envhub.accounts.models import ApiToken, AuditEvent
from envhub.core.errors import Forbidden, InvalidInput
from envhub.core.permissions import system_actor

pytestmark = pytest.mark.django_db


def test_it_stores_only_a_digest(world):
    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.plain.startswith(f"envh_{row.lookup}_")
    assert issued.plain not in (row.digest, row.lookup, row.name)
    assert row.matches(issued.plain)
    assert not row.matches(issued.plain + "x")
    assert len(issued.plain) > 40


def test_it_audits_issuing_and_revoking(world):
    issued = services.create_token(world.actor("operator"), name="logger",
                                   station=world.station_stack_hn)
    services.revoke_token(world.actor("operator"), issued.token)
    actions = list(AuditEvent.objects.filter(object_type="accounts.apitoken")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["token_create", "token_revoke"]
    assert issued.plain not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


@pytest.mark.parametrize("persona, target, allowed", [
    ("operator", "station_stack_hn", True),      # their own facility's station
    ("operator", "station_stack_hn2", False),    # another enterprise in the same province
    ("operator", "station_stack_dn", False),
    ("officer", "station_stack_hn2", True),      # any station of their province
    ("officer", "station_stack_dn", False),
    ("steward", "station_stack_dn", True),
    ("leader", "station_stack_dn", False),       # leaders read, they do not issue
    ("survey", "station_stack_hn", False),
])
def test_it_lets_people_issue_station_tokens_only_within_their_scope(world, persona, target,
                                                                     allowed):
    def issue():
        return services.create_token(world.actor(persona), name="t",
                                     station=getattr(world, target))

    if allowed:
        assert issue().token.station == getattr(world, target)
    else:
        with pytest.raises(Forbidden):
            issue()


def test_it_keeps_user_tokens_to_their_user(world):
    services.create_token(world.actor("officer"), name="mine", user=world.users["officer"])
    with pytest.raises(Forbidden):
        services.create_token(world.actor("steward"), name="theirs", user=world.users["officer"])
    services.create_token(world.actor("admin"), name="by admin", user=world.users["officer"])


def test_it_needs_exactly_one_owner_a_name_and_a_sane_lifetime(world):
    actor = system_actor()
    with pytest.raises(InvalidInput):
        services.create_token(actor, name="x")
    with pytest.raises(InvalidInput):
        services.create_token(actor, name="x", user=world.users["admin"],
                              station=world.station_stack_hn)
    with pytest.raises(InvalidInput):
        services.create_token(actor, name="  ", user=world.users["admin"])
    for days in (0, -1, 10_000):
        with pytest.raises(InvalidInput):
            services.create_token(actor, name="x", user=world.users["admin"], days=days)


def test_it_refuses_two_owners_in_the_database_too(world):
    from django.db import IntegrityError, transaction

    plain, lookup, digest = ApiToken.new_secret()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.create(name="x", lookup=lookup, digest=digest, user=world.users["admin"],
                                station=world.station_stack_hn, expires_at=timezone.now())


def test_it_issues_a_token_from_the_command_line(world):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "--facility", world.facility_dn.tax_code, "--expires", "30",
                 stdout=out, stderr=err)
    plain = out.getvalue().strip()
    token = ApiToken.objects.get(lookup=ApiToken.split(plain))
    assert token.facility == world.facility_dn
    assert token.matches(plain)
    expected_expiry = timezone.now() + datetime.timedelta(days=30)
    assert abs((token.expires_at - expected_expiry).total_seconds()) < 60
    assert "shown once" in err.getvalue()

    call_command("token", "create", "--station", "hnkt1", stdout=io.StringIO(),
                 stderr=io.StringIO())
    call_command("token", "create", "--user", "officer", stdout=io.StringIO(),
                 stderr=io.StringIO())
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert f"facility:{world.facility_dn.tax_code}" in listing.getvalue()
    assert "station:HNKT1" in listing.getvalue()
    assert plain not in listing.getvalue()

    call_command("token", "revoke", plain, stdout=io.StringIO())
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.parametrize("args, message", [
    (["--station", "NOPE"], "No station"),
    (["--facility", "0100233488"], "No facility"),  # a valid tax code nobody has
    (["--user", "ghost"], "No user"),
    (["--user", "officer", "--expires", "0"], "1825"),
])
def test_it_explains_command_line_mistakes(world, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("token", "create", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_it_records_when_a_token_was_last_used(world):
    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    world.client("anonymous").get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_it_refuses_tokens_of_a_disabled_user(world):
    issued = services.create_token(system_actor(), name="x", user=world.users["leader"])
    world.users["leader"].is_active = False
    world.users["leader"].save()
    response = world.client("anonymous").get("/api/v1/me",
                                              HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    assert response.status_code == 401


def test_the_admin_revokes_what_it_may_and_names_the_rest(world):
    station_token = services.create_token(system_actor(), name="logger", station=world.air_hn)
    officers_own = services.create_token(world.actor("officer"), name="officer's script",
                                         user=world.users["officer"])
    client = world.client("steward")  # may revoke station tokens, not someone's personal one
    response = client.post("/admin/accounts/apitoken/", {
        "action": "revoke", "_selected_action": [station_token.token.pk, officers_own.token.pk],
    }, follow=True)
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=station_token.token.pk).revoked_at is not None
    assert ApiToken.objects.get(pk=officers_own.token.pk).revoked_at is None
    messages = [str(m) for m in response.context["messages"]]
    assert any(str(officers_own.token) in m for m in messages), messages


@pytest.mark.parametrize("lookup", ["digest__startswith", "user__api_tokens__digest",
                                    "user__password__startswith"])
def test_the_admin_refuses_to_filter_on_secrets(world, lookup):
    services.create_token(system_actor(), name="x", user=world.users["leader"])
    response = world.client("admin").get("/admin/accounts/apitoken/", {lookup: "a"})
    assert response.status_code == 400
