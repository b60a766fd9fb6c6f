#!/usr/bin/env python3
"""Build envhub/core/data/vietnam_extent.json from Natural Earth via the npm package `world-atlas`.

Usage:
    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python scripts/build_vietnam_extent.py /tmp/package/countries-10m.json

What it writes (read by envhub.core.geo):
  * `polygons`: Viet Nam's land outline (Natural Earth id "704"), a list of polygons, each a list
    of [lon, lat] rings.
  * `neighbour_land`: the land of China, Laos and Cambodia clipped to a box around Viet Nam. The
    coastal margin is given only to points at sea, so geo.py needs to know where foreign land is.
  * `areas`: named boxes for Hoàng Sa and Trường Sa (Natural Earth omits them or gives them to
    another state) and for Vietnamese islands that the 1:10m outline lacks. The Trường Sa box
    reaches Palawan and northern Borneo, so that foreign land is carved out (`excluded_land`).

Arcs are simplified one by one (Douglas–Peucker), not ring by ring: an arc shared by Viet Nam and a
neighbour is then simplified the same way for both, so the two outlines still meet without gaps or
overlaps along the land border.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

VIETNAM_ID = "704"
NEIGHBOUR_IDS = {"156": "China", "418": "Laos", "116": "Cambodia"}
# Foreign land inside the Trường Sa box: Palawan and Balabac (PH), Sabah and its islands (MY).
# None of the Spratly features themselves is in these geometries (Natural Earth keeps them in a
# separate, unattributed "Spratly Is." geometry), so carving them out removes no Vietnamese claim.
ARCHIPELAGO_FOREIGN_IDS = {"608": "Philippines", "458": "Malaysia", "096": "Brunei"}

SIMPLIFY_TOLERANCE_DEG = 0.005  # ≈ 550 m, about the source's own quantisation (0.0036° × 0.0017°)
DECIMALS = 4  # ≈ 11 m, far below the simplification error
# Neighbour land is kept this far around Viet Nam's outline. It must exceed the largest coastal
# margin geo.py may use (0.5° ≥ 51 km even at 23° N).
NEIGHBOUR_PAD_DEG = 0.5

# (name, kind, [west, south, east, north]). Archipelago boxes follow the extent of the island
# groups; island boxes are a few km around islands that the 1:10m outline does not contain.
AREAS: list[tuple[str, str, list[float]]] = [
    ("Hoàng Sa (Paracel Islands)", "archipelago", [111.0, 15.7, 113.0, 17.2]),
    ("Trường Sa (Spratly Islands)", "archipelago", [111.4, 6.0, 117.9, 11.6]),
    ("Bạch Long Vĩ", "island", [107.62, 20.06, 107.80, 20.20]),
    ("Lý Sơn", "island", [109.03, 15.33, 109.18, 15.47]),
    ("Cồn Cỏ", "island", [107.29, 17.11, 107.39, 17.21]),
    ("Thổ Chu", "island", [103.40, 9.20, 103.60, 9.40]),
]

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Absolute lon/lat arcs from quantised, delta-encoded TopoJSON arcs."""
    (scale_x, scale_y), (translate_x, translate_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for encoded in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in encoded:
            x += dx
            y += dy
            points.append((x * scale_x + translate_x, y * scale_y + translate_y))
        arcs.append(points)
    return arcs


def _segment_distance(point: Point, start: Point, end: Point) -> float:
    px, py = point
    ax, ay = start
    dx, dy = end[0] - ax, end[1] - ay
    length_squared = dx * dx + dy * dy
    if length_squared == 0:  # closed arc: start and end coincide
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_squared))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Keep the end points and every point needed to stay within `tolerance` (iterative)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, farthest_distance = -1, tolerance
        for index in range(first + 1, last):
            distance = _segment_distance(points[index], points[first], points[last])
            if distance > farthest_distance:
                farthest, farthest_distance = index, distance
        if farthest >= 0:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def assemble_ring(arc_indices: list[int], arcs: list[list[Point]]) -> Ring:
    """A ring from TopoJSON arc references (~i means arc i reversed)."""
    ring: Ring = []
    for index in arc_indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])  # each arc starts where the previous ended
    return ring


def geometry_polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def rounded_ring(ring: Ring) -> Ring:
    out: Ring = []
    for lon, lat in ring:
        point = (round(lon, DECIMALS), round(lat, DECIMALS))
        if not out or point != out[-1]:
            out.append(point)
    return out


def country_polygons(
    geometry: dict, arcs: list[list[Point]], simplified_arcs: list[list[Point]]
) -> list[list[Ring]]:
    polygons = []
    for polygon in geometry_polygons(geometry):
        rings = []
        for arc_indices in polygon:
            ring = rounded_ring(assemble_ring(arc_indices, simplified_arcs))
            if len(ring) < 4:  # a tiny island collapsed to a line: keep it unsimplified
                ring = rounded_ring(assemble_ring(arc_indices, arcs))
            if len(ring) >= 4:
                rings.append(ring)
        if rings:
            polygons.append(rings)
    return polygons


def clip_ring(ring: Ring, box: list[float]) -> Ring:
    """Sutherland–Hodgman clipping of a ring to a box. A concave ring may come back with edges
    running along the box border; even-odd point-in-polygon tests inside the box stay right."""
    west, south, east, north = box

    def clip(points: Ring, inside, cross) -> Ring:
        out: Ring = []
        for index, current in enumerate(points):
            previous = points[index - 1]
            if inside(current):
                if not inside(previous):
                    out.append(cross(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(cross(previous, current))
        return out

    def at_x(x: float):
        return lambda a, b: (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

    def at_y(y: float):
        return lambda a, b: (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

    points = ring[:-1] if ring[0] == ring[-1] else list(ring)
    for inside, cross in (
        (lambda p: p[0] >= west, at_x(west)),
        (lambda p: p[0] <= east, at_x(east)),
        (lambda p: p[1] >= south, at_y(south)),
        (lambda p: p[1] <= north, at_y(north)),
    ):
        if not points:
            break
        points = clip(points, inside, cross)
    if len(points) < 3:
        return []
    return rounded_ring(points + [points[0]])


def clip_polygons(polygons: list[list[Ring]], box: list[float]) -> list[list[Ring]]:
    clipped = []
    for polygon in polygons:
        rings = [ring for ring in (clip_ring(ring, box) for ring in polygon) if len(ring) >= 4]
        if rings:
            clipped.append(rings)
    return clipped


def bounding_box(polygons: list[list[Ring]]) -> list[float]:
    lons = [lon for polygon in polygons for ring in polygon for lon, _ in ring]
    lats = [lat for polygon in polygons for ring in polygon for _, lat in ring]
    return [min(lons), min(lats), max(lons), max(lats)]


def build(topology: dict, atlas_version: str) -> dict:
    arcs = decode_arcs(topology)
    simplified_arcs = [douglas_peucker(arc, SIMPLIFY_TOLERANCE_DEG) for arc in arcs]
    geometries = {
        geometry.get("id"): geometry for geometry in topology["objects"]["countries"]["geometries"]
    }

    def polygons_of(country_id: str) -> list[list[Ring]]:
        return country_polygons(geometries[country_id], arcs, simplified_arcs)

    vietnam = polygons_of(VIETNAM_ID)
    west, south, east, north = bounding_box(vietnam)
    neighbour_box = [
        round(west - NEIGHBOUR_PAD_DEG, DECIMALS),
        round(south - NEIGHBOUR_PAD_DEG, DECIMALS),
        round(east + NEIGHBOUR_PAD_DEG, DECIMALS),
        round(north + NEIGHBOUR_PAD_DEG, DECIMALS),
    ]
    neighbour_land = {
        name: clip_polygons(polygons_of(country_id), neighbour_box)
        for country_id, name in NEIGHBOUR_IDS.items()
    }
    areas = []
    for name, kind, box in AREAS:
        excluded = []
        if kind == "archipelago":
            for country_id in ARCHIPELAGO_FOREIGN_IDS:
                if country_id in geometries:
                    excluded += clip_polygons(polygons_of(country_id), box)
        areas.append({"name": name, "kind": kind, "box": box, "excluded_land": excluded})

    return {
        "source": (
            f"Natural Earth 1:10m Admin 0 countries, from the npm package world-atlas "
            f"{atlas_version} (countries-10m.json); Viet Nam id {VIETNAM_ID}; simplified "
            f"(Douglas-Peucker, {SIMPLIFY_TOLERANCE_DEG} deg) by scripts/build_vietnam_extent.py. "
            f"Areas: Hoàng Sa and Trường Sa archipelagos and islands missing from the outline, "
            f"added by envhub."
        ),
        "licence": (
            "Natural Earth data: public domain (naturalearthdata.com/about/terms-of-use). "
            "world-atlas packaging: ISC licence, Copyright 2013-2019 Michael Bostock."
        ),
        "simplify_tolerance_deg": SIMPLIFY_TOLERANCE_DEG,
        "bbox": [west, south, east, north],
        "polygons": vietnam,
        "neighbour_box": neighbour_box,
        "neighbour_land": neighbour_land,
        "areas": areas,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("countries_json", type=Path, help="world-atlas countries-10m.json")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "envhub/core/data/vietnam_extent.json",
    )
    parser.add_argument(
        "--atlas-version",
        help="world-atlas version (default: read from package.json next to the input)",
    )
    args = parser.parse_args(argv)

    version = args.atlas_version
    if not version:
        package_json = args.countries_json.parent / "package.json"
        version = json.loads(package_json.read_text())["version"] if package_json.exists() else "?"
    extent = build(json.loads(args.countries_json.read_text()), version)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(extent, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    points = sum(len(ring) for polygon in extent["polygons"] for ring in polygon)
    print(
        f"{args.output}: {len(text.encode()) / 1024:.0f} KB, {len(extent['polygons'])} polygons, "
        f"{points} points",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
