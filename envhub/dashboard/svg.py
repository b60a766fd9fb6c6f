"""Charts and the map of a report as SVG text, drawn on the server: no script runs in a PDF,
and a report must read the same wherever it is opened. Pure module: no Django; the numbers come
in already counted, and a `number` function writes them as the reader reads them
(`core.numbers`).

- `bars`: horizontal bars, one per labelled value, longest first as given.
- `stacked_bars`: a horizontal bar per row split into coloured parts (AQI days by category).
- `lines`: one or more series over the same labelled points (days), on a shared scale.
- `choropleth_points`: Viet Nam's land (the offline base map's polygons) with a circle per
  province at its centre, its colour by the figure's class and its area by the figure.

Every function returns one `<svg>` element with a `viewBox`, sized by its width in CSS; text is
escaped; no value makes a shape of negative or infinite size."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

Number = Callable[[float], str]

FONT = "Noto Sans, sans-serif"
INK, MUTED, GRID = "#1f2933", "#52606d", "#d9e2ec"
BAR = "#c0392b"
# Classes of the map's figure, lightest to darkest (ColorBrewer's OrRd, 5 classes).
SCALE = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
LINE_COLOURS = ("#c0392b", "#1f78b4", "#33a02c", "#6a3d9a", "#ff7f00")


def _plain(value: float) -> str:
    return f"{value:g}"


def _fmt(value: float) -> str:
    """A coordinate with two decimals, without a trailing zero or "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} '
            f'{_fmt(height)}" width="{_fmt(width)}" height="{_fmt(height)}" role="img" '
            f'font-family="{FONT}" font-size="11"><title>{escape(title)}</title>'
            + "".join(body) + "</svg>")


def _finite(value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) and value > 0 else 0.0


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at least `value` (an axis' end); 1 for nothing."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return 10.0 * power


def bars(rows: Sequence[tuple[str, float]], *, title: str, number: Number = _plain,
         width: float = 500, label_width: float = 170, row_height: float = 18,
         full: float | None = None, empty: str = "") -> str:
    """One horizontal bar per (label, value); the value written at the bar's end. The
    longest bar fills the width, or `full` does (100 for a percentage, so that 0.4 % is not
    drawn as a full bar). Without rows, `empty` is written where the bars would be, so that
    a blank picture is never taken for a picture of nothing wrong."""
    top = 4
    height = top + row_height * max(len(rows), 1) + 4
    peak = full or max((_finite(value) for _label, value in rows), default=0.0) or 1.0
    room = width - label_width - 60
    body = []
    if not rows and empty:
        body.append(f'<text x="4" y="{_fmt(top + row_height * 0.7)}" fill="{MUTED}">'
                    f'{escape(empty)}</text>')
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        length = room * _finite(value) / peak
        body.append(f'<text x="{_fmt(label_width - 6)}" y="{_fmt(y + row_height * 0.7)}" '
                    f'text-anchor="end" fill="{INK}">{escape(str(label)[:40])}</text>')
        body.append(f'<rect x="{_fmt(label_width)}" y="{_fmt(y + 3)}" width="{_fmt(length)}" '
                    f'height="{_fmt(row_height - 6)}" fill="{BAR}"/>')
        body.append(f'<text x="{_fmt(label_width + length + 4)}" '
                    f'y="{_fmt(y + row_height * 0.7)}" fill="{INK}">'
                    f'{escape(number(value))}</text>')
    return _svg(width, height, body, title)


def stacked_bars(rows: Sequence[tuple[str, Sequence[float]]], parts: Sequence[tuple[str, str]],
                 *, title: str, number: Number = _plain, width: float = 500,
                 label_width: float = 140, row_height: float = 20) -> str:
    """A bar per (label, values), split into `parts` [(name, colour)] in order; a legend
    below. Bars share one scale: the longest row's total fills the width."""
    top = 4
    height = top + row_height * max(len(rows), 1) + 24
    peak = max((sum(_finite(v) for v in values) for _label, values in rows), default=0.0) or 1.0
    room = width - label_width - 40
    body = []
    for index, (label, values) in enumerate(rows):
        y = top + index * row_height
        x = label_width
        body.append(f'<text x="{_fmt(label_width - 6)}" y="{_fmt(y + row_height * 0.7)}" '
                    f'text-anchor="end" fill="{INK}">{escape(str(label)[:30])}</text>')
        for (name, colour), value in zip(parts, values, strict=False):
            length = room * _finite(value) / peak
            if length <= 0:
                continue
            body.append(f'<rect x="{_fmt(x)}" y="{_fmt(y + 3)}" width="{_fmt(length)}" '
                        f'height="{_fmt(row_height - 6)}" fill="{colour}" stroke="#ffffff" '
                        f'stroke-width="0.5"><title>{escape(name)}: '
                        f'{escape(number(value))}</title></rect>')
            x += length
        total = sum(_finite(v) for v in values)
        body.append(f'<text x="{_fmt(x + 4)}" y="{_fmt(y + row_height * 0.7)}" fill="{INK}">'
                    f'{escape(number(total))}</text>')
    legend_y = top + row_height * max(len(rows), 1) + 8
    x = label_width
    for name, colour in parts:
        body.append(f'<rect x="{_fmt(x)}" y="{_fmt(legend_y)}" width="10" height="10" '
                    f'fill="{colour}" stroke="{MUTED}" stroke-width="0.5"/>')
        body.append(f'<text x="{_fmt(x + 13)}" y="{_fmt(legend_y + 9)}" fill="{MUTED}">'
                    f'{escape(name)}</text>')
        x += 16 + 6.2 * len(name) + 8
    return _svg(width, height, body, title)


def lines(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], *,
          title: str, number: Number = _plain, width: float = 500, height: float = 180) -> str:
    """Series over the same points (`labels`, e.g. days); a missing value breaks the line.
    The y axis starts at 0 and ends at a round figure; every few labels are written."""
    left, right, top, bottom = 44, 10, 10, 40 + 14 * ((len(series) + 1) // 2)
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [_finite(v) for _name, points in series for v in points if v is not None]
    ceiling = nice_ceiling(max(values, default=0.0))
    count = max(len(labels), 1)
    step_x = plot_w / max(count - 1, 1)

    def x_of(index: int) -> float:
        return left + index * step_x

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * _finite(value) / ceiling

    body = []
    for tick in range(5):
        value = ceiling * tick / 4
        y = y_of(value)
        body.append(f'<line x1="{_fmt(left)}" x2="{_fmt(width - right)}" y1="{_fmt(y)}" '
                    f'y2="{_fmt(y)}" stroke="{GRID}" stroke-width="0.6"/>')
        body.append(f'<text x="{_fmt(left - 4)}" y="{_fmt(y + 3.5)}" text-anchor="end" '
                    f'fill="{MUTED}">{escape(number(value))}</text>')
    every = max(1, math.ceil(count / 8))
    for index, label in enumerate(labels):
        if index % every == 0:
            body.append(f'<text x="{_fmt(x_of(index))}" y="{_fmt(top + plot_h + 14)}" '
                        f'text-anchor="middle" fill="{MUTED}">{escape(str(label))}</text>')
    for number_of, (name, points) in enumerate(series):
        colour = LINE_COLOURS[number_of % len(LINE_COLOURS)]
        runs, run = [], []
        for index, value in enumerate(points):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_fmt(x_of(index))},{_fmt(y_of(value))}")
        if run:
            runs.append(run)
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                body.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
            else:
                body.append(f'<polyline points="{" ".join(run)}" fill="none" '
                            f'stroke="{colour}" stroke-width="1.6"/>')
        legend_x = left + (number_of % 2) * plot_w / 2
        legend_y = top + plot_h + 36 + 14 * (number_of // 2)
        body.append(f'<rect x="{_fmt(legend_x)}" y="{_fmt(legend_y - 8)}" width="12" '
                    f'height="3" fill="{colour}"/>')
        body.append(f'<text x="{_fmt(legend_x + 16)}" y="{_fmt(legend_y - 4)}" fill="{INK}">'
                    f'{escape(name)}</text>')
    return _svg(width, height, body, title)


# --- the map ---------------------------------------------------------------------------------

# Viet Nam with Hoàng Sa and Trường Sa: the map's frame in degrees (west, south, east, north).
FRAME = (102.0, 6.0, 118.0, 23.6)


def _projector(width: float, frame=FRAME):
    """Equirectangular, scaled by the cosine of the frame's middle latitude."""
    west, south, east, north = frame
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * squeeze)
    height = (north - south) * scale

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * squeeze * scale, (north - lat) * scale

    return project, height


def _rings(geometry: dict) -> list[list]:
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def classes(values: Sequence[float], count: int = len(SCALE)) -> list[float]:
    """The upper bounds of `count` classes of equal width from 0 to the largest value, rounded
    up to whole numbers (hours): the map's legend."""
    peak = max((_finite(v) for v in values), default=0.0)
    if peak <= 0:
        return []
    width = max(1, math.ceil(peak / count))
    return [float(width * (index + 1)) for index in range(count)]


def class_of(value: float, bounds: Sequence[float]) -> int | None:
    """Index of the class holding `value` (None: nothing to colour, 0 or no classes)."""
    value = _finite(value)
    if value <= 0 or not bounds:
        return None
    for index, bound in enumerate(bounds):
        if value <= bound:
            return index
    return len(bounds) - 1


def choropleth_points(features: Sequence[dict], places: Sequence[dict], *, title: str,
                      legend: str, number: Number = _plain, width: float = 330) -> str:
    """Viet Nam's land from GeoJSON `features` (polygons; islands and archipelagos outlined),
    and a circle per place {"name", "lat", "lon", "value"} coloured by class and sized by value
    (a place at 0 is a small hollow circle, a place without a position is left out)."""
    project, height = _projector(width)
    body = [f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#eef5fb"/>']
    for feature in features:
        geometry = feature.get("geometry") or {}
        kind = (feature.get("properties") or {}).get("kind", "land")
        path = []
        for ring in _rings(geometry):
            points = [project(float(lon), float(lat)) for lon, lat, *_rest in ring]
            if len(points) < 3:
                continue
            path.append("M" + "L".join(f"{_fmt(x)} {_fmt(y)}" for x, y in points) + "Z")
        if not path:
            continue
        if kind == "archipelago":
            body.append(f'<path d="{"".join(path)}" fill="none" stroke="{MUTED}" '
                        f'stroke-width="0.6" stroke-dasharray="2 2"/>')
            name = (feature.get("properties") or {}).get("name", "")
            first = _rings(geometry)[0][0]
            x, y = project(float(first[0]), float(first[1]))
            body.append(f'<text x="{_fmt(x)}" y="{_fmt(y - 3)}" font-size="6" '
                        f'fill="{MUTED}">{escape(name)}</text>')
        else:
            body.append(f'<path d="{"".join(path)}" fill="#f7f7f2" stroke="#7b8794" '
                        f'stroke-width="0.5" fill-rule="evenodd"/>')
    bounds = classes([place.get("value") or 0 for place in places])
    peak = bounds[-1] if bounds else 1.0
    for place in sorted(places, key=lambda p: -_finite(p.get("value"))):
        if place.get("lat") is None or place.get("lon") is None:
            continue
        x, y = project(float(place["lon"]), float(place["lat"]))
        value = _finite(place.get("value"))
        index = class_of(value, bounds)
        name = escape(str(place.get("name", "")))
        tip = f"<title>{name}: {escape(number(value))}</title>"
        if index is None:
            body.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="2.5" fill="#ffffff" '
                        f'stroke="{MUTED}" stroke-width="0.6">{tip}</circle>')
            continue
        radius = 3 + 9 * math.sqrt(value / peak)
        body.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(radius)}" '
                    f'fill="{SCALE[index]}" stroke="{INK}" stroke-width="0.5" '
                    f'fill-opacity="0.9">{tip}</circle>')
    # The legend, top right: open sea and foreign land, which the map leaves blank.
    legend_x, legend_y = width * 0.64, 14.0
    body.append(f'<text x="{_fmt(legend_x)}" y="{_fmt(legend_y)}" fill="{INK}" '
                f'font-size="9">{escape(legend)}</text>')
    low = 0.0
    for index, bound in enumerate(bounds):
        y = legend_y + 6 + 14 * index
        body.append(f'<rect x="{_fmt(legend_x)}" y="{_fmt(y)}" width="10" height="10" '
                    f'fill="{SCALE[index]}" stroke="{INK}" stroke-width="0.4"/>')
        body.append(f'<text x="{_fmt(legend_x + 14)}" y="{_fmt(y + 9)}" font-size="9" '
                    f'fill="{INK}">{escape(number(low))}–{escape(number(bound))}</text>')
        low = bound
    return _svg(width, height, body, title)
