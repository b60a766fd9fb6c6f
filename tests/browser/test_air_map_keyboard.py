"""The air map by keyboard: Tab reaches every marker, a cluster of stations as much as a single
one; each is a button named for a screen reader (how many stations a cluster holds); Enter or
Space on a cluster zooms in until its stations part, and on a station opens its popup. Tile
requests are blocked, as on a ministry server without internet."""

from __future__ import annotations

import pytest

from envhub.registry.models import Station, StationKind
from tests.browser.test_air_map import SCREENSHOTS, air  # noqa: F401 - the fixture
from tests.browser.test_air_map_offline import open_map, two_in_hanoi  # noqa: F401

pytestmark = pytest.mark.browser

def tab_to(page, selector, presses=40):
    """Press Tab until `selector` has the focus; fails if it never does."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reaches {selector}")


@pytest.fixture
def alone(two_in_hanoi, world):  # noqa: F811 - the imported fixture
    """Đồng Nai's station, away from the others (read before the browser starts)."""
    return Station.objects.filter(kind=StationKind.AUTO_AIR).exclude(province=world.hanoi).get()


@pytest.mark.parametrize("key", ["Enter", " "])
def test_a_cluster_is_reached_named_and_opened_by_keyboard(alone, live_server, browser, key):
    context, page, errors, blocked = open_map(browser, live_server,
                                              {"width": 1366, "height": 900})
    assert blocked
    cluster = page.locator("path.aqi-cluster")
    assert cluster.count() == 1
    assert cluster.get_attribute("tabindex") == "0"
    assert cluster.get_attribute("role") == "button"
    assert cluster.get_attribute("aria-label") == "2 trạm"
    single = page.locator("path.aqi-marker")  # Đồng Nai's, without a current index
    assert single.count() == 1 and single.get_attribute("tabindex") == "0"
    assert single.get_attribute("role") == "button"
    assert single.get_attribute("aria-label").startswith(f"{alone.name} · ")

    tab_to(page, "path.aqi-cluster")
    page.keyboard.press(key)
    page.wait_for_function("() => document.querySelector('#air-map').dataset.clusters === '0'")
    assert page.locator("path.aqi-marker").count() == 3
    # The keyboard is on one of the stations that parted, and Enter opens its popup.
    page.wait_for_function("() => document.activeElement.matches('path.aqi-marker')")
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
    page.keyboard.press(key)
    page.wait_for_selector(".leaflet-popup")
    assert name.split(" · ")[0] in page.locator(".leaflet-popup").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "air-map-keyboard-1366.png"))
    assert errors == []
    context.close()
