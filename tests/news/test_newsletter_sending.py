"""The worker sends a published post to the matching confirmed subscribers: once, in batches,
with the same safe HTML as the feed, in Vietnamese (English for those who chose it when the
post has an English version), with the RFC 8058 one-click unsubscribe headers."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from envhub.news import newsletter_sending, workflow
from envhub.news.markdown import to_text
from envhub.news.models import NewsletterDelivery, NewsletterIssue, Post
from envhub.news.newsletter_models import DeliveryState, SubscriberState
from tests.news.newsletter_setup import SITE, published, subscriber
from tests.said import Said

pytestmark = pytest.mark.django_db

HOSTILE_TABLE = """Bảng chỉ số hôm nay:

| Trạm <script>alert(1)</script> | VN_AQI |
| --- | ---: |
| [Hà Nội](javascript:alert(1)) | <img src=x onerror=alert(1)> 152 |
| <iframe src="https://evil.example/"></iframe> | ![x](data:image/png;base64,AAAA) |
| <a href="/x" style="color:red" onclick="steal()">y</a> | [chi tiết](/datasets/aqi-ha-noi/) |

<style>body{display:none}</style>
"""


@pytest.fixture(autouse=True)
def site(settings):
    settings.ENVHUB_SITE_URL = SITE


@pytest.fixture
def readers(world):
    return {
        "everything": subscriber("moi@example.vn"),
        "english": subscriber("english@example.vn", language="en"),
        "air_hanoi": subscriber("hanoi@example.vn", categories=["air"], provinces=["01"]),
        "water": subscriber("nuoc@example.vn", categories=["water"]),
        "dongnai": subscriber("dongnai@example.vn", provinces=["75"]),
        "waiting": subscriber("cho@example.vn", state=SubscriberState.PENDING),
    }


def run_until_quiet():
    """The worker's rounds until nothing is left to plan or send."""
    for _ in range(20):
        newsletter_sending.open_issues()
        planned = newsletter_sending.plan()
        sent = newsletter_sending.send()
        if not planned and not sent:
            return
    raise AssertionError("the newsletter never went quiet")


def by_address(outbox) -> dict:
    found = {}
    for message in outbox:
        assert len(message.to) == 1
        assert message.to[0] not in found, "sent twice"
        found[message.to[0]] = message
    return found


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_it_sends_a_post_once_to_the_subscribers_it_matches(world, readers, mailoutbox):
    post = published(world, "Không khí Hà Nội xấu đi", "Chỉ số **tăng**.", "air", ["01"])
    run_until_quiet()
    sent = by_address(mailoutbox)
    assert set(sent) == {"moi@example.vn", "english@example.vn", "hanoi@example.vn"}
    assert sent["moi@example.vn"].subject == post.title
    # No English version: the English reader gets the Vietnamese post.
    assert sent["english@example.vn"].subject == post.title

    run_until_quiet()  # a second round, a restarted worker: nothing again
    newsletter_sending.run()
    assert len(mailoutbox) == 3
    assert NewsletterIssue.objects.count() == 1
    assert set(NewsletterDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_national_post_reaches_every_province_and_none_chosen_means_all(world, readers,
                                                                          mailoutbox):
    published(world, "Thông báo chung", "Nội dung.", "announcements")
    run_until_quiet()
    assert set(by_address(mailoutbox)) == {"moi@example.vn", "english@example.vn",
                                           "dongnai@example.vn"}


def test_the_email_is_the_feeds_safe_html_in_vietnamese(world, readers, mailoutbox):
    post = published(world, "Chỉ số không khí tuần này", HOSTILE_TABLE, "air", ["01"])
    run_until_quiet()
    message = by_address(mailoutbox)["hanoi@example.vn"]
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"

    feed = ElementTree.fromstring(Client().get("/news/feed.rss").content)
    item = next(item for item in feed.iter("item") if item.findtext("title") == post.title)
    feed_html = item.findtext("description")
    body = re.search(r'<div class="post-body"[^>]*>(.*?)</div>', html, flags=re.S).group(1)
    assert body == feed_html  # the same sanitised content, character for character
    assert "<table>" in body and "152" in body
    assert 'href="http://testserver/datasets/aqi-ha-noi/"' in body  # absolute, as the feed

    parser = Elements()
    parser.feed(html)
    names = {tag for tag, _attrs in parser.tags}
    assert not names & {"script", "iframe", "style", "object", "embed", "form"}
    for tag, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
            if value:  # every link leaves the e-mail as an absolute address
                assert value.startswith(("http://testserver/", "https://", "mailto:")), value

    # The text part is the post's text as the feed's readers get it (what an author typed
    # as HTML stays visible text, as on the page; a text/plain part runs nothing).
    text = message.body
    assert to_text(post.body) in text and "Hà Nội" in text and "152" in text
    assert "Đọc bài trên trang: http://testserver/news/" in text
    assert "Bạn nhận được email này vì đã đăng ký nhận bản tin envhub." in text
    assert "Hủy đăng ký" in html and "Thay đổi lựa chọn" in html


def test_english_readers_get_the_english_version_when_there_is_one(world, readers, mailoutbox):
    published(world, "Không khí sạch hơn", "Tiếng Việt.", "air", title_en="Cleaner air",
              body_en="In *English*.", summary_en="Summary")
    run_until_quiet()
    sent = by_address(mailoutbox)
    assert sent["english@example.vn"].subject == "Cleaner air"
    assert "<em>English</em>" in sent["english@example.vn"].alternatives[0][0]
    assert '<html lang="en">' in sent["english@example.vn"].alternatives[0][0]
    assert '<html lang="vi">' in sent["moi@example.vn"].alternatives[0][0]
    assert "Unsubscribe" in sent["english@example.vn"].body
    assert sent["moi@example.vn"].subject == "Không khí sạch hơn"
    assert "Hủy đăng ký" in sent["moi@example.vn"].body


def test_every_email_carries_one_click_unsubscribe(world, readers, mailoutbox):
    published(world, "Tin mới", "Nội dung.", "air", ["01"])
    run_until_quiet()
    message = by_address(mailoutbox)["hanoi@example.vn"]
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://testserver/newsletter/unsubscribe/[^>]+/)>",
                       headers["List-Unsubscribe"]).group(1)
    assert url in message.body and url in message.alternatives[0][0]
    # What a mail client does: a POST with no cookie and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    answer = client.post(url.removeprefix(SITE), {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    gone = readers["air_hanoi"]
    gone.refresh_from_db()
    assert (gone.email, gone.state) == (None, SubscriberState.UNSUBSCRIBED)


def test_a_crash_while_sending_never_sends_twice(world, readers, mailoutbox):
    published(world, "Tin mới", "Nội dung.", "air", ["01"])
    newsletter_sending.open_issues()
    newsletter_sending.plan()
    # A worker claimed this one and died before recording the outcome.
    NewsletterDelivery.objects.filter(subscriber=readers["everything"]).update(
        status=DeliveryState.SENDING, attempts=1)
    run_until_quiet()
    assert set(by_address(mailoutbox)) == {"english@example.vn", "hanoi@example.vn"}


def test_it_plans_and_sends_in_batches(world, readers, mailoutbox):
    for n in range(7):
        subscriber(f"batch{n}@example.vn")
    published(world, "Tin mới", "Nội dung.", "air", ["01"])
    newsletter_sending.open_issues()
    rounds = 0
    while newsletter_sending.plan(batch=3):
        rounds += 1
    assert rounds >= 3
    assert NewsletterDelivery.objects.count() == 10
    assert newsletter_sending.send(limit=4) == 4 and len(mailoutbox) == 4
    while newsletter_sending.send(limit=4):
        pass
    assert len(by_address(mailoutbox)) == 10


def test_later_subscribers_old_posts_and_unpublished_posts_get_nothing(world, readers,
                                                                       mailoutbox):
    old = published(world, "Tin cũ", "Nội dung.", "air")
    Post.objects.filter(pk=old.pk).update(
        published_at=timezone.now() - newsletter_sending.WINDOW - datetime.timedelta(hours=1))
    taken_down = published(world, "Tin bị gỡ", "Nội dung.", "air", ["01"])
    newsletter_sending.open_issues()
    newsletter_sending.plan()
    workflow.unpublish(world.actor("editor2"), taken_down, "Sai số liệu")
    subscriber("late@example.vn", confirmed_ago=datetime.timedelta(0))
    run_until_quiet()
    assert mailoutbox == []
    assert not NewsletterIssue.objects.filter(post=old).exists()
    assert set(NewsletterDelivery.objects.values_list("status", flat=True)) == {"skipped"}
    # Published again after a correction: not sent a second time either.
    workflow.edit(world.actor("editor"), taken_down, {"body": "Đã sửa."})
    workflow.submit(world.actor("editor"), taken_down)
    workflow.publish(world.actor("editor2"), taken_down)
    run_until_quiet()
    assert mailoutbox == []


def test_without_the_sites_address_nothing_is_sent_and_check_says_so(world, readers,
                                                                     mailoutbox, settings):
    from envhub.news import health

    published(world, "Tin mới", "Nội dung.", "air", ["01"])
    settings.ENVHUB_SITE_URL = ""
    run_until_quiet()
    assert mailoutbox == []
    assert NewsletterDelivery.objects.filter(status=DeliveryState.PENDING).count() == 3

    report = Said()
    health.newsletter(report)
    assert report[0][0] == "error" and "ENVHUB_SITE_URL" in report[0][1]

    settings.ENVHUB_SITE_URL = SITE
    run_until_quiet()
    assert len(mailoutbox) == 3
    report = Said()
    health.newsletter(report)
    assert report[0][0] == "ok"
