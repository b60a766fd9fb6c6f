"""A post's images on its page (sized, with the phones' copy), its files listed with their
kind and size, the images in the RSS and Atom feeds as absolute addresses a reader fetches,
and the first image as the post's share card."""

from __future__ import annotations

import io
import re

import feedparser
import pytest
from PIL import Image

from envhub.news import workflow
from tests.news.test_markdown import unsafe

pytestmark = pytest.mark.django_db
SITE = "https://envhub.example.gov.vn"


@pytest.fixture
def shown(world, published):
    """The published post's text with an outside image and an unknown key beside its own."""
    editor, reviewer = world.actor("editor"), world.actor("editor2")
    workflow.unpublish(reviewer, published.post, "Thêm ảnh")
    workflow.edit(editor, published.post, {"body": published.post.body + (
        "\n\n![theo dõi](https://tracker.example/p.gif) ![x](media:khong-co.png)"
        " ![y](data:image/png;base64,iVBORw0KGgo=)")})
    workflow.submit(editor, published.post)
    workflow.publish(reviewer, published.post)
    return published


def test_the_post_page_shows_its_image_sized_and_lists_its_files(world, shown):
    image, file = shown.image, shown.file
    html = world.client("anonymous").get(f"/news/{shown.post.slug}/").content.decode()
    tag = re.search(r"<img [^>]*>", html.split('class="post-body"')[1]).group(0)
    assert f'src="/news/media/{image.pk}/{image.key}"' in tag
    assert 'width="1600" height="900"' in tag
    assert f'srcset="/news/media/{image.pk}/phone/{image.key} 640w, ' \
        f'/news/media/{image.pk}/{image.key} 1600w"' in tag
    assert 'alt="Biểu đồ chỉ số chất lượng không khí"' in tag
    assert "<figcaption>Chỉ số AQI tuần 48</figcaption>" in html
    assert "tracker.example" not in html and "data:image" not in html
    assert "khong-co.png" not in html
    files = html.split('class="attachments"')[1]
    assert "Báo cáo tuần 48.pdf" in files and "(PDF, " in files
    assert f'href="/news/media/{file.pk}/{file.key}"' in files
    assert f'href="/news/media/{file.pk}/{file.key}"' in html.split('class="post-body"')[1]


def test_the_desk_previews_a_drafts_images(world, drafted):
    html = world.client("editor").get(f"/news/desk/{drafted.post.pk}/").content.decode()
    preview = html.split('class="preview"')[1]
    assert f'src="/news/media/{drafted.image.pk}/{drafted.image.key}"' in preview
    assert f"![Biểu đồ chỉ số chất lượng không khí](media:{drafted.image.key})" in html
    assert "Chưa có ảnh" not in html and "Ảnh và tệp đính kèm" in html


@pytest.mark.parametrize("path", ["/news/feed.rss", "/news/feed.atom",
                                  "/news/category/air/feed.rss"])
@pytest.mark.parametrize("site", [SITE, ""])
def test_the_feeds_carry_the_images_as_absolute_addresses(world, shown, settings, path, site):
    settings.ENVHUB_SITE_URL = site
    base = site or "http://testserver"
    image, file = shown.image, shown.file
    feed = feedparser.parse(world.client("anonymous").get(path).content)
    assert not feed.bozo, feed.get("bozo_exception")
    (entry,) = [entry for entry in feed.entries if entry.title == shown.post.title]
    html = entry.content[0].value if "content" in entry else entry.summary
    assert unsafe(html) == []
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert sources == [f"{base}/news/media/{image.pk}/{image.key}"]
    assert f'href="{base}/news/media/{file.pk}/{file.key}"' in html
    assert "tracker.example" not in html and "data:image" not in html
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"{base}/news/media/{image.pk}/{image.key}"
    assert enclosure.type == "image/png" and int(enclosure.length) == image.size


def test_the_share_card_is_the_first_image(world, shown, published_plain):
    client = world.client("anonymous")
    html = client.get(f"/news/{shown.post.slug}/").content.decode()
    assert f'<meta property="og:image" content="http://testserver/cards/news/' \
        f'{shown.post.slug}.png">' in html
    with Image.open(io.BytesIO(client.get(f"/cards/news/{shown.post.slug}.png").content)) \
            as card:
        assert card.size == (1200, 630)
        assert card.getpixel((20, 20)) == (30, 120, 200)  # the picture, edge to edge
    with Image.open(io.BytesIO(client.get(
            f"/cards/news/{published_plain.slug}.png").content)) as card:
        assert card.getpixel((600, 20)) == (255, 255, 255)  # no image: the drawn title card


@pytest.fixture
def published_plain(world):
    editor = world.actor("editor")
    post = workflow.create(editor, {"title": "Tin không có ảnh", "category": "air",
                                    "body": "Chữ"})
    workflow.submit(editor, post)
    return workflow.publish(world.actor("editor2"), post)
