"""The token form asks only for what its "For" choice needs: the station and facility fields
say when they are needed, and carry the rule site.js follows to hide them (no inline script)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_station_and_facility_fields_follow_the_for_choice(world):
    page = world.client("operator").get("/account/tokens/").content.decode()
    station = re.search(r'<div class="field"([^>]*)>\s*<label for="id_station"', page)
    facility = re.search(r'<div class="field"([^>]*)>\s*<label for="id_facility"', page)
    name = re.search(r'<div class="field"([^>]*)>\s*<label for="id_name"', page)
    assert station and 'data-shown-when="owner=station"' in station.group(1)
    assert facility and 'data-shown-when="owner=facility"' in facility.group(1)
    assert name and "data-shown-when" not in name.group(1)
    # Without JavaScript every field shows, saying when it is needed.
    assert "Chỉ dùng khi cấp mã cho một trạm quan trắc." in page
    assert "<script>" not in page


def test_no_token_yet_says_how_to_issue_one(world):
    page = world.client("operator").get("/account/tokens/").content.decode()
    assert "Chưa có mã truy cập nào." in page
    assert "Hãy cấp mã bằng biểu mẫu ở trên" in page and "chọn trạm của nó" in page
