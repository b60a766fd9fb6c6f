"""Does a WGS84 point (latitude, longitude) lie within Viet Nam's territory, islands included?

Pure module (no Django import): a sanity check for the coordinates of facilities and monitoring
stations, not a cadastral boundary. Which province a point belongs to is checked elsewhere.

Data (`data/vietnam_extent.json`, rebuilt by `scripts/build_vietnam_extent.py`):

* Viet Nam's land outline from Natural Earth 1:10m (public domain) via the npm package
  `world-atlas`, simplified to about 0.005° (≈ 550 m).
* Named boxes for the Hoàng Sa (Paracel) and Trường Sa (Spratly) archipelagos, which Natural
  Earth omits or attributes to another state, and for Vietnamese islands that the 1:10m outline
  lacks (Bạch Long Vĩ, Lý Sơn, Cồn Cỏ, Thổ Chu). The Trường Sa box reaches Palawan and northern
  Borneo, so that foreign land is carved out of it.
* The land of China, Laos and Cambodia near Viet Nam.

A point is inside when it is (1) inside the outline, or (2) inside one of the named boxes (and not
on the foreign land carved out of it), or (3) within `margin_km` of the outline and not on the land
of China, Laos or Cambodia, or (4) on such land but within 2 km of the outline.

So the coastal margin applies toward the sea only: ports, coastal industrial zones and near-shore
platforms pass, while Chinese or Cambodian land near the border (around Dongxing in Guangxi, inland
of Kep in Kampot) does not, although it lies well within 22 km of Vietnamese coast. The foreign
shore itself can still pass where the simplified outline puts it at sea (Kep town does).

The build script simplifies arc by arc, so the shared land border is simplified identically for
Viet Nam and its neighbour: no gap or overlap opens between them. Natural Earth's 1:10m land border
is itself only good to a km or so (it leaves the Lũng Cú flag tower 140 m inside China), hence the
2 km tolerance (4): a point that close to a land border may be on either side; the province check
catches real errors.

Points in the exclusive economic zone beyond the margin (e.g. offshore oil fields such as Bạch Hổ)
are outside: that would need an EEZ polygon, which Natural Earth does not provide.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# Viet Nam's territorial sea is 12 nautical miles ≈ 22.2 km wide (UNCLOS art. 3; Law of the Sea of
# Viet Nam 2012, art. 11). Measured from the coastline rather than from the straight baselines it
# is a conservative reading, and it also absorbs the ≈ 0.5 km simplification error and the small
# coastal islands (Cù Lao Chàm, Hòn Khoai…) missing from the 1:10m outline.
COASTAL_MARGIN_KM = 22.0
# Natural Earth's 1:10m land borders are off by up to a km or two, and a real facility just inside
# the border must not be rejected for that. Accepting a point up to 2 km into a neighbour is fine
# for a sanity check: the province check is stricter.
LAND_BORDER_TOLERANCE_KM = 2.0

NOT_A_NUMBER = "not_a_number"
OUT_OF_RANGE = "out_of_range"
OUTSIDE_VIETNAM = "outside_vietnam"
REASONS = frozenset({NOT_A_NUMBER, OUT_OF_RANGE, OUTSIDE_VIETNAM})

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180  # ≈ 111.2 km per degree of latitude

DATA_PACKAGE = "envhub.core"
DATA_FILE = "data/vietnam_extent.json"

Box = tuple[float, float, float, float]  # west, south, east, north
Edge = tuple[float, float, float, float]  # lon1, lat1, lon2, lat2


def _in_box(box: Box, lon: float, lat: float) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


class _PolygonSet:
    """Edges of non-overlapping polygons, indexed so that a query looks at a few edges only.

    Even-odd ray casting over all rings at once answers "inside any polygon" (holes included)
    because the polygons do not overlap. Edges are bucketed by latitude band, since a horizontal
    ray only meets edges spanning its latitude, and by grid cell for distance queries.
    """

    BAND_DEGREES = 0.05
    CELL_DEGREES = 0.25

    def __init__(self, polygons: list[list[list[list[float]]]]) -> None:
        self.edges: list[Edge] = []
        for polygon in polygons:
            for ring in polygon:
                for (lon1, lat1), (lon2, lat2) in zip(ring, ring[1:], strict=False):
                    if (lon1, lat1) != (lon2, lat2):
                        self.edges.append((lon1, lat1, lon2, lat2))
        if self.edges:
            lons = [lon for edge in self.edges for lon in (edge[0], edge[2])]
            lats = [lat for edge in self.edges for lat in (edge[1], edge[3])]
            self.box: Box = (min(lons), min(lats), max(lons), max(lats))
        else:
            self.box = (math.inf, math.inf, -math.inf, -math.inf)  # contains nothing

        self._bands: dict[int, list[Edge]] = {}
        self._cells: dict[tuple[int, int], list[Edge]] = {}
        for edge in self.edges:
            lon1, lat1, lon2, lat2 = edge
            for band in range(self._band(min(lat1, lat2)), self._band(max(lat1, lat2)) + 1):
                self._bands.setdefault(band, []).append(edge)
            for column in range(self._cell(min(lon1, lon2)), self._cell(max(lon1, lon2)) + 1):
                for row in range(self._cell(min(lat1, lat2)), self._cell(max(lat1, lat2)) + 1):
                    self._cells.setdefault((column, row), []).append(edge)

    def _band(self, lat: float) -> int:
        return math.floor(lat / self.BAND_DEGREES)

    def _cell(self, degrees: float) -> int:
        return math.floor(degrees / self.CELL_DEGREES)

    def contains(self, lon: float, lat: float) -> bool:
        if not _in_box(self.box, lon, lat):
            return False
        inside = False
        for lon1, lat1, lon2, lat2 in self._bands.get(self._band(lat), ()):
            # Half-open test: a vertex on the ray is counted once, a horizontal edge never.
            if (lat1 > lat) != (lat2 > lat):
                if lon < lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1):
                    inside = not inside
        return inside

    def is_near(self, lon: float, lat: float, distance_km: float) -> bool:
        """Whether some edge is within `distance_km` of the point.

        Local equirectangular projection around the point: at ≤ 50 km its error is far below
        the outline's own precision.
        """
        km_per_degree_lon = KM_PER_DEGREE * math.cos(math.radians(lat))
        reach_lat = distance_km / KM_PER_DEGREE
        reach_lon = distance_km / max(km_per_degree_lon, 1e-9)
        west, south = self._cell(lon - reach_lon), self._cell(lat - reach_lat)
        east, north = self._cell(lon + reach_lon), self._cell(lat + reach_lat)
        limit_squared = distance_km * distance_km
        for column in range(west, east + 1):
            for row in range(south, north + 1):
                for lon1, lat1, lon2, lat2 in self._cells.get((column, row), ()):
                    # The point is the origin; edge ends in km.
                    x1, y1 = (lon1 - lon) * km_per_degree_lon, (lat1 - lat) * KM_PER_DEGREE
                    x2, y2 = (lon2 - lon) * km_per_degree_lon, (lat2 - lat) * KM_PER_DEGREE
                    if _origin_to_segment_squared(x1, y1, x2, y2) <= limit_squared:
                        return True
        return False


def _origin_to_segment_squared(x1: float, y1: float, x2: float, y2: float) -> float:
    dx, dy = x2 - x1, y2 - y1
    length_squared = dx * dx + dy * dy
    t = 0.0 if length_squared == 0 else max(0.0, min(1.0, -(x1 * dx + y1 * dy) / length_squared))
    x, y = x1 + t * dx, y1 + t * dy
    return x * x + y * y


@dataclass(frozen=True)
class _Area:
    name: str
    box: Box
    excluded_land: _PolygonSet

    def contains(self, lon: float, lat: float) -> bool:
        return _in_box(self.box, lon, lat) and not self.excluded_land.contains(lon, lat)


@dataclass(frozen=True)
class _Extent:
    source: str
    land: _PolygonSet
    neighbour_land: _PolygonSet
    areas: tuple[_Area, ...]
    max_margin_km: float

    def search_box(self, margin_km: float) -> Box:
        """Everything that can be inside: the outline grown by the margin, and the named boxes."""
        west, south, east, north = self.land.box
        widest_lat = max(abs(south), abs(north))  # where a km spans the most longitude
        reach = margin_km / (KM_PER_DEGREE * math.cos(math.radians(widest_lat)))
        boxes = [(west - reach, south - reach, east + reach, north + reach)]
        boxes += [area.box for area in self.areas]
        return (
            min(box[0] for box in boxes),
            min(box[1] for box in boxes),
            max(box[2] for box in boxes),
            max(box[3] for box in boxes),
        )


@cache
def _extent() -> _Extent:
    """Load and index the data file once per process."""
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    land = _PolygonSet(data["polygons"])
    neighbour_box: Box = tuple(data["neighbour_box"])
    # Neighbour land is only stored inside neighbour_box: beyond it a margin would reach
    # foreign land that the module cannot see.
    pad_degrees = min(
        land.box[0] - neighbour_box[0],
        land.box[1] - neighbour_box[1],
        neighbour_box[2] - land.box[2],
        neighbour_box[3] - land.box[3],
    )
    return _Extent(
        source=data["source"],
        land=land,
        neighbour_land=_PolygonSet(
            [polygon for polygons in data["neighbour_land"].values() for polygon in polygons]
        ),
        areas=tuple(
            _Area(area["name"], tuple(area["box"]), _PolygonSet(area["excluded_land"]))
            for area in data["areas"]
        ),
        max_margin_km=pad_degrees * KM_PER_DEGREE * math.cos(math.radians(neighbour_box[3])),
    )


@lru_cache(maxsize=8)  # keyed by margin_km; callers use one or two values
def _search_box(margin_km: float) -> Box:
    return _extent().search_box(margin_km)


def _inside(lat: float, lon: float, margin_km: float) -> bool:
    """The test itself, for a valid, finite point."""
    extent = _extent()
    if not _in_box(_search_box(margin_km), lon, lat):
        return False  # the common case for foreign points: no polygon is looked at
    if extent.land.contains(lon, lat):
        return True
    if any(area.contains(lon, lat) for area in extent.areas):
        return True
    if extent.neighbour_land.contains(lon, lat):
        # The margin reaches toward the sea only; on a neighbour's land only the border tolerance.
        margin_km = min(margin_km, LAND_BORDER_TOLERANCE_KM)
    return margin_km > 0 and extent.land.is_near(lon, lat, margin_km)


def _as_float(value: object) -> float | None:
    """A float from a number or a numeric string; None when it is not a number at all."""
    if value is None or isinstance(value, bool):  # True is an int, but not a coordinate
        return None
    try:
        return float(value)  # int, float, Decimal, numeric str
    except OverflowError:  # an int too large for a float is a number, just out of range
        return math.inf
    except (TypeError, ValueError):
        return None


def _valid_coordinates(lat: object, lon: object) -> tuple[float, float] | str:
    lat_value, lon_value = _as_float(lat), _as_float(lon)
    if lat_value is None or lon_value is None:
        return NOT_A_NUMBER
    # Written so that NaN, which fails every comparison, is out of range too.
    if not (-90.0 <= lat_value <= 90.0 and -180.0 <= lon_value <= 180.0):
        return OUT_OF_RANGE
    return lat_value, lon_value


def within_vietnam(lat: float, lon: float, *, margin_km: float = COASTAL_MARGIN_KM) -> bool:
    """Whether the WGS84 point lies in Viet Nam's territory, islands and coastal margin included.

    Invalid coordinates (NaN, infinite, out of range, not numbers) are simply not within.
    """
    if not 0 <= margin_km <= _extent().max_margin_km:
        raise ValueError(f"margin_km must be between 0 and {_extent().max_margin_km:.0f} km")
    coordinates = _valid_coordinates(lat, lon)
    if isinstance(coordinates, str):
        return False
    return _inside(*coordinates, margin_km)


def check_point(lat: object, lon: object) -> str | None:
    """None when (lat, lon) is a plausible location in Viet Nam, else a reason code:
    "not_a_number", "out_of_range" (also NaN and infinities) or "outside_vietnam".

    Never raises: numbers and numeric strings are accepted, anything else is "not_a_number".
    """
    coordinates = _valid_coordinates(lat, lon)
    if isinstance(coordinates, str):
        return coordinates
    if not _inside(*coordinates, COASTAL_MARGIN_KM):
        return OUTSIDE_VIETNAM
    return None
