"""Leaders get one daily digest of the day's exceedances and outages, by province, not every
notice; a weekly digest gathers a week; the digest job run twice (or by two workers) makes one
digest; a period with nothing kept sends nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from envhub.compliance import alerts, digests
from envhub.compliance.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Digest,
    Notification,
    NotificationKind,
)
from envhub.core.timeutil import VN
from envhub.monitoring.models import ConnectivityChange
from tests.compliance.notify_helpers import DAY, announce, at, choose

pytestmark = pytest.mark.django_db

MORNING_AFTER = at(DAY + datetime.timedelta(days=1), 8)


def _inbox(world, persona):
    return world.client(persona).get("/api/v1/notifications").json()


def test_it_gives_a_leader_one_daily_digest_of_the_day_and_not_each_notice(world):
    announce(world, "hn", "dn", "hn-closed")
    before = _inbox(world, "leader")
    assert before["results"] == []  # nothing one by one
    # …but the page says what the next digest holds so far, and when it comes.
    assert [(row["frequency"], row["count"]) for row in before["waiting"]] == [("daily", 3)]
    assert before["waiting"][0]["at"].endswith("T07:00:00+07:00")
    waiting = world.client("leader").get("/notifications/").content.decode()
    assert "3 thông báo đang chờ bản tin tổng hợp tiếp theo của bạn" in waiting
    assert 'href="/provinces/75/compliance/"' in waiting
    assert "Chưa có thông báo nào" not in waiting
    assert len(_inbox(world, "steward")["results"]) == 3  # the steward hears at once

    assert digests.run(now=MORNING_AFTER) == 1
    results = _inbox(world, "leader")["results"]
    assert [row["kind"] for row in results] == ["digest"]
    data = results[0]["data"]
    assert (data["first"], data["last"], data["count"]) == ("2026-03-10", "2026-03-10", 3)
    assert data["totals"] == {"opened": 2, "closed": 1, "offline": 0, "back": 0, "other": 0}
    by_province = {row["code"]: (row["opened"], row["closed"]) for row in data["provinces"]}
    assert by_province == {"01": (1, 1), "75": (1, 0)}
    assert results[0]["subject"].startswith("Bản tin tổng hợp ngày 10/03/2026: 2")

    page = world.client("leader").get("/notifications/").content.decode()
    assert 'href="/provinces/01/compliance/?month=2026-03"' in page
    assert 'href="/provinces/75/compliance/?month=2026-03"' in page
    assert "Vượt quy chuẩn: SO2 tại Nhà máy Xi măng Biên Hòa (OK1)" in page
    assert not Delivery.objects.filter(user=world.users["leader"],
                                       status=DeliveryStatus.HELD).exists()


def test_it_counts_the_day_s_outages_in_the_digest(world):
    from envhub.monitoring.models import Connectivity

    now = MORNING_AFTER
    change = ConnectivityChange.objects.create(
        station=world.air_dn, at=datetime.datetime.now(VN), previous=Connectivity.ONLINE,
        current=Connectivity.OFFLINE)
    alerts.collect_connectivity()
    alerts.plan()
    Notification.objects.filter(connectivity_change=change).update(created_at=at(DAY, 9))
    digests.run(now=now)
    data = _inbox(world, "leader")["results"][0]["data"]
    assert data["totals"]["offline"] == 1
    assert data["provinces"][0]["code"] == "75"


def test_it_makes_one_digest_however_often_the_job_runs(world):
    announce(world, "hn")
    assert digests.run(now=MORNING_AFTER) == 1
    assert digests.run(now=MORNING_AFTER) == 0
    assert digests.run(now=MORNING_AFTER + datetime.timedelta(hours=3)) == 0
    assert Digest.objects.filter(user=world.users["leader"]).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 1


def test_a_second_worker_that_lost_the_race_makes_no_second_digest(world, monkeypatch):
    """Two workers that both saw the held deliveries: the second one's insert is refused by the
    unique constraint, its whole transaction is undone, and nothing is sent twice."""
    announce(world, "hn")
    leader = world.users["leader"]
    first = digests.build(DeliveryChannel.DAILY, DAY, DAY, now=MORNING_AFTER)
    # The second worker read the same rows before the first one marked them sent, and looked
    # for the digest before the first one committed it.
    Delivery.objects.filter(user=leader, channel=DeliveryChannel.DAILY).update(
        status=DeliveryStatus.HELD)
    monkeypatch.setattr(Digest.objects, "filter", lambda **kw: Digest.objects.none())
    second = digests.build(DeliveryChannel.DAILY, DAY, DAY, now=MORNING_AFTER)
    monkeypatch.undo()
    assert (first, second) == (1, 0)
    assert Notification.objects.filter(kind=NotificationKind.DIGEST).count() == 1
    assert Delivery.objects.filter(user=leader, channel=DeliveryChannel.IN_APP).count() == 1


def test_it_waits_for_the_configured_hour(world, settings):
    settings.ENVHUB_DIGEST_HOUR = 9
    announce(world, "hn")
    assert digests.run(now=at(DAY + datetime.timedelta(days=1), 8, 59)) == 0
    assert digests.run(now=at(DAY + datetime.timedelta(days=1), 9)) == 1


def test_a_day_with_nothing_sends_no_digest(world):
    assert digests.run(now=MORNING_AFTER) == 0
    announce(world, "hn", day=DAY - datetime.timedelta(days=5))  # long before: not this period
    assert digests.build(DeliveryChannel.DAILY, DAY, DAY, now=MORNING_AFTER) == 0
    assert not Notification.objects.filter(kind=NotificationKind.DIGEST).exists()


def test_a_weekly_digest_gathers_the_week_from_monday_to_sunday(world):
    leader = world.users["leader"]
    for kind in ("exceedance_opened", "exceedance_closed"):
        choose(leader, kind, "weekly")
    announce(world, "hn", day=DAY)  # Tuesday 10 March
    announce(world, "dn", "hn-closed", day=DAY + datetime.timedelta(days=2))  # Thursday
    announce(world, "hn2", day=DAY + datetime.timedelta(days=6))  # Monday 16: the next week
    sunday = at(datetime.date(2026, 3, 15), 20)
    assert digests.run(now=sunday) == 0  # the week is not over
    assert digests.run(now=at(datetime.date(2026, 3, 16), 8)) == 1
    data = _inbox(world, "leader")["results"][0]["data"]
    assert (data["frequency"], data["first"], data["last"]) == ("weekly", "2026-03-09",
                                                                "2026-03-15")
    assert data["totals"]["opened"] == 2 and data["totals"]["closed"] == 1
    assert Delivery.objects.filter(user=leader, status=DeliveryStatus.HELD).count() == 1


def test_the_digest_comes_by_e_mail_when_the_leader_wants_it(world):
    leader = world.users["leader"]
    leader.email = "leader@example.vn"
    leader.save()
    announce(world, "hn")
    mail.outbox = []
    digests.run(now=MORNING_AFTER)
    alerts.deliver()
    to_leader = [message for message in mail.outbox if message.to == ["leader@example.vn"]]
    assert len(to_leader) == 1
    assert to_leader[0].subject.startswith("Bản tin tổng hợp ngày 10/03/2026")
    assert "Thành phố Hà Nội — vượt quy chuẩn bắt đầu: 1" in to_leader[0].body


def test_the_digest_is_not_e_mailed_when_the_leader_said_no(world):
    leader = world.users["leader"]
    leader.email = "leader@example.vn"
    leader.save()
    choose(leader, "exceedance_opened", "daily", email=False)
    announce(world, "hn")
    mail.outbox = []
    digests.run(now=MORNING_AFTER)
    alerts.deliver()
    assert [m for m in mail.outbox if m.to == ["leader@example.vn"]] == []
    assert len(_inbox(world, "leader")["results"]) == 1


@pytest.mark.parametrize(("now", "frequency", "expected"), [
    # Daily: from the hour, the day before; before it, the day before that.
    (at(DAY, 7), "daily", (DAY - datetime.timedelta(days=1),) * 2),
    (at(DAY, 6, 59), "daily", (DAY - datetime.timedelta(days=2),) * 2),
    (at(DAY, 23, 59), "daily", (DAY - datetime.timedelta(days=1),) * 2),
    # Weekly: Monday to Sunday, due on the Monday from the hour.
    (at(datetime.date(2026, 3, 16), 7), "weekly",
     (datetime.date(2026, 3, 9), datetime.date(2026, 3, 15))),
    (at(datetime.date(2026, 3, 16), 6), "weekly",
     (datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))),
    (at(datetime.date(2026, 3, 15), 23), "weekly",
     (datetime.date(2026, 3, 2), datetime.date(2026, 3, 8))),
    # 00:30 local is still the day before in UTC: the local day counts.
    (at(DAY, 0, 30), "daily", (DAY - datetime.timedelta(days=2),) * 2),
])
def test_the_due_period(now, frequency, expected):
    periods = digests.due_periods(now.astimezone(datetime.UTC), 7, frequency)
    assert periods[0] == expected
    assert len(periods) == digests.CATCH_UP


@pytest.mark.parametrize(("value", "hour", "problems"), [
    (None, 7, 0), ("0", 0, 0), ("23", 23, 0), (" 9 ", 9, 0),
    ("24", 7, 1), ("-1", 7, 1), ("7am", 7, 1), ("7.5", 7, 1), ("", 7, 0),
])
def test_the_digest_hour_is_read_strictly(tmp_path, value, hour, problems):
    from envhub.core import config

    environ = {"ENVHUB_VAR_DIR": str(tmp_path)}
    if value is not None:
        environ["ENVHUB_DIGEST_HOUR"] = value
    loaded = config.load(environ, tmp_path, create_secret=False)
    assert loaded.digest_hour == hour
    assert len([p for p in loaded.problems if "ENVHUB_DIGEST_HOUR" in p]) == problems


def test_a_steward_may_gather_survey_notices_in_a_digest(world):
    choose(world.users["steward"], "survey", "daily")
    made = alerts.announce(NotificationKind.SURVEY, {
        "event": "submitted", "submission": 7, "organisation": world.survey_unit.pk,
        "unit": world.survey_unit.name, "campaign": "Điều tra 2026", "kind_vi": "Nguồn thải",
        "kind_en": "Sources", "comment": "", "by": "", "path": "/surveys/submissions/7/"})
    alerts.plan()
    Notification.objects.filter(pk=made.pk).update(created_at=at(DAY, 15))
    assert _inbox(world, "steward")["results"] == []
    assert digests.run(now=MORNING_AFTER) == 1
    row = _inbox(world, "steward")["results"][0]
    assert row["data"]["totals"]["other"] == 1
    page = world.client("steward").get("/notifications/").content.decode()
    assert "Không thuộc tỉnh nào" in page
    assert 'href="/surveys/submissions/7/"' in page


@pytest.mark.parametrize(("now", "frequency", "expected"), [
    (at(DAY, 6), "daily", at(DAY, 7)),
    (at(DAY, 7), "daily", at(DAY + datetime.timedelta(days=1), 7)),
    (at(DAY, 23), "daily", at(DAY + datetime.timedelta(days=1), 7)),
    (at(DAY, 6), "weekly", at(datetime.date(2026, 3, 16), 7)),  # Tuesday: next Monday
    (at(datetime.date(2026, 3, 16), 6), "weekly", at(datetime.date(2026, 3, 16), 7)),
    (at(datetime.date(2026, 3, 16), 8), "weekly", at(datetime.date(2026, 3, 23), 7)),
])
def test_the_next_digest_time(now, frequency, expected):
    assert digests.next_sending(now.astimezone(datetime.UTC), 7, frequency) == expected


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_the_admin_lists_digests_to_whom_they_belong(world, persona):
    """Administrators see every digest; anyone else who may open the admin only their own."""
    from tests.accounts.test_admin_personas import changelist_rows

    choose(world.users["officer"], "exceedance_opened", "daily")
    announce(world, "hn")
    digests.run(now=MORNING_AFTER)
    response = world.client(persona).get("/admin/compliance/digest/")
    if response.status_code != 200:
        assert persona != "admin"
        return
    listed = 'id="result_list"' in response.content.decode()
    rows = changelist_rows(response, "compliance/digest") if listed else {}
    owners = set(Digest.objects.filter(pk__in=rows).values_list("user__username", flat=True))
    assert owners == ({"leader", "officer"} if persona == "admin"
                      else {persona} & {"leader", "officer"})
