"""A method a resource does not serve is 405 with the methods it does serve in `Allow`, on the
API, CKAN's endpoints and the pages alike; TRACE (which would echo a request back) nowhere."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.core.test_api_errors import assert_envelope

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("TRACE", "/api/v1/provinces", {"GET"}),
    ("DELETE", "/api/v1/provinces/01", {"GET"}),
    ("TRACE", "/api/v1/notifications/read", {"POST"}),
])
def test_the_api_says_what_it_allows(reference, method, path, allowed):
    response = Client().generic(method, path)
    assert_envelope(response, 405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == allowed


def test_ckan_says_what_it_allows(reference):
    response = Client().generic("TRACE", "/api/3/action/package_list")
    assert response.status_code == 405 and response.json()["success"] is False
    assert response["Allow"] == "GET, POST"


@pytest.mark.parametrize("path", ["/", "/datasets/", "/air/", "/login/", "/healthz"])
@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT"])
def test_no_page_answers_trace(reference, method, path):
    response = Client().generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
