"""The notifications page and its JSON twin: filters by kind, read state and period, keyset
paging that keeps the filters, one or all marked read, a badge that counts what is unread, and
nobody reads or marks another person's notification (404 for their ids)."""

from __future__ import annotations

import datetime

import pytest

from envhub.compliance.models import Delivery, DeliveryChannel
from tests.compliance.notify_helpers import DAY, announce
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


def _ids(response):
    return [row["id"] for row in response.json()["results"]]


def _steward_inbox(world):
    return Delivery.objects.filter(user=world.users["steward"],
                                   channel=DeliveryChannel.IN_APP).order_by("-id")


def test_it_filters_by_kind_state_and_period(world):
    announce(world, "hn", day=DAY)
    announce(world, "dn", "hn-closed", day=DAY + datetime.timedelta(days=1))
    client = world.client("steward")
    inbox = list(_steward_inbox(world))
    assert len(_ids(client.get(API))) == 3
    assert len(_ids(client.get(API, {"kind": "exceedance_closed"}))) == 1
    assert len(_ids(client.get(API, {"from": "2026-03-11", "to": "2026-03-11"}))) == 2
    assert len(_ids(client.get(API, {"to": "2026-03-10"}))) == 1
    client.post(f"{API}/{inbox[0].pk}/read", content_type="application/json")
    assert _ids(client.get(API, {"state": "read"})) == [inbox[0].pk]
    assert len(_ids(client.get(API, {"state": "unread"}))) == 2
    page = client.get("/notifications/", {"kind": "exceedance_closed"}).content.decode()
    assert page.count('<tr class="unread"') + page.count("<tr id=") == 1


def test_paging_keeps_the_filters(world):
    announce(world, "hn", "hn2", "dn", "hn-closed")
    client = world.client("steward")
    first = client.get(API, {"kind": "exceedance_opened", "limit": 2}).json()
    second = client.get(API, {"kind": "exceedance_opened", "limit": 2,
                              "cursor": first["next"]}).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert {row["kind"] for row in first["results"] + second["results"]} == \
        {"exceedance_opened"}
    assert second["next"] is None
    page = client.get("/notifications/", {"kind": "exceedance_opened"}).content.decode()
    assert "kind=exceedance_opened" in page


@pytest.mark.parametrize("query", [{"kind": "nonsense"}, {"state": "maybe"},
                                   {"from": "yesterday"}, {"from": "2026-03-12",
                                                           "to": "2026-03-10"}])
def test_a_bad_filter_is_a_400(world, query):
    client = world.client("steward")
    response = client.get(API, query)
    assert response.status_code == 400 and response.json()["ok"] is False
    assert client.get("/notifications/", query).status_code == 400


def test_marking_one_read_keeps_the_badge_true(world):
    announce(world, "hn", "dn")
    client = world.client("steward")
    assert client.get(API).json()["unread"] == 2
    target = _steward_inbox(world).first()
    response = client.post(f"/notifications/{target.pk}/read/?state=unread")
    assert response.status_code == 302 and response["Location"] == "/notifications/?state=unread"
    assert client.get(API).json()["unread"] == 1
    page = client.get("/notifications/").content.decode()
    assert 'aria-label="1 chưa đọc"' in page
    one = client.post(f"{API}/{_steward_inbox(world).last().pk}/read")
    assert one.status_code == 200 and one.json()["read"] is True
    assert client.get(API).json()["unread"] == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_reads_or_marks_another_s_notification(world, persona):
    announce(world, "hn")
    theirs = _steward_inbox(world).first()
    client = world.client(persona)
    page = client.post(f"/notifications/{theirs.pk}/read/")
    one = client.get(f"{API}/{theirs.pk}")
    marked = client.post(f"{API}/{theirs.pk}/read")
    if persona == "anonymous":
        assert page.status_code == 302
        assert (one.status_code, marked.status_code) == (401, 401)
    elif persona == "steward":
        assert page.status_code == 302
        assert one.status_code == 200 and one.json()["id"] == theirs.pk
        assert marked.json()["read"] is True
    else:
        assert (page.status_code, one.status_code, marked.status_code) == (404, 404, 404)
        assert marked.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.read_at is not None) == (persona == "steward")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_sees_only_their_own_notifications(world, persona):
    announce(world, "hn", "dn")
    client = world.client(persona)
    response, page = client.get(API), client.get("/notifications/")
    if persona == "anonymous":
        assert response.status_code == 401 and page.status_code == 302
        return
    own = set(Delivery.objects.filter(user=world.users[persona], channel=DeliveryChannel.IN_APP)
              .values_list("id", flat=True))
    assert set(_ids(response)) == own
    expected = {"steward": 2, "officer": 1, "operator": 1}.get(persona, 0)
    assert len(own) == expected
    assert page.status_code == 200
