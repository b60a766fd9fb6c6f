"""Per-person preferences: role defaults (leader: daily digest; steward, officer, operator: at
once), changed on the page or through the API, take effect for the next notifications; "off"
means nothing; e-mail follows the choice. An officer hears only of their provinces."""

from __future__ import annotations

import pytest
from django.core import mail

from envhub.accounts.models import NotificationPreference
from envhub.compliance import alerts, digests
from envhub.compliance.models import Delivery, DeliveryChannel, DeliveryStatus
from envhub.core.audit import events
from tests.compliance.notify_helpers import announce, choose
from tests.compliance.test_digests import MORNING_AFTER
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"
API = "/api/v1/notifications/preferences"


def _mine(world, persona, channel=None):
    qs = Delivery.objects.filter(user=world.users[persona])
    return qs.filter(channel=channel) if channel else qs


def test_it_tells_an_officer_of_their_province_only(world):
    announce(world, "hn", "dn")
    subjects = [row["subject"] for row in
                world.client("officer").get("/api/v1/notifications").json()["results"]]
    assert len(subjects) == 1 and "Nhà máy Nhiệt điện Sông Hồng" in subjects[0]


def test_an_officer_s_daily_digest_holds_their_province_only(world):
    choose(world.users["officer"], "exceedance_opened", "daily")
    announce(world, "hn", "dn")
    assert not _mine(world, "officer", DeliveryChannel.IN_APP).exists()
    digests.run(now=MORNING_AFTER)
    rows = world.client("officer").get("/api/v1/notifications").json()["results"]
    assert [row["data"]["count"] for row in rows] == [1]
    assert [row["code"] for row in rows[0]["data"]["provinces"]] == ["01"]


@pytest.mark.parametrize(("persona", "kind", "mode"), [
    ("leader", "exceedance_opened", "daily"), ("leader", "exceedance_closed", "daily"),
    ("leader", "connectivity", "daily"), ("leader", "report_ready", "immediate"),
    ("steward", "exceedance_opened", "immediate"), ("steward", "survey", "immediate"),
    ("officer", "exceedance_opened", "immediate"), ("officer", "connectivity", "immediate"),
    ("operator", "exceedance_opened", "immediate"), ("survey", "survey", "immediate")])
def test_each_role_has_its_default(world, persona, kind, mode):
    rows = world.client(persona).get(API).json()
    assert {row["kind"]: row["mode"] for row in rows}[kind] == mode
    assert {row["kind"]: row["default_mode"] for row in rows}[kind] == mode
    assert not any(row["chosen"] for row in rows)


def test_off_means_nothing_at_all(world):
    for persona in ("officer", "leader"):
        choose(world.users[persona], "exceedance_opened", "off")
    announce(world, "hn")
    assert not _mine(world, "officer").exists()
    assert not _mine(world, "leader").exists()
    assert digests.run(now=MORNING_AFTER) == 0
    assert _mine(world, "steward", DeliveryChannel.IN_APP).count() == 1  # others unchanged


def test_a_change_on_the_page_takes_effect_for_the_next_notifications(world):
    client = world.client("officer")
    page = client.get(URL).content.decode()
    assert 'name="mode-exceedance_opened"' in page and 'name="email-connectivity"' in page
    form = {f"mode-{kind}": "immediate" for kind in
            ("exceedance_opened", "exceedance_closed", "connectivity", "survey")}
    form["mode-exceedance_opened"] = "weekly"
    response = client.post(URL, form)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=world.users["officer"],
                                              kind="exceedance_opened").mode == "weekly"
    assert events().filter(action="notification_preferences.change").exists()
    announce(world, "hn", "hn-closed")
    held = _mine(world, "officer").filter(status=DeliveryStatus.HELD)
    assert list(held.values_list("channel", flat=True)) == ["weekly"]
    assert _mine(world, "officer", DeliveryChannel.IN_APP).count() == 1  # the end, at once
    assert "do bạn thay đổi" in client.get(URL).content.decode()


def test_a_leader_may_ask_for_each_notice_at_once(world):
    response = world.client("leader").put(
        API, {"preferences": [{"kind": "exceedance_opened", "mode": "immediate"}]},
        content_type="application/json")
    assert response.status_code == 200
    assert {row["kind"]: row["mode"] for row in response.json()}["exceedance_opened"] == \
        "immediate"
    announce(world, "hn")
    assert _mine(world, "leader", DeliveryChannel.IN_APP).count() == 1


@pytest.mark.parametrize("wanted", [True, False])
def test_e_mail_follows_the_choice(world, wanted):
    officer = world.users["officer"]
    officer.email = "officer@example.vn"
    officer.save()
    choose(officer, "exceedance_opened", "immediate", email=wanted)
    mail.outbox = []
    announce(world, "hn")
    alerts.deliver()
    sent = [message for message in mail.outbox if message.to == ["officer@example.vn"]]
    assert len(sent) == (1 if wanted else 0)
    assert _mine(world, "officer", DeliveryChannel.IN_APP).count() == 1


@pytest.mark.parametrize("body", [
    {"preferences": [{"kind": "nonsense", "mode": "daily"}]},
    {"preferences": [{"kind": "exceedance_opened", "mode": "hourly"}]},
    {"preferences": "all"},
    [],
])
def test_a_bad_choice_is_a_400_and_changes_nothing(world, body):
    response = world.client("officer").put(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert not NotificationPreference.objects.exists()


def test_a_bad_mode_on_the_page_is_refused(world):
    response = world.client("officer").post(URL, {"mode-exceedance_opened": "hourly"})
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reaches_only_their_own_preferences(world, persona):
    client = world.client(persona)
    page, api = client.get(URL), client.get(API)
    if persona == "anonymous":
        assert page.status_code == 302 and page["Location"].startswith("/login/")
        assert api.status_code == 401
        return
    assert page.status_code == 200 and api.status_code == 200
    assert "Thiết lập thông báo" in page.content.decode()
    offered = [row["kind"] for row in api.json()]
    if not offered:  # an administrator receives no notification (test_preference_kinds)
        assert persona == "admin"
        return
    choose(world.users[persona], offered[0], "off")
    rows = {row["kind"]: row for row in client.get(API).json()}
    assert rows[offered[0]]["mode"] == "off" and rows[offered[0]]["chosen"]
    others = [name for name in world.users if name != persona]
    assert not NotificationPreference.objects.filter(user__username__in=others).exists()
