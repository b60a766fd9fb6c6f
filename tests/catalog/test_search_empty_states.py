"""The catalogue's empty search says what to try, and leads back to every dataset."""

from __future__ import annotations

import pytest

from envhub.catalog import services

pytestmark = pytest.mark.django_db


def test_a_search_that_finds_nothing_says_what_to_try(world):
    services.sync()
    page = world.client("anonymous").get("/datasets/?q=khongcobodulieunay").content.decode()
    assert "Hãy thử ít từ hơn hoặc từ khác" in page
    assert '<a href="/datasets/">Tất cả bộ dữ liệu</a>' in page


def test_an_empty_catalogue_says_what_will_be_listed(world):
    page = world.client("anonymous").get("/datasets/").content.decode()
    assert "Chưa có bộ dữ liệu nào được công bố" in page
