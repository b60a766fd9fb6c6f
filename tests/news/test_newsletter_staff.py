"""The staff's newsletter pages, role by role: counts (editors, stewards, admins), the list of
addresses and erasing one (stewards, admins), the export (admins only); every reading of the
addresses in the audit log. The public pages answer every role alike."""

from __future__ import annotations

import csv
import io

import pytest

from envhub.core import audit
from envhub.news.models import Subscriber
from tests.news.newsletter_setup import SITE, subscriber

pytestmark = pytest.mark.django_db

ROLES = ("admin", "steward", "editor", "leader", "officer", "operator", "survey", "librarian",
         "anonymous")
COUNTS = {"admin", "steward", "editor"}
ADDRESSES = {"admin", "steward"}
EXPORT = {"admin"}


@pytest.fixture(autouse=True)
def site(settings):
    settings.ENVHUB_SITE_URL = SITE


@pytest.fixture
def listed(world):
    return [subscriber("an@example.vn", categories=["air"]),
            subscriber("=cmd|' /C calc'!A0@example.vn"),
            subscriber("binh@example.vn", provinces=["75"])]


def expected(persona: str, allowed: set[str], ok: int = 200, method: str = "GET") -> int:
    if persona in allowed:
        return ok
    if persona == "anonymous":  # a page sends to the sign-in form; a POST is refused
        return 302 if method == "GET" else 401
    return 403


@pytest.mark.parametrize("persona", ROLES)
def test_the_counts_page(world, listed, persona):
    response = world.client(persona).get("/newsletter/desk/")
    assert response.status_code == expected(persona, COUNTS)
    if response.status_code == 200:
        html = response.content.decode()
        assert "Bản tin điện tử" in html and "example.vn" not in html


@pytest.mark.parametrize("persona", ROLES)
def test_the_list_of_addresses(world, listed, persona):
    response = world.client(persona).get("/newsletter/desk/subscribers/?q=example")
    assert response.status_code == expected(persona, ADDRESSES)
    events = audit.events().filter(action="news.subscriber.listed")
    if response.status_code == 200:
        assert "an@example.vn" in response.content.decode()
        assert events.get().changes == {"query": "example"}
        assert events.get().user == world.users[persona]
    else:
        assert "an@example.vn" not in response.content.decode()
        assert not events.exists()


@pytest.mark.parametrize("persona", ROLES)
def test_the_export(world, listed, persona):
    response = world.client(persona).get("/newsletter/desk/subscribers.csv")
    assert response.status_code == expected(persona, EXPORT)
    exported = audit.events().filter(action="news.subscriber.exported")
    if response.status_code != 200:
        assert not exported.exists()
        return
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "email" and len(rows) == 4
    assert "'=cmd|' /C calc'!A0@example.vn" in [row[0] for row in rows]  # data, not a formula
    assert exported.get().changes == {"rows": 3}


@pytest.mark.parametrize("persona", ROLES)
def test_erasing_an_address(world, listed, persona):
    target = listed[0]
    response = world.client(persona).post(f"/newsletter/desk/subscribers/{target.pk}/erase/")
    assert response.status_code == expected(persona, ADDRESSES, ok=302, method="POST")
    target.refresh_from_db()
    erased = persona in ADDRESSES
    assert (target.email is None) == erased
    assert audit.events().filter(action="news.subscriber.erased").exists() == erased


def test_an_admins_api_token_reads_no_address(world, listed):
    from django.test import Client

    from envhub.accounts.services import create_token
    from envhub.core.permissions import system_actor

    issued = create_token(system_actor("tests"), name="script", user=world.users["admin"])
    program = Client(HTTP_AUTHORIZATION=f"Bearer {issued.plain}")
    for path in ("/newsletter/desk/", "/newsletter/desk/subscribers/",
                 "/newsletter/desk/subscribers.csv"):
        response = program.get(path)
        assert response.status_code == 403 and b"an@example.vn" not in response.content


def test_the_erase_button_needs_a_post(world, listed):
    assert world.client("admin").get(
        f"/newsletter/desk/subscribers/{listed[0].pk}/erase/").status_code == 405
    assert Subscriber.objects.filter(email="an@example.vn").exists()


@pytest.mark.parametrize("persona", ROLES)
def test_the_public_form_is_the_same_for_every_role(world, persona):
    client = world.client(persona)
    assert 'href="/newsletter/"' in client.get("/news/").content.decode()
    response = client.get("/newsletter/")
    assert response.status_code == 200
    assert "Bản tin qua email" in response.content.decode()
