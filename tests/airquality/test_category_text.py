"""The figure on an AQI colour is readable: its text colour (dark or white) has a contrast of at
least 4.5:1 with the category's colour (WCAG 2.1 AA), for every category."""

from __future__ import annotations

import pytest

from envhub.airquality import views, vn_aqi


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("category", vn_aqi.CATEGORIES, ids=lambda c: c.code)
def test_it_writes_on_each_aqi_colour_in_a_readable_colour(category):
    shown = views.category_view(category.code)
    text = "#111111" if shown["dark_text"] else "#ffffff"
    light, dark = sorted([_luminance(category.hex), _luminance(text)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
