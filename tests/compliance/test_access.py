"""Who sees which limits, events, reports and notifications: every persona against the compliance
API and pages; no leak across provinces or facilities."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import (
    Delivery,
    EventStatus,
    ExceedanceEvent,
    Permit,
    Regulation,
)
from envhub.registry.models import Parameter
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    events = {}
    for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn)):
        permit = Permit.objects.create(
            source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3")
        events[key] = ExceedanceEvent.objects.create(
            source=source, parameter=so2, permit=permit, start=now - datetime.timedelta(hours=3),
            end=now - datetime.timedelta(hours=1), peak_value=600, peak_multiple=1.333,
            peak_at=now - datetime.timedelta(hours=2), band="2", hours=2, limit=450,
            unit="mg/Nm3", status=EventStatus.CLOSED)
    return events


# Which events each persona sees: Hà Nội's officer and the Hà Nội operator only their own.
EXPECTED = {"admin": {"hn", "dn"}, "steward": {"hn", "dn"}, "leader": {"hn", "dn"},
            "officer": {"hn"}, "operator": {"hn"}, "survey": set()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_event_list_is_scoped(world, setup, persona):
    response = world.client(persona).get("/api/v1/exceedances")
    if persona == "anonymous":
        assert response.status_code == 401
        assert response.json()["ok"] is False
        return
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {setup[key].pk for key in EXPECTED[persona]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_event_out_of_scope_is_not_found(world, setup, persona):
    response = world.client(persona).get(f"/api/v1/exceedances/{setup['dn'].pk}")
    expected = 401 if persona == "anonymous" else 200 if "dn" in EXPECTED[persona] else 404
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_limits_follow_the_source(world, setup, persona):
    for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn)):
        response = world.client(persona).get(f"/api/v1/sources/{source.pk}/limits")
        if persona == "anonymous":
            assert response.status_code == 401
        elif key in EXPECTED[persona]:
            assert response.status_code == 200
            body = response.json()
            so2 = next(row for row in body["limits"] if row["parameter"] == "SO2")
            assert so2["value"] == 450
            assert so2["derivation"].endswith("= 500 × Kp 0,9 × Kv 1 = 450 mg/Nm3")  # decimal comma
            assert so2["verified"] is False  # the table is [R] in the notes
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_facility_page_and_report_follow_the_facility(world, setup, persona):
    client = world.client(persona)
    for key, facility in (("hn", world.facility_hn), ("dn", world.facility_dn)):
        page = client.get(f"/facilities/{facility.pk}/compliance/")
        report = client.get(f"/facilities/{facility.pk}/compliance.xlsx")
        if persona == "anonymous":
            assert page.status_code == 302 and "/login" in page["Location"]
            assert report.status_code == 302
        elif key in EXPECTED[persona]:
            assert page.status_code == 200
            assert b"450" in page.content
            assert report.status_code == 200
            book = openpyxl.load_workbook(io.BytesIO(report.content), read_only=True)
            assert len(book.sheetnames) == 5
        else:
            assert page.status_code == 404
            assert report.status_code == 404


@pytest.mark.parametrize("persona", ("steward", "officer", "operator", "survey"))
def test_the_province_view_lists_only_facilities_in_scope(world, setup, persona):
    page = world.client(persona).get("/provinces/75/compliance/")
    assert page.status_code == 200
    shown = world.facility_dn.name.encode() in page.content
    assert shown == ("dn" in EXPECTED[persona])


def test_notifications_are_each_persons_own(world, setup):
    alerts.event_opened(setup["hn"])
    alerts.event_opened(setup["dn"])
    alerts.plan()
    for persona, expected in (("officer", 1), ("operator", 1), ("steward", 2), ("survey", 0)):
        body = world.client(persona).get("/api/v1/notifications").json()
        assert len(body["results"]) == expected, persona
        assert body["unread"] == expected
    other = Delivery.objects.filter(user=world.users["steward"]).first()
    client = world.client("officer")
    response = client.post("/api/v1/notifications/read", {"ids": [other.pk]},
                           content_type="application/json")
    assert response.json() == {"marked": 0}  # not theirs: nothing happens
    assert client.post("/api/v1/notifications/read", {},
                       content_type="application/json").json() == {"marked": 1}
    assert world.client("anonymous").get("/api/v1/notifications").status_code == 401


def test_bad_filters_are_clear_errors(world, setup):
    client = world.client("steward")
    for query in ("status=withdrawn", "from=yesterday", "facility=0",
                  "from=2026-11-20&to=2026-11-01"):
        response = client.get(f"/api/v1/exceedances?{query}")
        assert response.status_code == 400, query
        assert response.json()["ok"] is False
    assert client.get(f"/facilities/{world.facility_hn.pk}/compliance/?from=x").status_code == 400


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_overview_lists_the_provinces_in_scope(world, setup, persona):
    page = world.client(persona).get("/compliance/")
    if persona == "anonymous":
        assert page.status_code == 302
        return
    assert page.status_code == 200
    shown = {code for code, province in (("hn", world.hanoi), ("dn", world.dongnai))
             if f"/provinces/{province.code}/compliance/".encode() in page.content}
    assert shown == EXPECTED[persona]
    assert world.client(persona).get("/compliance/?month=2026-13").status_code == 400


def test_the_notifications_page_shows_ones_own_and_marks_them_read(world, setup):
    alerts.event_opened(setup["hn"])
    alerts.event_opened(setup["dn"])
    alerts.plan()
    client = world.client("officer")
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert world.facility_hn.name.encode() in page.content
    assert world.facility_dn.name.encode() not in page.content
    assert b'class="unread"' in page.content
    home = client.get("/").content.decode()
    assert re.search(r'href="/notifications/">[^<]*<span class="badge[^>]*>1</span>', home)
    assert client.post("/notifications/").status_code == 302
    assert b'class="unread"' not in client.get("/notifications/").content
    assert world.client("anonymous").get("/notifications/").status_code == 302
