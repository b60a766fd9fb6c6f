"""The admin and the maps speak Vietnamese where Django's and Leaflet's own words are English:
"Show counts", "Select this object for an action", "Zoom out" come from the project's
catalogue (Django's Vietnamese catalogue lacks them)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_admin_lists_say_their_words_in_vietnamese(world):
    client = world.client("admin")
    page = client.get("/admin/registry/facility/").content.decode()
    assert "Show counts" not in _visible(page) and "Hiện số lượng" in page
    assert "Select this object for an action" not in page
    assert "Chọn đối tượng này để thực hiện thao tác - Nhà máy" in page
    assert "Hide counts" not in client.get("/admin/registry/facility/?_facets=1").content.decode()


def test_the_maps_say_zoom_in_vietnamese(world):
    page = world.client("admin").get("/stations/").content.decode()
    assert 'data-zoom-in-title="Phóng to"' in page
    assert 'data-zoom-out-title="Thu nhỏ"' in page
