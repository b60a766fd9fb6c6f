"""Every public input has a cap, checked before it is read or parsed: the query string and each
of its values (API, CKAN, catalogue pages), JSON and form bodies. A refusal is a 4xx in the
caller's language, in the API's envelope or CKAN's, or as an error page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.core.test_api_errors import assert_envelope

pytestmark = pytest.mark.django_db


def test_a_query_string_over_the_cap_is_a_414_in_the_envelope(reference, settings):
    settings.ENVHUB_MAX_QUERY_BYTES = 300
    error = assert_envelope(Client().get("/api/v1/provinces", {"q": "a" * 301}), 414,
                            "uri_too_long")
    assert "300" in error["message"]
    english = Client().get("/api/v1/provinces", {"q": "a" * 301}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"].startswith("The address is too long")
    assert Client().get("/api/v1/provinces", {"q": "a" * 200}).status_code == 200


def test_a_value_over_the_cap_is_a_400_naming_it(reference, settings):
    settings.ENVHUB_MAX_PARAM_CHARS = 100
    error = assert_envelope(Client().get("/api/v1/wards", {"q": "x" * 101}), 400,
                            "invalid_input")
    assert list(error["details"]) == ["q"]
    error = assert_envelope(Client().get("/api/v1/wards", {"y" * 101: "1"}), 400,
                            "invalid_input")
    assert list(error["details"]) == ["y" * 100 + "…"]


@pytest.mark.parametrize("path", ["/datasets/", "/air/"])
def test_pages_refuse_long_queries_with_an_error_page(reference, settings, path):
    settings.ENVHUB_MAX_PARAM_CHARS = 100
    page = Client().get(path, {"q": "đ" * 101})
    assert page.status_code == 400
    assert page["Content-Type"].startswith("text/html")
    assert "quá dài" in page.content.decode()


def ckan(client, body: bytes | str, **extra):
    response = client.post("/api/3/action/package_search", data=body,
                           content_type="application/json", **extra)
    return response, response.json()


def test_a_ckan_search_over_the_cap_is_a_validation_error(reference):
    """A long `q` cost the old parser quadratic time: now it is refused before it is parsed,
    from a JSON body as from the query string."""
    response, body = ckan(Client(), json.dumps({"q": "a" * 20_000}))
    assert response.status_code == 409
    assert body["success"] is False and body["error"]["__type"] == "Validation Error"
    assert body["error"]["q"] == [body["error"]["message"]]
    response, body = ckan(Client(), json.dumps({"fq_list": ["tags:a", "b" * 20_000]}))
    assert (response.status_code, list(body["error"])[-1]) == (409, "fq_list")
    response = Client().get("/api/3/action/package_search", {"fq": "a" * 3_000})
    assert response.status_code == 400 and response.json()["ok"] is False


def test_a_body_over_the_cap_is_refused_before_it_is_read(reference, world, settings):
    """The declared length is enough: the test client's body is shorter than it says, and
    reading past its end would fail the test."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response, body = ckan(Client(), b'{"q": "a"}', CONTENT_LENGTH="5000000")
    assert response.status_code == 413 and body["success"] is False
    assert "1000" in body["error"]["message"]
    response = world.client("admin").post("/api/v1/notifications/read", data=b'{"ids": []}',
                                          content_type="application/json",
                                          CONTENT_LENGTH="5000000")
    error = assert_envelope(response, 413, "too_large")
    assert "1000" in error["message"]
    page = Client().post("/login/", data=b"username=a", CONTENT_LENGTH="5000000",
                         content_type="application/x-www-form-urlencoded")
    assert page.status_code == 400


def test_requests_within_the_caps_are_served(reference, settings):
    response, body = ckan(Client(), json.dumps({"q": "không khí " * 100, "rows": 1}))
    assert response.status_code == 200 and body["success"] is True
