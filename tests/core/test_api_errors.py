"""One error envelope for every 4xx and 5xx under /api/v1/, whatever produced it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"ok", "error"}
    assert body["ok"] is False
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def test_it_wraps_an_unknown_path(client, reference):
    assert_envelope(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_it_wraps_an_unknown_object(client, reference):
    assert_envelope(client.get("/api/v1/provinces/99"), 404, "not_found")


def test_it_wraps_a_wrong_method(client, reference):
    assert_envelope(client.post("/api/v1/provinces"), 405, "method_not_allowed")
    assert_envelope(client.delete("/api/v1/provinces/01"), 405, "method_not_allowed")


@pytest.mark.parametrize("query, field", [
    ({"limit": "many"}, "limit"),
    ({"limit": 0}, "limit"),
    ({"limit": 100000}, "limit"),
    ({"cursor": "garbage"}, "cursor"),
])
def test_it_wraps_bad_query_values_with_the_field_named(client, reference, query, field):
    error = assert_envelope(client.get("/api/v1/provinces", query), 400, "invalid_input")
    assert field in error["details"]


def test_it_wraps_a_bad_enum_filter(world):
    error = assert_envelope(world.client("admin").get("/api/v1/facilities", {"sector": "mining"}),
                            400, "invalid_input")
    assert "sector" in error["details"]


def test_it_wraps_a_bad_path_parameter(world):
    assert_envelope(world.client("admin").get("/api/v1/facilities/abc"), 400, "invalid_input")
    assert_envelope(world.client("admin").get("/api/v1/parameters/lava/SO2"), 400, "invalid_input")


def test_it_wraps_authentication_and_permission_errors(world):
    assert_envelope(world.client("anonymous").get("/api/v1/stations"), 401, "not_authenticated")
    assert_envelope(world.client("officer").get(f"/api/v1/facilities/{world.facility_dn.id}"),
                    404, "not_found")


def test_it_wraps_a_crash_without_leaking_the_traceback(world, monkeypatch):
    from envhub.registry import services

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "provinces", explode)
    client = Client(raise_request_exception=False)
    error = assert_envelope(client.get("/api/v1/provinces"), 500, "server_error")
    assert "secret" not in error["message"]


def test_it_answers_in_vietnamese_by_default_and_in_english_on_request(client, reference):
    vietnamese = client.get("/api/v1/provinces/99").json()["error"]["message"]
    english = client.get("/api/v1/provinces/99", HTTP_ACCEPT_LANGUAGE="en").json()
    english = english["error"]["message"]
    assert english == "Not found, or you do not have access to it."
    assert vietnamese != english
    assert "Không" in vietnamese or "không" in vietnamese


def test_it_wraps_a_csrf_refusal_of_a_cookie_authenticated_write(world):
    from django.test import Client as CsrfClient

    client = CsrfClient(enforce_csrf_checks=True)
    client.force_login(world.users["admin"])
    response = client.post("/api/v1/provinces")
    assert response.status_code in (403, 405)
    assert response.json()["ok"] is False
