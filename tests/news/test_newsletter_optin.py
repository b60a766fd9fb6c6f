"""Signing up for the newsletter as a reader does it: the form, the one confirmation e-mail
(read from Django's locmem outbox), its link followed with the test client, and what a second
sign-up, an expired, forged or used link, and a mail bomber get."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from envhub.news import newsletter
from envhub.news.models import SignupAttempt, Subscriber
from envhub.news.newsletter_models import SubscriberState
from tests.pages import same_page

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
LINK = re.compile(r"http://testserver(/newsletter/confirm/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def site(settings):
    settings.ENVHUB_SITE_URL = SITE


@pytest.fixture
def reader():
    return Client(enforce_csrf_checks=False, REMOTE_ADDR="198.51.100.7")


def sign_up(client, email, categories=("air",), provinces=("01",), language="vi"):
    return client.post("/newsletter/", {"email": email, "language": language,
                                        "categories": list(categories),
                                        "provinces": list(provinces)})


def forget_rate_limits():
    """The earlier sign-ups made a day older: the next one is not limited."""
    SignupAttempt.objects.update(at=F("at") - datetime.timedelta(days=1))


def confirmation_link(message) -> str:
    text_links = LINK.findall(message.body)
    html_links = LINK.findall(message.alternatives[0][0])
    assert len(set(text_links)) == 1 and set(html_links) == set(text_links)
    return text_links[0]


def test_it_confirms_an_address_through_the_link_in_the_one_email(world, reader, mailoutbox):
    form = reader.get("/newsletter/")
    assert form.status_code == 200
    assert "Đăng ký" in form.content.decode()

    answer = sign_up(reader, "  Ban.Doc@Example.VN ", categories=("air", "water"))
    assert answer.status_code == 302 and answer["Location"] == "/newsletter/sent/"
    assert "Kiểm tra hộp thư" in reader.get(answer["Location"]).content.decode()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ban.doc@example.vn"]
    assert message.subject == "Xác nhận đăng ký nhận bản tin envhub"
    subscriber = Subscriber.objects.get(email="ban.doc@example.vn")
    assert subscriber.state == SubscriberState.PENDING

    link = confirmation_link(message)
    page = reader.get(link)  # what a mail scanner does too: it confirms nothing
    assert page.status_code == 200
    assert "Không khí" in page.content.decode() and "Hà Nội" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.PENDING and subscriber.categories == []

    done = Client().post(link)  # another browser, no session: the link is the proof
    assert done.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.state == SubscriberState.CONFIRMED
    assert (subscriber.language, subscriber.categories, subscriber.provinces) == \
        ("vi", ["air", "water"], ["01"])
    assert subscriber.confirmed_at is not None

    again = reader.post(link)
    assert again.status_code == 400
    assert "không hợp lệ hoặc đã được dùng" in again.content.decode()
    assert len(mailoutbox) == 1  # nothing else went to the address


@pytest.mark.parametrize("email", ["", "not-an-address", "a@b", "x" * 250 + "@example.vn",
                                   "a@example.vn\nBcc: victim@example.vn", "<a@example.vn>"])
def test_it_refuses_what_is_not_an_address_and_keeps_the_choices(world, reader, mailoutbox,
                                                                 email):
    answer = sign_up(reader, email, categories=("water",), provinces=("75",))
    assert answer.status_code == 400
    html = answer.content.decode()
    assert re.search(r'<input type="email" name="email"[^>]*aria-invalid="true"', html)
    if email == "not-an-address":
        assert "Nhập một địa chỉ email hợp lệ." in html
    assert re.search(r'value="water"[^>]*checked', html)  # nothing lost
    assert re.search(r'value="75"[^>]*checked', html)
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_it_refuses_unknown_choices(world, reader, mailoutbox):
    answer = sign_up(reader, "a@example.vn", categories=("gossip",), provinces=("99",))
    assert answer.status_code == 400 and mailoutbox == []


def test_a_second_signup_gives_the_same_answer_and_changes_nothing_unconfirmed(
        world, reader, mailoutbox):
    sign_up(reader, "owner@example.vn")
    Client().post(confirmation_link(mailoutbox[0]))
    forget_rate_limits()

    stranger = Client(REMOTE_ADDR="203.0.113.9")
    known = sign_up(stranger, "OWNER@example.vn", categories=("water",), provinces=("75",),
                    language="en")
    forget_rate_limits()
    unknown = sign_up(stranger, "nobody@example.vn", categories=("water",), provinces=("75",),
                      language="en")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert same_page(stranger.get(known["Location"]).content.decode()) == \
        same_page(stranger.get(unknown["Location"]).content.decode())

    owner = Subscriber.objects.get(email="owner@example.vn")
    assert Subscriber.objects.filter(email="owner@example.vn").count() == 1
    assert (owner.state, owner.language, owner.categories, owner.provinces) == \
        (SubscriberState.CONFIRMED, "vi", ["air"], ["01"])  # the stranger changed nothing

    # The new choices wait for the owner's own click, in the language asked for.
    to_owner = [m for m in mailoutbox if m.to == ["owner@example.vn"]]
    assert len(to_owner) == 2
    assert to_owner[1].subject == "Confirm your subscription to the envhub newsletter"
    Client().post(confirmation_link(to_owner[1]))
    owner.refresh_from_db()
    assert (owner.language, owner.categories, owner.provinces) == ("en", ["water"], ["75"])


def test_a_newer_signup_replaces_the_older_link(world, reader, mailoutbox):
    sign_up(reader, "a@example.vn")
    forget_rate_limits()
    sign_up(reader, "a@example.vn", categories=("water",))
    old, new = (confirmation_link(message) for message in mailoutbox)
    assert reader.post(old).status_code == 400
    assert reader.post(new).status_code == 200
    assert Subscriber.objects.get().categories == ["water"]


def test_an_expired_link_confirms_nothing(world, reader, mailoutbox):
    sign_up(reader, "late@example.vn")
    token = confirmation_link(mailoutbox[0]).split("/")[-2]
    later = timezone.now() + newsletter.CONFIRM_MAX_AGE + datetime.timedelta(minutes=1)
    with pytest.raises(newsletter.LinkExpired):
        newsletter.confirm(token, now=later)
    in_time = timezone.now() + newsletter.CONFIRM_MAX_AGE - datetime.timedelta(minutes=1)
    assert newsletter.pending_confirmation(token, now=in_time).email == "late@example.vn"
    assert Subscriber.objects.get().state == SubscriberState.PENDING


def test_unconfirmed_signups_are_deleted_when_their_link_expires(world, reader, mailoutbox):
    sign_up(reader, "late@example.vn")
    later = timezone.now() + newsletter.CONFIRM_MAX_AGE + datetime.timedelta(minutes=1)
    assert newsletter.purge(now=timezone.now()) == 0
    assert newsletter.purge(now=later) == 1
    assert not Subscriber.objects.exists() and not SignupAttempt.objects.exists()


@pytest.mark.parametrize("forge", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "eyJzIjoxfQ:1abcde:" + "x" * 43,
    lambda token: "",
    lambda token: "%00" * 3,
    lambda token: token.split(":")[0] + ":" * 5,
])
def test_a_forged_link_confirms_nothing(world, reader, mailoutbox, forge):
    sign_up(reader, "a@example.vn")
    token = confirmation_link(mailoutbox[0]).split("/")[-2]
    path = f"/newsletter/confirm/{forge(token)}/"
    for response in (reader.get(path), reader.post(path)):
        assert response.status_code in (400, 404)
    assert Subscriber.objects.get().state == SubscriberState.PENDING


def test_one_address_gets_one_confirmation_per_pause_and_five_a_day(world, reader,
                                                                    mailoutbox):
    for _ in range(3):  # in a row: one e-mail, the same answer each time
        answer = sign_up(reader, "target@example.vn")
        assert answer.status_code == 302 and answer["Location"] == "/newsletter/sent/"
    assert len(mailoutbox) == 1
    for n in range(2, 8):  # each after the pause, from other networks
        SignupAttempt.objects.update(at=F("at") - newsletter.ADDRESS_PAUSE)
        sign_up(Client(REMOTE_ADDR=f"192.0.2.{n}"), "target@example.vn")
    assert len(mailoutbox) == newsletter.ADDRESS_PER_DAY


def test_one_network_is_refused_after_its_hourly_signups(world, reader, mailoutbox):
    for n in range(newsletter.IP_PER_HOUR):
        assert sign_up(reader, f"victim{n}@example.vn").status_code == 302
    refused = sign_up(reader, "one-more@example.vn")
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert "Quá nhiều lượt đăng ký" in refused.content.decode()
    assert 'value="one-more@example.vn"' in refused.content.decode()  # kept in the form
    assert len(mailoutbox) == newsletter.IP_PER_HOUR
    assert sign_up(Client(REMOTE_ADDR="192.0.2.99"), "one-more@example.vn").status_code == 302


def test_without_the_sites_address_nobody_can_sign_up(world, reader, mailoutbox, settings):
    settings.ENVHUB_SITE_URL = ""
    assert reader.get("/newsletter/").status_code == 503
    assert sign_up(reader, "a@example.vn").status_code == 503
    assert mailoutbox == [] and not Subscriber.objects.exists()


def test_the_audit_log_follows_each_step_without_the_address(world, reader, mailoutbox):
    from envhub.core import audit

    sign_up(reader, "private@example.vn")
    reader.post(confirmation_link(mailoutbox[0]))
    events = list(audit.events().filter(action__startswith="news.subscriber.").order_by("id"))
    assert [event.action for event in events] == ["news.subscriber.requested",
                                                  "news.subscriber.confirmed"]
    assert all(event.ip_address == "198.51.100.7" for event in events)
    assert not any("private" in f"{event.object_repr}{event.changes}" for event in events)
