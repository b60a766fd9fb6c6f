"""Each role is offered only the kinds of notification it can receive, from one table
(`preferences.RECEIVED_BY`) that also bounds who the worker reaches: an operator chooses nothing
about surveys or reports, a survey unit only about surveys, an administrator about nothing."""

from __future__ import annotations

import pytest
from django.db.models import Q

from envhub.accounts.models import NotificationPreference
from envhub.compliance import alerts, preferences
from envhub.compliance.models import Notification, NotificationKind
from tests.compliance.notify_helpers import event

pytestmark = pytest.mark.django_db

URL = "/notifications/preferences/"
API = "/api/v1/notifications/preferences"
FACILITY_NEWS = {"exceedance_opened", "exceedance_closed", "connectivity"}
OFFERED = {
    "admin": set(),
    "steward": FACILITY_NEWS | {"survey"},
    "leader": FACILITY_NEWS | {"report_ready"},
    "officer": FACILITY_NEWS | {"report_ready"},
    "operator": FACILITY_NEWS,
    "survey": {"survey"},
}


@pytest.mark.parametrize("persona", sorted(OFFERED))
def test_each_role_is_offered_the_kinds_it_receives(world, persona):
    client = world.client(persona)
    assert {row["kind"] for row in client.get(API).json()} == OFFERED[persona]
    page = client.get(URL).content.decode()
    for kind in preferences.RECEIVED_BY:
        assert (f'name="mode-{kind}"' in page) == (kind in OFFERED[persona])
    assert ('id="no-kinds"' in page) == (not OFFERED[persona])


@pytest.mark.parametrize(("persona", "kind"), [("operator", "survey"),
                                               ("operator", "report_ready"),
                                               ("survey", "exceedance_opened"),
                                               ("steward", "report_ready")])
def test_a_kind_the_role_never_receives_is_refused_whole(world, persona, kind):
    offered = sorted(OFFERED[persona])[0]
    response = world.client(persona).put(
        API, {"preferences": [{"kind": offered, "mode": "off", "email": False},
                              {"kind": kind, "mode": "daily", "email": True}]},
        content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["details"] == {kind: "not for your role"}
    assert not NotificationPreference.objects.filter(user=world.users[persona]).exists()


def test_a_form_posted_with_a_kind_not_offered_leaves_it_alone(world):
    client = world.client("operator")
    response = client.post(URL, {"mode-connectivity": "weekly", "mode-survey": "off"})
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.filter(user=world.users["operator"])
                .values_list("kind", "mode")) == {"connectivity": "weekly"}


def test_every_kind_a_person_can_choose_is_in_the_table():
    assert {kind for kind, _label in preferences.kinds()} == set(preferences.RECEIVED_BY)
    assert NotificationKind.DIGEST not in preferences.RECEIVED_BY


def _reached(world, notification) -> set[str]:
    users, _organisations = alerts.recipients(notification)
    names = {user.pk: persona for persona, user in world.users.items() if user is not None}
    return {names[user.pk] for user in users if user.pk in names}


def _notifications(world) -> dict[str, Notification]:
    opened = alerts.event_opened(event(world, "hn"))
    facility = world.stack_hn.facility
    return {
        "exceedance_opened": opened,
        "connectivity": Notification(kind=NotificationKind.CONNECTIVITY, facility=facility,
                                     province_id=facility.province_id,
                                     station=world.station_stack_hn, payload={}),
        # A loading that failed is told to both the stewards and the unit.
        "survey": Notification(kind=NotificationKind.SURVEY, payload={
            "event": "load_failed", "organisation": world.survey_unit.pk}),
        "report_ready": Notification(kind=NotificationKind.REPORT_READY,
                                     province=world.hanoi, payload={}),
    }


@pytest.mark.parametrize("kind", ["exceedance_opened", "connectivity", "survey",
                                  "report_ready"])
def test_the_worker_reaches_each_role_the_page_offers_the_kind_to(world, kind):
    """In Hà Nội's scope every persona offered the kind hears of it, and no other."""
    notification = _notifications(world)[kind]
    assert _reached(world, notification) == {persona for persona, kinds in OFFERED.items()
                                             if kind in kinds}


def test_the_table_bounds_an_audience_that_asks_for_everyone(world, monkeypatch):
    monkeypatch.setitem(alerts._AUDIENCES, NotificationKind.SURVEY, lambda _n: ~Q(pk__in=[]))
    assert _reached(world, _notifications(world)["survey"]) == {"steward", "survey"}
