"""`/api/v1/dashboard`: the page's figures as JSON, the same filters, the one error envelope."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _figures(body):
    return {item["key"]: item for item in body["figures"] + body["events_by_band"]
            + body["aqi"]["categories"]}


@pytest.mark.parametrize("persona", ["admin", "steward", "leader", "officer"])
def test_it_gives_the_figures_of_the_page(world, seeded, persona):
    body = world.client(persona).get("/api/v1/dashboard").json()
    assert body["period"] == {"kind": "month", "first": "2026-11-01", "last": "2026-11-30"}
    assert body["previous"] == {"first": "2026-10-01", "last": "2026-10-31"}
    figures = _figures(body)
    hours = figures["hours_over"]
    assert (hours["value"], hours["previous"]) == ((5, 5) if persona != "officer" else (5, 3))
    assert hours["change"]["kind"] == ("same" if persona != "officer" else "up")
    assert hours["filters"] == ["province", "sector"]
    assert figures["datasets_late"]["change"] is None
    assert body["provinces"] == (None if persona != "officer" else ["01"])


def test_it_says_no_earlier_data_in_json(world, seeded):
    body = world.client("leader").get("/api/v1/dashboard?period=month&at=2026-10-10").json()
    assert _figures(body)["hours_over"]["change"] == {"kind": "no_earlier", "delta": None,
                                                      "percent": None}


@pytest.mark.parametrize(("persona", "status", "code"), [
    ("operator", 403, "permission_denied"), ("survey", 403, "permission_denied"),
    ("anonymous", 401, "not_authenticated")])
def test_it_refuses_those_without_a_dashboard(world, seeded, persona, status, code):
    for url in ("/api/v1/dashboard", "/api/v1/dashboard/map"):
        response = world.client(persona).get(url)
        assert response.status_code == status
        assert response.json()["ok"] is False and response.json()["error"]["code"] == code


def test_it_answers_bad_filters_and_other_provinces_in_the_envelope(world, seeded):
    bad = world.client("leader").get("/api/v1/dashboard?period=decade")
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_input"
    assert "decade" in bad.json()["error"]["message"]
    away = world.client("officer").get("/api/v1/dashboard?province=75")
    assert away.status_code == 404 and away.json()["error"]["code"] == "not_found"


def test_it_gives_the_map_stations_of_the_view(world, seeded):
    body = world.client("officer").get("/api/v1/dashboard/map").json()
    codes = {item["code"]: item["state"] for item in body["stations"]}
    assert codes == {"HNKK1": "online", "HNKT1": "online", "HNKT2": "offline", "HNNT1": "late"}
    everyone = world.client("leader").get("/api/v1/dashboard/map?province=75").json()
    assert {item["code"] for item in everyone["stations"]} == {"DNKK1", "DNKT1"}
