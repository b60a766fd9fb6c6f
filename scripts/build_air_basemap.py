#!/usr/bin/env python3
"""Build envhub/static/envhub/vietnam-basemap.geojson, the air map's own base layer, from the
outline that envhub.core.geo already uses (envhub/core/data/vietnam_extent.json).

Usage:
    python scripts/build_air_basemap.py

A ministry server often cannot reach public tile servers; the air map then draws Viet Nam from
this file (tiles go on top when they load). It holds, as GeoJSON features with a `kind`:
  * `land`: Viet Nam's land outline, simplified again (Douglas-Peucker, TOLERANCE degrees) and
    rounded to 3 decimals (≈ 100 m), which is plenty at national and provincial zoom;
  * `island`: the Vietnamese islands the 1:10m outline lacks (Bạch Long Vĩ, Lý Sơn, Cồn Cỏ, Thổ
    Chu), as points at the centre of their box;
  * `archipelago`: Hoàng Sa and Trường Sa, as a frame and a label point. The data's Trường Sa
    box reaches Palawan and northern Borneo (geo.py carves that land out); the frame drawn stops
    at FRAME_EAST so that it covers no foreign land.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_vietnam_extent import douglas_peucker  # noqa: E402

SOURCE = ROOT / "envhub" / "core" / "data" / "vietnam_extent.json"
TARGET = ROOT / "envhub" / "static" / "envhub" / "vietnam-basemap.geojson"
TOLERANCE = 0.01  # degrees, ≈ 1.1 km
FRAME_EAST = 116.2  # Trường Sa's frame: west of Balabac and Palawan (≈ 116.9° E)
ARCHIPELAGO_NAMES = {  # the names the maps show (as in map.js)
    "Hoàng Sa (Paracel Islands)": "Quần đảo Hoàng Sa (Việt Nam)",
    "Trường Sa (Spratly Islands)": "Quần đảo Trường Sa (Việt Nam)",
}


def simplified_ring(ring: list[list[float]]) -> list[list[float]] | None:
    points = [(round(lon, 3), round(lat, 3)) for lon, lat in douglas_peucker(
        [tuple(point) for point in ring], TOLERANCE)]
    unique = list(dict.fromkeys(points))
    if len(unique) < 3:
        return None  # an islet smaller than the tolerance
    if points[0] != points[-1]:
        points.append(points[0])
    return [list(point) for point in points]


def land(polygons: list) -> dict:
    kept = []
    for polygon in polygons:
        rings = [simplified_ring(ring) for ring in polygon]
        if rings[0] is not None:
            kept.append([rings[0]] + [ring for ring in rings[1:] if ring is not None])
    return {"type": "Feature", "properties": {"kind": "land"},
            "geometry": {"type": "MultiPolygon", "coordinates": kept}}


def area_features(area: dict) -> list[dict]:
    west, south, east, north = area["box"]
    centre = [round((west + east) / 2, 3), round((south + north) / 2, 3)]
    if area["kind"] == "island":
        return [{"type": "Feature", "properties": {"kind": "island", "name": area["name"]},
                 "geometry": {"type": "Point", "coordinates": centre}}]
    east = min(east, FRAME_EAST)
    name = ARCHIPELAGO_NAMES.get(area["name"], area["name"])
    frame = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return [{"type": "Feature", "properties": {"kind": "archipelago", "name": name},
             "geometry": {"type": "Polygon", "coordinates": [frame]}}]


def build(extent: dict) -> dict:
    features = [land(extent["polygons"])]
    for area in extent["areas"]:
        features += area_features(area)
    return {"type": "FeatureCollection",
            "source": extent["source"] + f" Re-simplified to {TOLERANCE} deg for the air map "
                      "by scripts/build_air_basemap.py.",
            "licence": extent["licence"], "features": features}


def main() -> int:
    collection = build(json.loads(SOURCE.read_text(encoding="utf-8")))
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(text.encode()) + 1} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
