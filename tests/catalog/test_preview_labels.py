"""A dataset's preview shows codes by their labels in the page's language (the sector
"Nhiệt điện", not `thermal_power`); the files keep the codes, which are the data's contract."""

from __future__ import annotations

import pytest
from django.conf import settings

from envhub.catalog import services

pytestmark = pytest.mark.django_db

REGISTRY = "co-so-va-nguon-thai"


def _preview(response) -> str:
    page = response.content.decode()
    return page.split('id="preview"', 1)[1].split("</table>", 1)[0]


def test_the_preview_shows_labels_in_vietnamese(world):
    services.sync()
    preview = _preview(world.client("admin").get(f"/datasets/{REGISTRY}/"))
    assert "<td>Nhiệt điện</td>" in preview and "<td>Ống khói (khí thải)</td>" in preview
    assert "thermal_power" not in preview and "<td>stack</td>" not in preview
    # The file keeps the codes: they are the data's contract.
    response = world.client("admin").get(f"/datasets/{REGISTRY}/download.csv")
    body = b"".join(response.streaming_content).decode()
    assert "thermal_power" in body and ",stack," in body


def test_the_preview_shows_labels_in_english(world):
    services.sync()
    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    preview = _preview(client.get(f"/datasets/{REGISTRY}/"))
    assert "<td>Thermal power</td>" in preview
    assert "thermal_power" not in preview
