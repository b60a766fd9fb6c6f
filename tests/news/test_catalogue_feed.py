"""The catalogue's new and updated datasets as RSS and Atom: open datasets only, newest change
first, read back by a real feed parser."""

from __future__ import annotations

import feedparser
import pytest

from tests.catalog.published import INTERNAL, SECRET_KEYWORD, WITHDRAWN, publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/datasets/feed.rss", "/datasets/feed.atom"])
def test_the_catalogue_feed_lists_open_datasets_only(world, path):
    identifiers = publish(world)
    response = world.client("anonymous").get(path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    links = [entry.link for entry in feed.entries]
    found = {link.rstrip("/").rsplit("/", 1)[-1] for link in links}
    assert found and found <= identifiers["open"]
    assert INTERNAL not in found and WITHDRAWN not in found
    assert SECRET_KEYWORD not in response.content.decode()
    dates = [entry.published_parsed if path.endswith(".rss") else entry.updated_parsed
             for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
