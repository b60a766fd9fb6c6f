"""The air map without internet (issue 15, item 5): with every tile request blocked it still
shows Viet Nam from the project's own outline, Hoàng Sa and Trường Sa, the province names and
the stations; Hà Nội's overlapping stations are one marker at national zoom; popups stay clear
of the zoom buttons; "find my province" and "nearest station" use the browser's location, and
say so clearly when it is refused. Screenshots at 390×844 and 1366×900 in var/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from envhub.airquality.models import HourlyAqi
from envhub.registry.models import Station, StationKind
from tests.browser.pages import open_page
from tests.browser.test_air_map import SCREENSHOTS, air  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

TILES = "https://tile.openstreetmap.org/**"
HANOI = {"latitude": 21.035, "longitude": 105.84}


@pytest.fixture
def two_in_hanoi(air, world):  # noqa: F811 - the imported fixture
    """A second Hà Nội station 2 km from the first: the two overlap at national zoom."""
    station = Station.objects.create(
        code="HNKK2", name="Trạm Hoàn Kiếm", kind=StationKind.AUTO_AIR, province=world.hanoi,
        latitude=21.03, longitude=105.85, operator=world.dept_hanoi)
    HourlyAqi.objects.create(station=station, hour_end=air.hour_end, aqi=42, category="good",
                             dominant="PM2_5", sub_indices={"PM2_5": 42}, inputs=[], note="")
    assert air.hour_end <= timezone.now()
    return station


def open_map(browser, live_server, viewport, **options):
    context, page, errors = open_page(browser, live_server, viewport=viewport, **options)
    blocked = []
    page.route(TILES, lambda route: (blocked.append(route.request.url), route.abort()))
    page.goto(f"{live_server.url}/air/")
    page.wait_for_function("() => { const m = document.querySelector('#air-map').dataset;"
                           " return m.loaded && m.basemap && m.tiles; }")
    return context, page, errors, blocked


def overlaps(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or
                a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width, height", [(390, 844), (1366, 900)])
def test_the_offline_map_draws_viet_nam_and_the_stations(two_in_hanoi, live_server, browser,
                                                         width, height):
    context, page, errors, blocked = open_map(browser, live_server,
                                              {"width": width, "height": height})
    element = page.locator("#air-map")
    assert blocked and element.get_attribute("data-tiles") == "error"
    assert element.get_attribute("data-basemap") == "ready"
    assert element.get_attribute("data-loaded") == "3"
    # The land: the mainland outline with its hundreds of points, drawn filled.
    land = page.locator("#air-map path.vn-land")
    assert land.count() >= 1
    assert max(len(d) for d in land.evaluate_all("ps => ps.map(p => p.getAttribute('d'))")) > 1000
    outline = max((path.bounding_box() for path in land.all()), key=lambda box: box["height"])
    assert outline["height"] > 0.6 * element.bounding_box()["height"]  # Hà Nội to Đồng Nai
    # Hoàng Sa and Trường Sa: a frame each, and their names.
    assert page.locator("#air-map path.vn-archipelago").count() == 2
    labels = page.locator("#air-map .archipelago-label").all_inner_texts()
    assert [" ".join(label.split()) for label in labels] == [
        "Quần đảo Hoàng Sa (Việt Nam)", "Quần đảo Trường Sa (Việt Nam)"]
    frame = element.bounding_box()
    for label in page.locator("#air-map .archipelago-label").all():  # in the national view
        box = label.locator("span").bounding_box()
        assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
        assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    # Province names where their stations and facilities are.
    provinces = page.locator("#air-map .province-label").all_inner_texts()
    assert "Hà Nội" in provinces and "Đồng Nai" in provinces
    # The stations: Đồng Nai alone, Hà Nội's two as one marker at national zoom.
    assert page.locator("path.aqi-marker.aqi-stale").count() == 1
    assert element.get_attribute("data-clusters") == "1"
    cluster = page.locator("path.aqi-cluster")
    assert cluster.count() == 1
    assert "2" in page.locator(".aqi-cluster-label").all_inner_texts()
    page.screenshot(path=str(SCREENSHOTS / f"air-map-offline-{width}.png"), full_page=True)

    # A cluster zooms in until its stations separate.
    cluster.click()
    page.wait_for_function("() => document.querySelector('#air-map').dataset.clusters === '0'")
    assert page.locator("path.aqi-marker").count() == 3
    # A popup never opens under the zoom buttons.
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    page.locator("path.aqi-marker.aqi-good").click()
    page.wait_for_selector(".leaflet-popup")
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " const z = document.querySelector('.leaflet-control-zoom').getBoundingClientRect();"
        " return p.right <= z.left || z.right <= p.left || p.bottom <= z.top"
        " || z.bottom <= p.top; }")
    popup = page.locator(".leaflet-popup").bounding_box()
    assert not overlaps(popup, zoom)
    frame = element.bounding_box()  # and it fits in the map, on a phone too
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();"
        " const m = document.querySelector('#air-map').getBoundingClientRect();"
        " return m.left <= p.left && p.right <= m.right"
        " && getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'; }")
    popup = page.locator(".leaflet-popup").bounding_box()
    assert frame["x"] <= popup["x"] and popup["x"] + popup["width"] <= frame["x"] + frame["width"]
    assert "Trạm Hoàn Kiếm" in page.locator(".leaflet-popup").inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"air-map-popup-{width}.png"))
    assert errors == []
    context.close()


def test_find_my_province_and_the_nearest_station(two_in_hanoi, live_server, browser):
    context, page, errors, _blocked = open_map(
        browser, live_server, {"width": 390, "height": 844}, geolocation=HANOI,
        permissions=["geolocation"])
    page.get_by_role("button", name="Tìm tỉnh của tôi").click()
    message = page.locator("#air-locate-message")
    page.wait_for_function("() => document.querySelector('#air-locate').dataset.state "
                           "=== 'province'")
    assert "Thành phố Hà Nội" in message.inner_text()
    assert message.locator("a").get_attribute("href") == "/air/provinces/01/"

    page.get_by_role("button", name="Trạm gần nhất").click()
    page.wait_for_function("() => document.querySelector('#air-locate').dataset.state "
                           "=== 'station'")
    assert "Trạm Hoàn Kiếm" in message.inner_text()  # 1 km away; HNKK1 is 1.1 km
    assert "cách bạn khoảng 1 km" in message.inner_text()
    page.wait_for_selector(".leaflet-popup")
    assert "Trạm Hoàn Kiếm" in page.locator(".leaflet-popup").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "air-map-nearest-390.png"))
    assert errors == []
    context.close()


def test_a_refused_location_is_said_clearly(two_in_hanoi, live_server, browser):
    context, page, errors, _blocked = open_map(browser, live_server,
                                               {"width": 390, "height": 844})
    page.get_by_role("button", name="Trạm gần nhất").click()  # no permission given
    page.wait_for_function("() => ['refused', 'unavailable'].includes("
                           "document.querySelector('#air-locate').dataset.state)")
    assert page.get_attribute("#air-locate", "data-state") == "refused"
    text = page.locator("#air-locate-message").inner_text()
    assert text.startswith("Bạn chưa cho phép trang này biết vị trí của bạn")
    assert page.locator("#air-locate-message").is_visible()
    assert errors == []
    context.close()


@pytest.fixture
def bac_ninh(two_in_hanoi, world):
    """A station in Bắc Ninh, 30 km from Hà Nội: their names overlap at national zoom."""
    from envhub.registry.models import Province

    return Station.objects.create(
        code="BNKK1", name="Trạm Bắc Ninh", kind=StationKind.AUTO_AIR,
        province=Province.objects.get(code="24"), latitude=21.18, longitude=106.07)


def test_province_names_never_overlap(bac_ninh, live_server, browser):
    context, page, errors, _blocked = open_map(
        browser, live_server, {"width": 1366, "height": 900}, geolocation=HANOI,
        permissions=["geolocation"])
    shown = "#air-map .province-label:not([style*='display: none']) span"

    def boxes():
        return [page.locator(shown).nth(i).bounding_box()
                for i in range(page.locator(shown).count())]

    names = page.locator(shown).all_inner_texts()
    assert "Hà Nội" in names and "Bắc Ninh" not in names  # Hà Nội has more registered
    found = boxes()
    assert all(not overlaps(a, b) for i, a in enumerate(found) for b in found[i + 1:])
    page.get_by_role("button", name="Tìm tỉnh của tôi").click()  # zooms in on Hà Nội
    page.wait_for_function("() => document.querySelector('#air-locate').dataset.state "
                           "=== 'province'")
    names = page.locator(shown).all_inner_texts()
    assert "Hà Nội" in names and "Bắc Ninh" in names
    assert errors == []
    context.close()


def test_tiles_that_load_go_on_top_of_the_outline(two_in_hanoi, live_server, browser):
    context, page, errors = open_page(browser, live_server)
    png = (Path(__file__).resolve().parents[2] / "envhub" / "static" / "vendor" / "leaflet" /
           "images" / "layers.png").read_bytes()  # any PNG will do as a tile
    page.route(TILES, lambda route: route.fulfill(body=png, content_type="image/png"))
    page.goto(f"{live_server.url}/air/")
    page.wait_for_function("() => { const m = document.querySelector('#air-map').dataset;"
                           " return m.loaded && m.basemap && m.tiles; }")
    assert page.get_attribute("#air-map", "data-tiles") == "loaded"
    assert page.locator(".leaflet-tile-loaded").count() > 0
    z = page.evaluate("() => ['tile', 'vn-base', 'vn-province', 'overlay'].map(name =>"
                      " Number(getComputedStyle(document.querySelector("
                      "'.leaflet-' + name + '-pane')).zIndex))")
    tiles, land, provinces, overlay = z
    assert land < provinces < tiles < overlay  # the outline and its names under the tiles
    assert page.locator(".archipelago-label").count() == 2  # Hoàng Sa, Trường Sa stay above
    assert errors == []
    context.close()
