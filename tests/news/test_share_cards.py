"""Share cards: a shared link to a post, an open dataset or an air station shows a title, a
description and a drawn image; nothing unpublished or closed gets a card."""

from __future__ import annotations

import io
import re

import pytest
from django.core.cache import cache
from PIL import Image

from envhub.news import workflow
from tests.airquality.test_widgets import index
from tests.catalog.published import AIR_HANOI, INTERNAL, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html))


def _png(response) -> Image.Image:
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1200, 630)
    return image


@pytest.fixture
def post(world):
    made = workflow.create(world.actor("editor"), {
        "title": "Mùa khô 2026: bụi mịn tăng ở các đô thị lớn", "category": "air",
        "summary": "Số ngày chất lượng không khí kém tăng so với năm trước.",
        "body": "Nội dung <b>chi tiết</b>."})
    workflow.submit(world.actor("editor"), made)
    return workflow.publish(world.actor("editor2"), made)


def test_a_post_page_carries_its_card(world, post):
    client = world.client("anonymous")
    meta = _meta(client.get(f"/news/{post.slug}/").content.decode())
    assert meta["og:title"] == post.title and meta["og:type"] == "article"
    assert meta["og:description"] == post.summary
    assert meta["og:url"] == f"http://testserver/news/{post.slug}/"
    assert meta["twitter:card"] == "summary_large_image"
    assert meta["og:image"] == f"http://testserver/cards/news/{post.slug}.png"
    assert "article:published_time" in meta
    _png(client.get(f"/cards/news/{post.slug}.png"))


def test_a_draft_has_no_card(world):
    draft = workflow.create(world.actor("editor"), {"title": "Nháp", "category": "air",
                                                   "body": "x"})
    assert world.client("anonymous").get(f"/cards/news/{draft.slug}.png").status_code == 404


def test_an_open_dataset_has_a_card_and_an_internal_one_none(world):
    publish(world)
    client = world.client("admin")
    meta = _meta(client.get(f"/datasets/{AIR_HANOI}/").content.decode())
    assert meta["og:image"] == f"http://testserver/cards/datasets/{AIR_HANOI}.png"
    _png(world.client("anonymous").get(f"/cards/datasets/{AIR_HANOI}.png"))
    # Its page, read by a steward, shares nothing; its card is not there for the crawler.
    assert "og:image" not in _meta(client.get(f"/datasets/{INTERNAL}/").content.decode())
    assert world.client("anonymous").get(f"/cards/datasets/{INTERNAL}.png").status_code == 404


def test_a_station_card_shows_its_index_in_the_category_colour(world):
    index(world.air_hn, 132)  # Kém: orange, RGB (255, 126, 0)
    client = world.client("anonymous")
    meta = _meta(client.get("/air/stations/HNKK1/").content.decode())
    assert meta["og:image"] == "http://testserver/cards/air/HNKK1.png"
    image = _png(client.get("/cards/air/HNKK1.png")).convert("RGB")
    assert image.getpixel((1100, 100)) == (255, 126, 0)
    assert client.get("/cards/air/NOPE.png").status_code == 404


def test_a_description_is_text_never_markup(world, post):
    post.summary = ""
    post.save()
    meta = _meta(world.client("anonymous").get(f"/news/{post.slug}/").content.decode())
    assert meta["og:description"] == "Nội dung chi tiết."


def test_a_post_taken_down_loses_its_card_at_once(world, post):
    # The card is the post's first image or title: drawn once and kept, but it must not
    # outlive the post's publication for the server's ten minutes of cache.
    client = world.client("anonymous")
    _png(client.get(f"/cards/news/{post.slug}.png"))
    workflow.unpublish(world.actor("editor2"), post, "Sai số liệu")
    assert client.get(f"/cards/news/{post.slug}.png").status_code == 404


def test_a_dataset_closed_loses_its_card_at_once(world):
    from envhub.catalog.models import Dataset

    publish(world)
    client = world.client("anonymous")
    _png(client.get(f"/cards/datasets/{AIR_HANOI}.png"))
    Dataset.objects.filter(identifier=AIR_HANOI).update(withdrawn=True)
    assert client.get(f"/cards/datasets/{AIR_HANOI}.png").status_code == 404


def test_a_post_corrected_and_published_again_gets_a_new_card(world, post):
    client = world.client("anonymous")
    first = client.get(f"/cards/news/{post.slug}.png").content
    workflow.unpublish(world.actor("editor2"), post, "Sai tiêu đề")
    workflow.edit(world.actor("editor"), post, {
        "title": "Mùa khô 2026: bụi mịn giảm ở các đô thị lớn", "category": "air",
        "summary": post.summary, "body": post.body})
    workflow.submit(world.actor("editor"), post)
    workflow.publish(world.actor("editor2"), post)
    again = client.get(f"/cards/news/{post.slug}.png")
    _png(again)
    assert again.content != first
