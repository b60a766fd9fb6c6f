"""The admin keeps no history of its own: password changes, inline list changes and every other
admin write reach the append-only audit log, Django's editable `LogEntry` table stays empty, and
an object's "History" page reads the audit log (for those who may read it)."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from envhub.accounts.models import AuditEvent, Membership
from tests.accounts.test_admin_personas import change_url, post_data, read_form

pytestmark = pytest.mark.django_db


def test_it_audits_a_password_set_in_the_admin(world):
    client = world.client("admin")
    officer = world.users["officer"]
    url = f"/admin/accounts/user/{officer.pk}/password/"
    form = read_form(client.get(url), "user_form")
    password = "mat-khau-moi-rat-dai-2026"
    data = post_data(form, password1=password, password2=password)
    data.pop("_save")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert officer.check_password(password)
    event = AuditEvent.objects.get(action="password_set", object_type="accounts.user",
                                   object_id=str(officer.pk))
    assert event.actor == "user:admin"
    old, new = event.changes["password"]
    assert old != new and new.startswith("***") and password not in str(event.changes)


def test_it_does_not_audit_a_refused_password_form(world):
    client = world.client("admin")
    url = f"/admin/accounts/user/{world.users['officer'].pk}/password/"
    form = read_form(client.get(url), "user_form")
    data = post_data(form, password1="mat-khau-moi-rat-dai-2026", password2="khac-han")
    data.pop("_save")
    assert client.post(url, data).status_code == 200
    assert not AuditEvent.objects.filter(action="password_set").exists()


def test_it_writes_no_admin_log_entries(world):
    client = world.client("steward")
    facility = world.facility_hn
    form = read_form(client.get(change_url(facility)), "facility_form")
    response = client.post(change_url(facility), post_data(form, permit_number="99/GPMT"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="update", object_id=str(facility.pk)).exists()
    assert LogEntry.objects.count() == 0


def test_it_audits_inline_list_changes_with_their_old_values(world):
    membership = Membership.objects.get(user=world.users["officer"])
    membership.provinces.set([world.hanoi])
    client = world.client("admin")
    url = change_url(world.users["officer"])
    form = read_form(client.get(url), "user_form")
    data = post_data(form)
    data["memberships-0-provinces"] = [str(world.hanoi.id), str(world.dongnai.id)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(membership.provinces.values_list("id", flat=True)) == {world.hanoi.id,
                                                                       world.dongnai.id}
    event = AuditEvent.objects.get(action="update", object_type="accounts.membership",
                                   object_id=str(membership.pk))
    assert event.changes == {"provinces": [[world.hanoi.id],
                                           sorted([world.hanoi.id, world.dongnai.id])]}


def test_the_history_page_shows_the_audit_log_to_the_admin(world):
    facility = world.facility_hn
    steward = world.client("steward")
    form = read_form(steward.get(change_url(facility)), "facility_form")
    steward.post(change_url(facility), post_data(form, permit_number="99/GPMT"))

    response = world.client("admin").get(change_url(facility).replace("change/", "history/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="audit-event"') == 2  # created (by the tests) and updated
    assert world.users["steward"].full_name in html and "99/GPMT" in html


def test_the_history_page_tells_others_where_the_history_is(world):
    response = world.client("steward").get(
        change_url(world.facility_hn).replace("change/", "history/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="audit-history-note"' in html
    assert 'class="audit-event"' not in html
    # And nobody sees the history of what they may not see.
    url = change_url(world.facility_dn).replace("change/", "history/")
    assert world.client("officer").get(url).status_code in (302, 404)
