"""The links in every newsletter, without signing in: unsubscribe (a GET only asks; the POST,
exempt from CSRF for its signed token alone, erases the address) and the preference page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from envhub.core import audit
from envhub.news import newsletter
from envhub.news.newsletter_models import SubscriberState
from tests.news.newsletter_setup import SITE, subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def site(settings):
    settings.ENVHUB_SITE_URL = SITE


@pytest.fixture
def reader(world):
    return subscriber("ban.doc@example.vn", categories=["air"], provinces=["01"])


def links(reader) -> tuple[str, str]:
    token = newsletter.manage_token(reader)
    return f"/newsletter/unsubscribe/{token}/", f"/newsletter/preferences/{token}/"


def test_opening_the_unsubscribe_link_only_asks(world, reader):
    unsubscribe, _ = links(reader)
    for persona in ("anonymous", "steward"):  # a scanner, or someone signed in
        page = world.client(persona).get(unsubscribe)
        assert page.status_code == 200
        html = page.content.decode()
        assert "Hủy đăng ký nhận bản tin" in html and 'method="post"' in html
    reader.refresh_from_db()
    assert reader.state == SubscriberState.CONFIRMED and reader.email == "ban.doc@example.vn"


def test_one_click_unsubscribes_without_a_session_and_erases_the_address(world, reader):
    unsubscribe, preferences = links(reader)
    mail_client = Client(enforce_csrf_checks=True)
    answer = mail_client.post(unsubscribe, "List-Unsubscribe=One-Click",
                              content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200
    assert "không còn nhận bản tin" in answer.content.decode()
    reader.refresh_from_db()
    assert (reader.email, reader.state, reader.categories, reader.provinces) == \
        (None, SubscriberState.UNSUBSCRIBED, [], [])
    # A second click, or the link opened later, says the same; nothing else changes.
    assert mail_client.post(unsubscribe).status_code == 200
    assert "không còn nhận bản tin" in Client().get(unsubscribe).content.decode()
    assert "không còn nhận bản tin" in Client().get(preferences).content.decode()
    actions = list(audit.events().filter(object_type="news.subscriber")
                   .values_list("action", flat=True))
    assert actions == ["news.subscriber.unsubscribed"]


@pytest.mark.parametrize("forge", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token.replace(token.split(":")[0], "WzEsImFhYWEiXQ"),
    lambda token: "garbage",
])
def test_a_forged_link_unsubscribes_no_one(world, reader, forge):
    token = newsletter.manage_token(reader)
    client = Client(enforce_csrf_checks=True)
    unsubscribe = f"/newsletter/unsubscribe/{forge(token)}/"
    assert client.post(unsubscribe, {"List-Unsubscribe": "One-Click"}).status_code == 400
    for path in (unsubscribe, f"/newsletter/preferences/{forge(token)}/"):
        response = client.get(path)
        assert response.status_code == 400
        assert "Liên kết này không hợp lệ." in response.content.decode()
    reader.refresh_from_db()
    assert reader.state == SubscriberState.CONFIRMED


def test_a_link_with_another_subscribers_key_opens_nothing(world, reader):
    other = subscriber("khac@example.vn")
    other.link_key = reader.link_key  # (not saved) its id with the first one's key
    token = newsletter.manage_token(other)
    assert Client().post(f"/newsletter/unsubscribe/{token}/").status_code == 400
    reader.refresh_from_db()
    assert reader.state == SubscriberState.CONFIRMED


def test_the_preference_page_changes_the_choices(world, reader):
    _, preferences = links(reader)
    page = Client().get(preferences)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'value="air"[^>]*checked', html)
    assert re.search(r'value="01"[^>]*checked', html)
    # Unlike the one-click unsubscribe, this form needs its CSRF token.
    assert Client(enforce_csrf_checks=True).post(preferences, {
        "language": "en", "categories": ["water"]}).status_code == 403
    answer = Client().post(preferences, {"language": "en", "categories": ["water"],
                                         "provinces": ["75"]})
    assert answer.status_code == 302
    reader.refresh_from_db()
    assert (reader.language, reader.categories, reader.provinces) == ("en", ["water"], ["75"])
    bad = Client().post(preferences, {"language": "fr", "categories": ["gossip"],
                                      "provinces": ["75"]})
    assert bad.status_code == 400
    assert re.search(r'value="75"[^>]*checked', bad.content.decode())  # nothing lost
    reader.refresh_from_db()
    assert reader.language == "en"
    changed = audit.events().get(action="news.subscriber.changed")
    assert changed.changes["after"]["categories"] == ["water"]
    assert "example.vn" not in f"{changed.object_repr}{changed.changes}"


@pytest.mark.parametrize("persona", ["admin", "steward", "editor", "leader", "officer",
                                     "operator", "survey", "librarian", "anonymous"])
def test_the_links_answer_every_role_alike_and_only_for_their_token(world, reader, persona):
    """Signed in or not, whatever the role: a link opens its own subscriber's page and
    nobody's without its token; a session gives no way to another reader's row."""
    client = world.client(persona)
    unsubscribe, preferences = links(reader)
    for path in (unsubscribe, preferences):
        assert client.get(path).status_code == 200
    for path in ("/newsletter/unsubscribe/x/", "/newsletter/preferences/x/",
                 "/newsletter/confirm/x/"):
        assert client.get(path).status_code == 400
    assert client.post("/newsletter/unsubscribe/x/").status_code == 400
    reader.refresh_from_db()
    assert reader.state == SubscriberState.CONFIRMED
