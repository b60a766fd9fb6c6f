"""The bulletins' charts as SVG text, from their stored figures: the days per VN_AQI category
(the reports' stacked bars, `dashboard/svg.py`, with the missing days as a part of their own),
each city's day coloured by its category — a missing day drawn as missing, never left blank
as if clean — and, for the emissions bulletin, the hours over the limit and the completeness
by province. Pure module: no Django."""

from __future__ import annotations

import datetime
import re
from html import escape

from envhub.airquality.vn_aqi import CATEGORIES
from envhub.core.numbers import format_number
from envhub.dashboard import svg

MISSING_COLOUR = "#bcccdc"
NAMES = {category.code: category.name_vi for category in CATEGORIES}
COLOURS = {category.code: category.hex for category in CATEGORIES}
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
NO_DATA = "không có số liệu"


def _number(value) -> str:
    return NO_DATA if value is None else format_number(value, "vi", decimals=1)


def aqi_days(figures: dict) -> str:
    parts = [(NAMES[code], COLOURS[code]) for code in figures["categories"]]
    parts.append(("Thiếu số liệu", MISSING_COLOUR))
    rows = [(row["name"], [*(row["counts"][code] for code in figures["categories"]),
                           row["missing"]]) for row in figures["cities"]]
    return svg.stacked_bars(rows, parts, title="Số ngày theo mức VN_AQI", number=_number,
                            width=640, label_width=150)


def aqi_daily(figures: dict, width: float = 640) -> str:
    """A row per city, a cell per day in its category's colour with the index written in
    it; a day without an index is grey and says so."""
    cities = figures["cities"]
    label_width, top, cell_h = 150, 22, 26
    days = [row["day"] for row in cities[0]["days"]] if cities else []
    cell_w = (width - label_width - 8) / max(len(days), 1)
    body = []
    for index, day in enumerate(days):
        when = datetime.date.fromisoformat(day)
        body.append(f'<text x="{svg._fmt(label_width + cell_w * (index + 0.5))}" y="14" '
                    f'text-anchor="middle" fill="{svg.MUTED}">'
                    f'{WEEKDAYS[when.weekday()]} {when:%d/%m}</text>')
    for row_index, row in enumerate(cities):
        y = top + row_index * cell_h
        body.append(f'<text x="{label_width - 6}" y="{svg._fmt(y + cell_h * 0.62)}" '
                    f'text-anchor="end" fill="{svg.INK}">{escape(row["name"][:30])}</text>')
        for index, day in enumerate(row["days"]):
            x = label_width + cell_w * index
            missing = day["aqi"] is None
            colour = MISSING_COLOUR if missing else COLOURS.get(day["category"], MISSING_COLOUR)
            words = "thiếu" if missing else str(day["aqi"])
            name = "thiếu số liệu" if missing else NAMES.get(day["category"], "")
            ink = "#ffffff" if day["category"] in ("very_bad", "hazardous") else svg.INK
            body.append(f'<rect x="{svg._fmt(x + 1)}" y="{svg._fmt(y + 1)}" '
                        f'width="{svg._fmt(cell_w - 2)}" height="{cell_h - 2}" '
                        f'fill="{colour}"><title>{escape(row["name"])} {escape(day["day"])}: '
                        f'{escape(words)} ({escape(name)})</title></rect>')
            body.append(f'<text x="{svg._fmt(x + cell_w / 2)}" y="{svg._fmt(y + cell_h * 0.62)}" '
                        f'text-anchor="middle" fill="{ink}">{escape(words)}</text>')
    height = top + cell_h * max(len(cities), 1) + 6
    return svg._svg(width, height, body, "VN_AQI ngày của trạm cao nhất mỗi thành phố")


NOTHING_OPEN = "Không có số liệu: không có cơ sở được công khai nào có giấy phép trong tháng."


def emission_hours(figures: dict) -> str:
    rows = [(row["name"], row["hours"]) for row in figures["by_province"]]
    return svg.bars(rows, title="Giờ vượt giới hạn theo tỉnh (cơ sở được công khai)",
                    number=_number, width=640, label_width=170, empty=NOTHING_OPEN)


def emission_completeness(figures: dict) -> str:
    rows = [(row["name"], row["completeness"]) for row in figures["by_province"]]
    return svg.bars(rows, title="Khoảng trung bình đủ dữ liệu theo tỉnh (%)",
                    number=lambda v: _number(v) + ("" if v is None else " %"),
                    width=640, label_width=170, full=100, empty=NOTHING_OPEN)


CHARTS = {
    "air_weekly": {"days": aqi_days, "daily": aqi_daily},
    "emissions_monthly": {"provinces": emission_hours, "completeness": emission_completeness},
}


TITLES = {"days": "Số ngày theo mức VN_AQI", "daily": "VN_AQI từng ngày",
          "provinces": "Giờ vượt giới hạn theo tỉnh",
          "completeness": "Khoảng trung bình đủ dữ liệu theo tỉnh"}


def _period_words(figures: dict) -> str:
    first = datetime.date.fromisoformat(figures["period"]["first"])
    last = datetime.date.fromisoformat(figures["period"]["last"])
    if figures.get("kind") == "air_weekly":
        return f"tuần {first:%d/%m}–{last:%d/%m/%Y}"
    return f"tháng {first:%m/%Y}"


def framed(inner: str, title: str, source: str) -> str:
    """`inner` (one `<svg>` of `dashboard/svg.py`) with its title above and its source below,
    so that a picture taken out of the bulletin still says what it shows and where from."""
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', inner)
    width, height = (float(found[1]), float(found[2])) if found else (640.0, 200.0)
    top, bottom = 28, 22
    nested = inner.replace('<svg xmlns="http://www.w3.org/2000/svg" ',
                           f'<svg x="0" y="{top}" ', 1)
    body = [f'<rect width="{svg._fmt(width)}" height="{svg._fmt(height + top + bottom)}" '
            'fill="#ffffff"/>',
            f'<text x="4" y="17" font-size="13" font-weight="bold" fill="{svg.INK}">'
            f'{escape(title)}</text>', nested,
            f'<text x="4" y="{svg._fmt(height + top + 15)}" font-size="9" '
            f'fill="{svg.MUTED}">{escape(source)}</text>']
    return svg._svg(width, height + top + bottom, body, title)


def chart(figures: dict, name: str) -> str | None:
    draw = CHARTS.get(figures.get("kind", ""), {}).get(name)
    if draw is None:
        return None
    title = f"{TITLES.get(name, name)}, {_period_words(figures)}"
    source = ("Nguồn: envhub, bộ dữ liệu " + ", ".join(figures.get("datasets", []))
              + (" — chỉ các cơ sở được công khai" if figures.get("kind") ==
                 "emissions_monthly" else ""))
    return framed(draw(figures), title, source)
