"""envhub.core.geo: is a WGS84 point within Viet Nam? Pure tests, no Django needed."""

from __future__ import annotations

import importlib.util
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.core import geo

DATA_FILE = Path(geo.__file__).parent / "data" / "vietnam_extent.json"
BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_vietnam_extent.py"

# (name, lat, lon)
INSIDE = [
    ("Hà Nội", 21.0285, 105.8542),
    ("TP Hồ Chí Minh", 10.7769, 106.7009),
    ("Lũng Cú flag tower", 23.3636, 105.3161),  # 140 m past Natural Earth's border: tolerance
    ("Mũi Cà Mau", 8.6028, 104.7225),
    ("A Pa Chải", 22.4000, 102.1500),
    ("Lào Cai city", 22.4856, 103.9707),
    ("Phú Quốc", 10.2270, 103.9670),
    ("Côn Đảo", 8.6833, 106.6000),
    ("Bạch Long Vĩ", 20.1333, 107.7167),
    ("Lý Sơn", 15.3800, 109.1200),
    ("Cồn Cỏ", 17.1500, 107.3400),
    ("Thổ Chu", 9.2800, 103.4700),
    ("Cù Lao Chàm", 15.9500, 108.5200),  # not in the outline: within the margin
    ("Hoàng Sa (Pattle Island)", 16.5333, 111.6000),
    ("Trường Sa island", 8.6453, 111.9180),
    ("Đà Nẵng, Tiên Sa port", 16.1200, 108.2150),
    ("Vũng Áng industrial zone", 18.0900, 106.3900),
    ("Dung Quất industrial zone", 15.3900, 108.8000),
    ("Hải Phòng, Đình Vũ port", 20.8430, 106.7700),
    ("Vũng Tàu, 15 km offshore", 10.2500, 107.2000),
]

# Points inside the land outline itself, so they pass even without any margin.
INSIDE_OUTLINE = [
    ("Hà Nội", 21.0285, 105.8542),
    ("TP Hồ Chí Minh", 10.7769, 106.7009),
    ("A Pa Chải", 22.4000, 102.1500),
    ("Phú Quốc", 10.2270, 103.9670),
    ("Côn Đảo", 8.6833, 106.6000),
    ("Vũng Áng industrial zone", 18.0900, 106.3900),
]

OUTSIDE = [
    ("Vientiane, Laos", 17.9757, 102.6331),
    ("Phnom Penh, Cambodia", 11.5564, 104.9282),
    ("Nanning, China", 22.8170, 108.3665),
    ("Haikou, Hainan", 20.0440, 110.1999),
    ("Bangkok", 13.7563, 100.5018),
    ("Manila", 14.5995, 120.9842),
    ("Null Island", 0.0, 0.0),
    ("South China Sea between the archipelagos", 13.0, 114.0),
    ("South China Sea east of Côn Đảo, beyond the margin", 8.0, 108.5),
    # ~40 km past the Lào Cai / Hà Giang border: no margin reaches that far into land.
    ("Mengzi, Yunnan", 23.3600, 103.3800),
    # Foreign land within 22 km of Vietnamese coast: the margin applies toward the sea only.
    ("Guangxi near Dongxing", 21.6200, 108.0000),
    ("Kampot province inland of Kep", 10.5200, 104.3500),
    # Foreign land inside the Trường Sa box is carved out of it.
    ("Sabah, Kudat peninsula", 6.8000, 116.8000),
    ("Balabac, Philippines", 7.9800, 117.0500),
    ("Palawan, Brooke's Point", 8.7800, 117.8300),
]


def _area_box(name_start: str) -> list[float]:
    areas = json.loads(DATA_FILE.read_text(encoding="utf-8"))["areas"]
    return next(area["box"] for area in areas if area["name"].startswith(name_start))


@pytest.mark.parametrize(("name", "lat", "lon"), INSIDE, ids=[row[0] for row in INSIDE])
def test_points_in_vietnam_pass(name: str, lat: float, lon: float) -> None:
    assert geo.within_vietnam(lat, lon)
    assert geo.check_point(lat, lon) is None


@pytest.mark.parametrize(
    ("name", "lat", "lon"), INSIDE_OUTLINE, ids=[row[0] for row in INSIDE_OUTLINE]
)
def test_points_inside_the_outline_need_no_margin(name: str, lat: float, lon: float) -> None:
    assert geo.within_vietnam(lat, lon, margin_km=0)


@pytest.mark.parametrize(("name", "lat", "lon"), OUTSIDE, ids=[row[0] for row in OUTSIDE])
def test_points_abroad_fail(name: str, lat: float, lon: float) -> None:
    assert not geo.within_vietnam(lat, lon)
    assert geo.check_point(lat, lon) == geo.OUTSIDE_VIETNAM


def test_open_sea_point_is_outside_both_archipelago_boxes() -> None:
    # If a box ever grows to swallow it, the open-sea test above stops meaning anything.
    for name in ("Hoàng Sa", "Trường Sa"):
        west, south, east, north = _area_box(name)
        assert not (west <= 114.0 <= east and south <= 13.0 <= north), name


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [
        (91, 105.0, geo.OUT_OF_RANGE),
        (-90.5, 105.0, geo.OUT_OF_RANGE),
        (21.0, 200, geo.OUT_OF_RANGE),
        (21.0, -180.1, geo.OUT_OF_RANGE),
        (math.nan, 105.0, geo.OUT_OF_RANGE),
        (21.0, math.nan, geo.OUT_OF_RANGE),
        (math.inf, 105.0, geo.OUT_OF_RANGE),
        (21.0, -math.inf, geo.OUT_OF_RANGE),
        (10**400, 105.0, geo.OUT_OF_RANGE),  # too big for a float
        ("1e999", 105.0, geo.OUT_OF_RANGE),
        (None, 105.0, geo.NOT_A_NUMBER),
        (21.0, "east", geo.NOT_A_NUMBER),
        (21.0, "", geo.NOT_A_NUMBER),
        (True, 105.0, geo.NOT_A_NUMBER),
        (21.0, [105.0], geo.NOT_A_NUMBER),
        (21.0, 1j, geo.NOT_A_NUMBER),
        # Accepted number forms: Decimal from the database, strings from a CSV import.
        (Decimal("21.0285"), Decimal("105.8542"), None),
        ("21.0285", " 105.8542 ", None),
        (21, 106, None),
    ],
)
def test_check_point_reasons(lat: object, lon: object, reason: str | None) -> None:
    assert geo.check_point(lat, lon) == reason


@pytest.mark.parametrize(("lat", "lon"), [(91, 105.0), (21.0, 200), (math.nan, 105.0)])
def test_invalid_coordinates_are_not_within(lat: float, lon: float) -> None:
    assert geo.within_vietnam(lat, lon) is False


@pytest.mark.parametrize("margin_km", [-1, math.nan, 1000])
def test_unsupported_margin_is_refused(margin_km: float) -> None:
    with pytest.raises(ValueError):
        geo.within_vietnam(21.0285, 105.8542, margin_km=margin_km)


def test_margin_reaches_the_sea() -> None:
    tien_sa_port = (16.1200, 108.2150)  # the simplified coast puts the quay at sea
    assert not geo.within_vietnam(*tien_sa_port, margin_km=0)
    assert geo.within_vietnam(*tien_sa_port)


any_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.none(),
    st.booleans(),
)


@given(lat=st.floats(), lon=st.floats())
def test_check_point_never_raises_on_floats(lat: float, lon: float) -> None:
    reason = geo.check_point(lat, lon)
    assert reason is None or reason in geo.REASONS
    assert geo.within_vietnam(lat, lon) is (reason is None)


@given(lat=any_value, lon=any_value)
def test_check_point_never_raises_on_anything(lat: object, lon: object) -> None:
    reason = geo.check_point(lat, lon)
    assert reason is None or reason in geo.REASONS


@given(
    lat=st.floats(min_value=8.0, max_value=24.0), lon=st.floats(min_value=101.0, max_value=118.0)
)
def test_check_point_inside_the_region(lat: float, lon: float) -> None:
    # The region where every branch (outline, boxes, margin, neighbours) is exercised.
    assert geo.check_point(lat, lon) in (None, geo.OUTSIDE_VIETNAM)


def test_data_file_is_small_and_credited() -> None:
    assert DATA_FILE.stat().st_size < 300_000
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["source"] and "world-atlas" in data["source"]
    assert "public domain" in data["licence"]
    names = [area["name"] for area in data["areas"]]
    assert any(name.startswith("Hoàng Sa") for name in names)
    assert any(name.startswith("Trường Sa") for name in names)
    for polygon in data["polygons"]:
        for ring in polygon:
            assert ring[0] == ring[-1] and len(ring) >= 4


# The build script: its geometry helpers, on tiny hand-made inputs.


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_vietnam_extent", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_decode_arcs_undoes_quantisation_and_deltas(build_script) -> None:
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [100, 10]},
        "arcs": [[[0, 0], [2, 4], [-1, 0]]],
    }
    assert build_script.decode_arcs(topology) == [[(100, 10), (101, 11), (100.5, 11)]]


def test_assemble_ring_reverses_negative_arcs(build_script) -> None:
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    ring = build_script.assemble_ring([0, ~1], arcs)
    assert ring == [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]


def test_douglas_peucker_drops_only_small_wiggles(build_script) -> None:
    line = [(0, 0), (1, 0.001), (2, 0), (3, 1), (4, 0)]
    assert build_script.douglas_peucker(line, 0.005) == [(0, 0), (2, 0), (3, 1), (4, 0)]


def test_douglas_peucker_keeps_a_closed_island(build_script) -> None:
    island = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    assert build_script.douglas_peucker(island, 0.005) == island


def test_clip_ring_keeps_the_part_inside_the_box(build_script) -> None:
    square = [(0, 0), (4, 0), (4, 4), (0, 4), (0, 0)]
    clipped = build_script.clip_ring(square, [2, 1, 10, 3])
    assert sorted(set(clipped)) == [(2, 1), (2, 3), (4, 1), (4, 3)]
