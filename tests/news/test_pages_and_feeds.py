"""The news as readers get it: the public list and post pages, and the RSS and Atom feeds read
by a real feed parser — the same published posts, the same safe text, nothing unpublished."""

from __future__ import annotations

import datetime

import feedparser
import pytest
from django.utils import timezone

from envhub.news import workflow
from envhub.news.models import Post
from tests.news.test_markdown import unsafe

pytestmark = pytest.mark.django_db

HOSTILE = "Mở đầu <script>alert(1)</script> [x](javascript:alert(1)) ![a](/media/a.png)"


@pytest.fixture
def posts(world):
    editor, reviewer = world.actor("editor"), world.actor("editor2")

    def post(title, category, provinces, publish=True, **extra):
        made = workflow.create(editor, {"title": title, "body": f"{HOSTILE}\n\n**{title}**",
                                        "category": category, "provinces": provinces,
                                        "summary": f"Tóm tắt {title}", **extra})
        if publish:
            workflow.submit(editor, made)
            workflow.publish(reviewer, made)
        return made

    return {
        "air": post("Không khí Hà Nội", "air", ["01"]),
        "water": post("Nước sông Đồng Nai", "water", ["75"]),
        "draft": post("Bản nháp bí mật", "air", ["01"], publish=False),
        "later": post("Hẹn giờ", "air", [], scheduled_for=timezone.now() +
                      datetime.timedelta(days=1)),
    }


def test_the_public_list_shows_only_what_is_published(world, posts):
    for persona in ("anonymous", "editor"):  # an editor's public view is a visitor's
        html = world.client(persona).get("/news/").content.decode()
        assert "Không khí Hà Nội" in html and "Nước sông Đồng Nai" in html
        assert "Bản nháp bí mật" not in html and "Hẹn giờ" not in html


@pytest.mark.parametrize("query,shown", [
    ("category=air", {"Không khí Hà Nội"}),
    ("province=75", {"Nước sông Đồng Nai"}),
    ("q=dong+nai", {"Nước sông Đồng Nai"}),
    ("q=KHÔNG+KHÍ", {"Không khí Hà Nội"}),
    ("category=gossip", set()),
    ("q=" + "x" * 1500, set()),  # cut to 200 characters, never a slow query
])
def test_the_list_filters(world, posts, query, shown):
    response = world.client("anonymous").get(f"/news/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert {title for title in ("Không khí Hà Nội", "Nước sông Đồng Nai") if title in html} \
        == shown


def test_a_post_page_is_safe_and_drafts_are_not_found(world, posts):
    client = world.client("anonymous")
    html = client.get(f"/news/{posts['air'].slug}/").content.decode()
    assert "<strong>Không khí Hà Nội</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
    for hidden in ("draft", "later"):
        assert client.get(f"/news/{posts[hidden].slug}/").status_code == 404


@pytest.mark.parametrize("path,titles", [
    ("/news/feed.rss", {"Không khí Hà Nội", "Nước sông Đồng Nai"}),
    ("/news/feed.atom", {"Không khí Hà Nội", "Nước sông Đồng Nai"}),
    ("/news/category/air/feed.rss", {"Không khí Hà Nội"}),
    ("/news/province/75/feed.atom", {"Nước sông Đồng Nai"}),
])
def test_the_feeds_parse_as_a_reader_reads_them(world, posts, path, titles):
    response = world.client("anonymous").get(path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version in {"rss20", "atom10"}
    assert feed.feed.title and feed.feed.link
    assert {entry.title for entry in feed.entries} == titles
    for entry in feed.entries:
        assert entry.link.startswith("http://testserver/news/")
        assert entry.published_parsed
        html = entry.summary if path.endswith(".rss") else entry.content[0].value \
            if "content" in entry else entry.summary
        assert unsafe(html) == []
        assert "/media/a.png" not in html and "<img" not in html  # not one of its own


@pytest.mark.parametrize("path", ["/news/category/gossip/feed.rss",
                                  "/news/province/99/feed.atom", "/news/x/y/feed.rss"])
def test_an_unknown_feed_is_not_found(world, posts, path):
    assert world.client("anonymous").get(path).status_code == 404


def test_the_desk_is_for_writers_only(world, posts):
    assert world.client("anonymous").get("/news/desk/").status_code == 302  # sign in first
    for persona in ("leader", "operator", "librarian"):
        assert world.client(persona).get("/news/desk/").status_code == 403
        assert world.client(persona).get(f"/news/desk/{posts['draft'].pk}/").status_code in (
            403, 404)
    html = world.client("editor").get("/news/desk/").content.decode()
    assert "Bản nháp bí mật" in html


def test_an_editor_writes_and_another_publishes_through_the_pages(world):
    editor = world.client("editor")
    response = editor.post("/news/desk/new/", {"title": "Tin mới", "body": "Nội dung",
                                               "category": "announcements"})
    post = Post.objects.get(title="Tin mới")
    assert response.status_code == 302
    editor.post(f"/news/desk/{post.pk}/submit/")
    editor.post(f"/news/desk/{post.pk}/publish/")  # refused: the author
    post.refresh_from_db()
    assert post.state == "in_review"
    world.client("editor2").post(f"/news/desk/{post.pk}/publish/")
    post.refresh_from_db()
    assert post.state == "published"
    assert world.client("anonymous").get(f"/news/{post.slug}/").status_code == 200


def test_a_bad_form_is_answered_with_its_errors_in_vietnamese(world):
    response = world.client("editor").post("/news/desk/new/", {"title": "", "body": "",
                                                               "category": "x"})
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    assert Post.objects.count() == 0
