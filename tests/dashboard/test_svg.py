"""The report's SVG charts and map, as pure functions: well-formed, escaped, scaled."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from envhub.dashboard import svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(text: str):
    root = ElementTree.fromstring(text)
    assert root.tag == f"{NS}svg" and root.get("viewBox")
    return root


@pytest.mark.parametrize(("value", "ceiling"), [
    (0, 1), (-3, 1), (float("nan"), 1), (0.7, 1), (1, 1), (1.2, 2), (3, 5), (7, 10),
    (18, 20), (45, 50), (101, 200), (999, 1000),
])
def test_it_ends_the_axis_at_a_round_figure(value, ceiling):
    assert svg.nice_ceiling(value) == ceiling


@pytest.mark.parametrize(("values", "bounds"), [
    ([], []), ([0, 0], []), ([5], [1, 2, 3, 4, 5]), ([12, 3], [3, 6, 9, 12, 15]),
    ([100, 1], [20, 40, 60, 80, 100]),
])
def test_it_makes_five_classes_of_whole_hours(values, bounds):
    assert svg.classes(values) == bounds


@pytest.mark.parametrize(("value", "index"), [
    (0, None), (-1, None), (1, 0), (3, 0), (3.5, 1), (15, 4), (99, 4),
])
def test_it_puts_a_value_in_its_class(value, index):
    assert svg.class_of(value, [3, 6, 9, 12, 15]) == index


def test_it_draws_one_bar_per_row_longest_for_the_largest():
    root = _parse(svg.bars([("Hà Nội", 10), ("Đồng Nai", 5), ("Huế", 0)], title="Giờ",
                           number=lambda v: f"{v:g} h"))
    widths = [float(rect.get("width")) for rect in root.iter(f"{NS}rect")]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    texts = [text.text for text in root.iter(f"{NS}text")]
    assert "Hà Nội" in texts and "10 h" in texts and "0 h" in texts
    assert root.find(f"{NS}title").text == "Giờ"


def test_it_escapes_text():
    text = svg.bars([("<script>&", 1)], title='"quoted" <t>')
    root = _parse(text)
    assert "<script>" not in text
    assert any(node.text == "<script>&" for node in root.iter(f"{NS}text"))


def test_it_breaks_a_line_where_a_value_is_missing():
    root = _parse(svg.lines(["1", "2", "3", "4", "5"], [("a", [1, 2, None, 4, 5]),
                                                         ("b", [None, None, 3, None, None])],
                            title="t"))
    assert len(list(root.iter(f"{NS}polyline"))) == 2  # a: 1–2 and 4–5
    assert len(list(root.iter(f"{NS}circle"))) == 1  # b: one point alone


def test_it_stacks_the_parts_of_a_row_and_keeps_empty_parts_out():
    root = _parse(svg.stacked_bars([("Hà Nội", [20, 0, 10]), ("Đồng Nai", [0, 30, 0])],
                                   [("Tốt", "#00e400"), ("TB", "#ffff00"), ("Kém", "#ff7e00")],
                                   title="AQI"))
    bars = [rect for rect in root.iter(f"{NS}rect") if rect.find(f"{NS}title") is not None]
    assert [rect.get("fill") for rect in bars] == ["#00e400", "#ff7e00", "#ffff00"]
    assert float(bars[0].get("width")) * 1.5 == pytest.approx(float(bars[2].get("width")),
                                                              abs=0.02)


def test_it_draws_the_land_and_a_circle_per_place_with_a_position():
    land = [{"type": "Feature", "properties": {"kind": "land"},
             "geometry": {"type": "Polygon", "coordinates": [
                 [[105, 21], [106, 21], [106, 20], [105, 21]]]}},
            {"type": "Feature", "properties": {"kind": "archipelago", "name": "Quần đảo"},
             "geometry": {"type": "Polygon", "coordinates": [
                 [[111, 16], [113, 16], [113, 17], [111, 16]]]}}]
    places = [{"name": "Hà Nội", "lat": 21.0, "lon": 105.8, "value": 12},
              {"name": "Đồng Nai", "lat": 10.9, "lon": 106.8, "value": 0},
              {"name": "Nowhere", "lat": None, "lon": None, "value": 3}]
    root = _parse(svg.choropleth_points(land, places, title="Bản đồ", legend="Giờ"))
    assert len(list(root.iter(f"{NS}path"))) == 2
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == 2
    filled = [c for c in circles if c.get("fill") != "#ffffff"]
    assert len(filled) == 1 and filled[0].get("fill") == svg.SCALE[3]  # 12 in (9, 12]
    # North is up: Hà Nội above Đồng Nai.
    hanoi, dongnai = (float(c.get("cy")) for c in circles)
    assert hanoi < dongnai
