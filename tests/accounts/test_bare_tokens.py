"""A token sent bare (`Authorization: <token>`, as CKAN's clients send it) counts like a bearer
token everywhere: a good one acts as its owner, a bad one is refused (401), never served as an
anonymous request."""

from __future__ import annotations

import pytest
from django.test import Client

from envhub.accounts import services
from envhub.core.permissions import system_actor
from tests.catalog.published import INTERNAL, publish

pytestmark = pytest.mark.django_db

BAD = "envh_0000000000_not-a-real-token"


@pytest.mark.parametrize("path", ["/catalog.ttl", f"/dataset/{INTERNAL}.ttl", "/api/v1/me",
                                  "/api/3/action/package_list", "/organisations/1"])
@pytest.mark.parametrize("header", [BAD, f"Bearer {BAD}", "Bearer"])
def test_a_bad_token_is_refused_bare_or_not(world, path, header):
    publish(world)
    response = Client().get(path, HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)  # CKAN says "Authorization Error" with 403
    assert BAD.encode() not in response.content


def test_a_good_bare_token_acts_as_its_owner(world):
    publish(world)
    issued = services.create_token(system_actor(), name="harvester",
                                   user=world.users["steward"])
    anonymous = Client().get("/catalog.ttl").content.decode()
    as_steward = Client().get("/catalog.ttl", HTTP_AUTHORIZATION=issued.plain).content.decode()
    assert INTERNAL not in anonymous and INTERNAL in as_steward
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=issued.plain).json()
    assert me["kind"] == "user" and "steward" in me["roles"]


def test_another_scheme_is_not_ours(world):
    """A proxy's Basic credentials pass through: not a token, so the request is anonymous."""
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 200 and response.json()["kind"] == "anonymous"
