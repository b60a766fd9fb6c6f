"""Public disclosure: a facility's compliance summary reaches the public only when a steward or
an administrator opens it (or the national switch), on every road — the public page, its JSON
twin, the catalogue's downloads, CKAN and DCAT — and nothing else of the facility does."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import Client

from envhub.catalog import services as catalog
from envhub.compliance import disclosure
from envhub.compliance.disclosure_models import Disclosure
from envhub.compliance.models import (
    Assessment,
    EventStatus,
    ExceedanceEvent,
    Permit,
    Regulation,
    State,
)
from envhub.core import audit
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import ANONYMOUS
from envhub.core.timeutil import VN
from envhub.registry.models import Parameter
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

EVENTS = "cong-khai-vuot-quy-chuan"
MONTHS = "cong-khai-tuan-thu-hang-thang"
QUARTER = "?quarter=2026-Q1"
SECRET_NOTE = "Ghi chú nội bộ của giấy phép"


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, tzinfo=VN)


@pytest.fixture
def disclosed(world):
    """A permit, judged averages and an exceedance event at the Hà Nội and Đồng Nai stacks in
    March 2026, and the catalogue built from them."""
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    for key, source in (("hn", world.stack_hn), ("dn", world.stack_dn)):
        permit = Permit.objects.create(
            source=source, number=f"{key}/GPMT", valid_from=datetime.date(2024, 1, 1),
            regulation=regulation, column="B", facility_flow_m3h=54_000, location_class="3",
            note=SECRET_NOTE)
        for hour in (1, 2, 3):
            Assessment.objects.create(
                source=source, parameter=so2, window_end=at(10, hour), window_hours=1,
                measured=600, value=600, limit=450, multiple=1.333, coverage=100,
                state=State.EXCEEDS if hour < 3 else State.COMPLIES, permit=permit)
        ExceedanceEvent.objects.create(
            source=source, parameter=so2, permit=permit, start=at(10, 0), end=at(10, 2),
            peak_value=612.5, peak_multiple=1.361, peak_at=at(10, 1), band="2", hours=2,
            limit=450, unit="mg/Nm3", status=EventStatus.CLOSED)
    assert not catalog.sync().problems
    return world


def page(client: Client, facility) -> int:
    return client.get(f"/public/facilities/{facility.pk}/{QUARTER}").status_code


def download(client: Client, identifier: str) -> list[dict]:
    response = client.get(f"/datasets/{identifier}/download.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def ckan_extras(client: Client, identifier: str) -> dict:
    response = client.get("/api/3/action/package_show", {"id": identifier})
    assert response.status_code == 200
    return {item["key"]: item["value"] for item in response.json()["result"]["extras"]}


def dcat_text() -> str:
    response = Client().get("/catalog.ttl")
    assert response.status_code == 200
    return response.content.decode()


def open_hn(world, reason="Công khai theo yêu cầu của báo chí"):
    return disclosure.decide(world.actor("steward"), world.facility_hn.pk, True, reason)


# --- closed by default -----------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_hides_a_facility_not_opened_from_every_persona(disclosed, persona):
    client = disclosed.client(persona)
    assert page(client, disclosed.facility_hn) == 404
    response = client.get(f"/api/v1/public/facilities/{disclosed.facility_hn.pk}")
    assert response.status_code == 404
    assert response.json()["ok"] is False and response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/public/facilities").json()["results"] == []
    assert disclosed.facility_hn.name not in client.get("/public/facilities/").content.decode()


def test_it_keeps_a_closed_facility_out_of_the_datasets_ckan_and_dcat(disclosed):
    anonymous = Client()
    for identifier in (EVENTS, MONTHS):
        assert download(anonymous, identifier) == []
        extras = ckan_extras(anonymous, identifier)
        assert extras["row_count"] == "0" and extras.get("provinces", "") == ""
    text = dcat_text()
    assert EVENTS in text  # the datasets are listed, empty
    assert disclosed.facility_hn.name not in text
    # Even a national role reads no row of a facility nobody opened.
    assert download(disclosed.client("steward"), EVENTS) == []


def test_an_unknown_facility_is_not_found_like_a_closed_one(disclosed):
    assert Client().get(f"/public/facilities/999999/{QUARTER}").status_code == 404
    assert Client().get("/api/v1/public/facilities/999999").status_code == 404


# --- opened ----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_once_opened_every_persona_sees_the_summary(disclosed, persona):
    open_hn(disclosed)
    client = disclosed.client(persona)
    response = client.get(f"/public/facilities/{disclosed.facility_hn.pk}/{QUARTER}")
    assert response.status_code == 200
    text = response.content.decode()
    assert disclosed.facility_hn.name in text and "Hà Nội" in text
    assert "QCVN 19:2009/BTNMT" in text and "SO2" in text
    assert page(client, disclosed.facility_dn) == 404  # the others stay closed
    listed = client.get("/api/v1/public/facilities").json()["results"]
    assert [item["name"] for item in listed] == [disclosed.facility_hn.name]


def test_the_summary_shows_limits_hours_events_and_completeness(disclosed):
    open_hn(disclosed)
    response = Client().get(f"/api/v1/public/facilities/{disclosed.facility_hn.pk}{QUARTER}")
    assert response.status_code == 200
    body = response.json()
    assert body["facility"]["province_code"] == "01"
    assert body["facility"]["sector"] == disclosed.facility_hn.sector
    assert body["period"] == {"kind": "quarter", "code": "2026-Q1", "first": "2026-01-01",
                              "last": "2026-03-31"}
    stack = next(source for source in body["sources"] if source["code"] == "OK1")
    so2 = next(row for row in stack["limits"] if row["parameter"] == "SO2")
    assert so2["regulation"] == "QCVN 19:2009/BTNMT" and so2["column"] == "B"
    assert so2["maximum"] is not None and so2["unit"]
    assert so2["windows_over"] == 2 and so2["windows_valid"] == 3
    assert [(event["parameter"], event["hours"], event["peak_multiple"], event["band"])
            for event in body["events"]] == [("SO2", 2, 1.361, "2")]
    assert body["events"][0]["start"].startswith("2026-03-10T00:00")


def test_a_month_without_events_shows_none(disclosed):
    open_hn(disclosed)
    body = Client().get(f"/api/v1/public/facilities/{disclosed.facility_hn.pk}?month=2026-02")
    assert body.status_code == 200
    assert body.json()["events"] == [] and body.json()["period"]["code"] == "2026-02"


def test_once_opened_nothing_else_of_the_facility_is_shown(disclosed):
    world = disclosed
    open_hn(world)
    anonymous = Client()
    url = f"/public/facilities/{world.facility_hn.pk}/{QUARTER}"
    for text in (anonymous.get(url).content.decode(),
                 anonymous.get(f"/api/v1/public/facilities/{world.facility_hn.pk}").content
                 .decode()):
        assert SECRET_NOTE not in text and "hn/GPMT" not in text  # no permit
        assert world.facility_hn.tax_code not in text  # the FTP user name
        assert world.enterprise_hn.name not in text  # no operator
        assert "612" not in text  # no measured value
    # The raw data and the registry's records stay behind an account.
    raw = anonymous.get("/api/v1/observations", {"station": world.station_stack_hn.code,
                                                 "parameter": "SO2"})
    assert raw.status_code in (401, 404)
    assert anonymous.get(f"/api/v1/facilities/{world.facility_hn.pk}").status_code in (401, 404)
    assert anonymous.get(f"/facilities/{world.facility_hn.pk}/compliance/").status_code == 302
    assert anonymous.get(f"/api/v1/stations/{world.station_stack_hn.code}/latest") \
        .status_code in (401, 404)


def test_once_opened_its_rows_reach_the_datasets_ckan_and_dcat(disclosed):
    world = disclosed
    open_hn(world)
    anonymous = Client()
    events = download(anonymous, EVENTS)
    assert [(row["facility"], row["parameter"], row["hours"]) for row in events] == [
        (world.facility_hn.name, "SO2", "2")]
    assert "peak_value" not in events[0] and "permit" not in events[0]
    months = download(anonymous, MONTHS)
    assert {row["facility"] for row in months} == {world.facility_hn.name}
    march = next(row for row in months if row["month"] == "2026-03")
    assert march["events_started"] == "1" and march["province_code"] == "01"
    extras = ckan_extras(anonymous, EVENTS)
    assert extras["row_count"] == "1" and extras["provinces"] == "01"
    text = dcat_text()
    assert "/provinces/01" in text and world.facility_dn.name not in text


def test_closing_hides_it_again(disclosed):
    world = disclosed
    open_hn(world)
    assert page(Client(), world.facility_hn) == 200
    disclosure.decide(world.actor("admin"), world.facility_hn.pk, False, "Đính chính số liệu")
    assert page(Client(), world.facility_hn) == 404
    assert download(Client(), EVENTS) == []
    assert ckan_extras(Client(), EVENTS)["row_count"] == "0"


# --- who decides -----------------------------------------------------------------------------

DECIDERS = {"admin", "steward"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_and_admins_open_a_facility(disclosed, persona):
    world = disclosed
    client = world.client(persona)
    response = client.post("/disclosure/", {"facility": world.facility_hn.pk, "action": "open",
                                            "reason": "Thử"})
    if persona in DECIDERS:
        assert response.status_code == 302
        assert page(Client(), world.facility_hn) == 200
        assert client.get("/disclosure/").status_code == 200
    else:
        assert response.status_code == (302 if persona == "anonymous" else 403)
        assert page(Client(), world.facility_hn) == 404
        assert not Disclosure.objects.exists()
        assert client.get("/disclosure/").status_code in (302, 403)


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - DECIDERS))
def test_the_service_refuses_other_roles(disclosed, persona):
    actor = disclosed.actor(persona) if persona != "anonymous" else ANONYMOUS
    error = NotAuthenticated if persona == "anonymous" else Forbidden
    with pytest.raises(error):
        disclosure.decide(actor, None, True, "Thử")
    with pytest.raises(error):
        disclosure.decide(actor, disclosed.facility_hn.pk, True, "Thử")
    assert not Disclosure.objects.exists()


def test_a_decision_is_audited_with_who_and_why(disclosed):
    decision = open_hn(disclosed)
    assert decision.decided_by == "Steward" and decision.decided_at is not None
    event = audit.events().filter(object_type="compliance.disclosure").order_by("-id").first()
    assert event.actor == "user:steward" and event.action == "create"
    assert event.changes["reason"][1] == "Công khai theo yêu cầu của báo chí"
    assert event.changes["is_open"][1] is True


def test_a_decision_needs_a_reason(disclosed):
    with pytest.raises(InvalidInput):
        disclosure.decide(disclosed.actor("steward"), disclosed.facility_hn.pk, True, "  ")
    client = disclosed.client("steward")
    response = client.post("/disclosure/", {"facility": disclosed.facility_hn.pk,
                                            "action": "open", "reason": ""}, follow=True)
    assert response.status_code == 200
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("form", [{"facility": "abc", "action": "open", "reason": "x"},
                                  {"facility": "1", "action": "delete", "reason": "x"},
                                  {"facility": "", "action": "follow", "reason": "x"}])
def test_a_bad_form_is_refused_with_a_message(disclosed, form):
    response = disclosed.client("steward").post("/disclosure/", form, follow=True)
    assert response.status_code == 200
    assert not Disclosure.objects.exists()


def test_an_unknown_facility_cannot_be_opened(disclosed):
    with pytest.raises(NotFound):
        disclosure.decide(disclosed.actor("steward"), 999999, True, "Thử")


# --- the national switch ---------------------------------------------------------------------

def test_the_national_switch_opens_every_facility_without_its_own_decision(disclosed):
    world = disclosed
    steward = world.actor("steward")
    disclosure.decide(steward, world.facility_dn.pk, False, "Cơ sở quốc phòng")
    response = world.client("steward").post("/disclosure/", {
        "facility": "", "action": "open", "reason": "Công khai toàn quốc"})
    assert response.status_code == 302
    assert disclosure.national_open()
    assert page(Client(), world.facility_hn) == 200
    assert page(Client(), world.facility_hn2) == 200
    assert page(Client(), world.facility_dn) == 404  # its own decision wins
    assert {row["facility"] for row in download(Client(), EVENTS)} == {world.facility_hn.name}
    disclosure.follow_national(steward, world.facility_dn.pk, "Đã xác minh")
    assert page(Client(), world.facility_dn) == 200
    disclosure.decide(steward, None, False, "Tạm dừng")
    for facility in (world.facility_hn, world.facility_hn2, world.facility_dn):
        assert page(Client(), facility) == 404
    assert Disclosure.objects.filter(facility__isnull=True).count() == 1


def test_the_stewards_page_lists_each_facility_with_its_state(disclosed):
    world = disclosed
    open_hn(world)
    text = world.client("steward").get("/disclosure/").content.decode()
    for facility in (world.facility_hn, world.facility_hn2, world.facility_dn):
        assert facility.name in text
    assert "Công khai theo yêu cầu của báo chí" in text
    assert "Steward" in text and "user:" not in text


# --- periods ---------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["?quarter=2026-Q5", "?quarter=abc", "?month=2026-13",
                                   "?month=" + "9" * 30])
def test_a_bad_period_is_a_clear_400(disclosed, query):
    open_hn(disclosed)
    url = f"/api/v1/public/facilities/{disclosed.facility_hn.pk}{query}"
    response = Client().get(url)
    assert response.status_code == 400 and response.json()["ok"] is False
    assert Client().get(f"/public/facilities/{disclosed.facility_hn.pk}/{query}") \
        .status_code == 400


@pytest.mark.parametrize("month, quarter, today, expected", [
    ("2026-02", None, None, ("2026-02-01", "2026-02-28", "2026-02")),
    (None, "2026-Q4", None, ("2026-10-01", "2026-12-31", "2026-Q4")),
    (None, "2024-q1", None, ("2024-01-01", "2024-03-31", "2024-Q1")),
    (None, None, datetime.date(2026, 8, 15), ("2026-07-01", "2026-09-30", "2026-Q3")),
    (None, None, datetime.date(2026, 12, 31), ("2026-10-01", "2026-12-31", "2026-Q4")),
])
def test_it_reads_the_period(month, quarter, today, expected):
    period = disclosure.period_of(month, quarter, today)
    assert (period.first.isoformat(), period.last.isoformat(), period.code) == expected


def test_the_page_is_in_english_too(disclosed):
    open_hn(disclosed)
    client = Client()
    client.cookies["django_language"] = "en"
    text = client.get(f"/public/facilities/{disclosed.facility_hn.pk}/{QUARTER}") \
        .content.decode()
    assert "Compliance summary" in text and "Exceedance events in the period" in text


# --- the decisions' API ----------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_only_stewards_and_admins_decide_through_the_api(disclosed, persona):
    client = disclosed.client(persona)
    body = {"facility": disclosed.facility_hn.pk, "open": True, "reason": "Theo yêu cầu"}
    response = client.post("/api/v1/disclosures", body, content_type="application/json")
    listed = client.get("/api/v1/disclosures")
    if persona in DECIDERS:
        assert response.status_code == 200 and response.json()["is_open"] is True
        assert response.json()["facility_name"] == disclosed.facility_hn.name
        assert listed.json()["national_open"] is False
        assert [item["facility_id"] for item in listed.json()["decisions"]] == [
            disclosed.facility_hn.pk]
        assert page(Client(), disclosed.facility_hn) == 200
    else:
        expected = 401 if persona == "anonymous" else 403
        assert response.status_code == expected and listed.status_code == expected
        assert response.json()["ok"] is False
        assert page(Client(), disclosed.facility_hn) == 404


@pytest.mark.parametrize("body", [{"open": True}, {"open": True, "reason": ""},
                                  {"open": True, "reason": "x" * 501},
                                  {"facility": "abc", "open": True, "reason": "x"}, [], None])
def test_a_bad_decision_is_a_clear_4xx(disclosed, body):
    response = disclosed.client("steward").post("/api/v1/disclosures", body,
                                                content_type="application/json")
    assert response.status_code in (400, 422) and response.json()["ok"] is False
    assert not Disclosure.objects.exists()


def test_the_api_opens_the_national_switch(disclosed):
    client = disclosed.client("admin")
    response = client.post("/api/v1/disclosures", {"facility": None, "open": True,
                                                   "reason": "Toàn quốc"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["facility_id"] is None
    assert client.get("/api/v1/disclosures").json()["national_open"] is True
    assert page(Client(), disclosed.facility_dn) == 200


def test_no_total_of_hours_where_the_data_do_not_allow_one(disclosed):
    """February has no judged average: no total of hours (not a 0 that reads as compliance)."""
    open_hn(disclosed)
    body = Client().get(f"/api/v1/public/facilities/{disclosed.facility_hn.pk}?month=2026-02")
    assert body.json()["hours_over"] is None
    march = Client().get(f"/api/v1/public/facilities/{disclosed.facility_hn.pk}?month=2026-03")
    assert march.json()["hours_over"] == 2
