"""Inputs built to break the parsers are a 4xx with the error envelope (or an error page), never
a 500: a multipart form without a boundary, too many fields, a part header too long, a month at
the end of the calendar, JSON nested a hundred thousand deep."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from tests.core.test_api_errors import assert_envelope

pytestmark = pytest.mark.django_db

URL = "/api/v1/ingest/files"


@pytest.fixture
def sender(world):
    issued = accounts.create_token(system_actor(), name="logger", facility=world.facility_hn)
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issued.plain}"
    return client


def multipart(*parts: bytes) -> bytes:
    return b"".join(b"--B\r\n" + part + b"\r\n" for part in parts) + b"--B--\r\n"


def test_a_multipart_body_without_a_boundary(sender):
    response = sender.post(URL, data=b"abc", content_type="multipart/form-data")
    assert_envelope(response, 400, "invalid_input")


def test_a_thousand_and_one_form_fields(sender):
    fields = [f'Content-Disposition: form-data; name="f{i}"\r\n\r\n1'.encode()
              for i in range(1_001)]
    response = sender.post(URL, data=multipart(*fields),
                           content_type="multipart/form-data; boundary=B")
    assert "1000" in assert_envelope(response, 400, "invalid_input")["message"]
    response = sender.post(URL, data="&".join(f"f{i}=1" for i in range(1_001)),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.json()["ok"] is False


def test_a_part_header_with_a_file_name_of_nine_thousand_characters(sender):
    name = "a" * 9_000 + ".txt"
    part = f'Content-Disposition: form-data; name="f"; filename="{name}"\r\n\r\nx'.encode()
    response = sender.post(URL, data=multipart(part),
                           content_type="multipart/form-data; boundary=B")
    assert_envelope(response, 400, "invalid_input")


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1969-12", "2101-01", "2026-13"])
def test_a_month_at_the_ends_of_the_calendar(world, month):
    client = world.client("officer")
    client.raise_request_exception = False
    page = client.get("/compliance/", {"month": month})
    assert page.status_code == 400
    assert "YYYY-MM" in page.content.decode()
    province = client.get(f"/provinces/{world.hanoi.code}/compliance/", {"month": month})
    assert province.status_code == 400


def test_a_month_in_range_is_served(world):
    assert world.client("officer").get("/compliance/", {"month": "2026-11"}).status_code == 200


@pytest.mark.parametrize("body", [
    "[" * 100_000,
    '{"q": ' + "[" * 100_000 + "}",
    '{"q": "a", "facet.field": ' + '{"a": ' * 20_000 + "}",
])
def test_ckan_json_nested_too_deep(reference, body):
    response = Client(raise_request_exception=False).post(
        "/api/3/action/package_search", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_ckan_facet_fields_nested_too_deep(reference):
    response = Client(raise_request_exception=False).post(
        "/api/3/action/package_search", data=json.dumps({"facet.field": "[" * 1_999}),
        content_type="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Validation Error"


def test_api_json_nested_too_deep(world):
    client = world.client("admin")
    client.raise_request_exception = False
    response = client.post("/api/v1/notifications/read", data="[" * 100_000,
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["ok"] is False
    response = client.post("/api/v1/notifications/read", data=json.dumps({"ids": [1, 2]}),
                           content_type="application/json")
    assert response.status_code == 200
