"""The bulletins' charts (a pure module): a missing day is drawn as missing, a percentage is
drawn against 100 %, and every picture carries its title, period and source."""

from __future__ import annotations

import re

import pytest

from envhub.news import bulletin_charts

DAYS = [{"day": f"2026-11-{d}", "aqi": aqi, "category": category, "dominant": "PM2_5",
         "station": "A"} for d, aqi, category in
        [(23, 40, "good"), (24, None, ""), (25, 260, "very_bad"), (26, None, ""),
         (27, 99, "moderate"), (28, 151, "bad"), (29, 120, "poor")]]
AIR = {"kind": "air_weekly", "period": {"first": "2026-11-23", "last": "2026-11-29"},
       "categories": ["good", "moderate", "poor", "bad", "very_bad", "hazardous"],
       "datasets": ["chi-so-chat-luong-khong-khi-vn-aqi-daily"],
       "cities": [{"name": "Hà <Nội>", "days": DAYS, "missing": 2,
                   "counts": {"good": 1, "moderate": 1, "poor": 1, "bad": 1, "very_bad": 1,
                              "hazardous": 0}}]}
EMISSIONS = {"kind": "emissions_monthly", "period": {"first": "2026-11-01",
                                                     "last": "2026-11-30"},
             "datasets": ["cong-khai-tuan-thu-hang-thang"],
             "by_province": [{"name": "A", "hours": 5, "completeness": 50.0},
                             {"name": "B", "hours": None, "completeness": 0.4}]}


def _cells(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="\d+" '
                      r'fill="(#[0-9A-Fa-f]{6})"><title>[^<]*?: ([^<(]+) ', svg)


@pytest.mark.parametrize("index, colour, words", [
    (0, "#00E400", "40"), (1, bulletin_charts.MISSING_COLOUR, "thiếu"),
    (2, "#8F3F97", "260"), (3, bulletin_charts.MISSING_COLOUR, "thiếu"),
    (4, "#FFFF00", "99"), (5, "#FF0000", "151"), (6, "#FF7E00", "120")])
def test_each_day_has_its_category_colour_and_a_missing_day_says_so(index, colour, words):
    cells = _cells(bulletin_charts.chart(AIR, "daily"))
    assert cells[index] == (colour, words)


def test_a_picture_says_what_when_and_from_where_with_text_escaped():
    svg = bulletin_charts.chart(AIR, "days")
    assert "Số ngày theo mức VN_AQI, tuần 23/11–29/11/2026" in svg
    assert "Nguồn: envhub, bộ dữ liệu chi-so-chat-luong-khong-khi-vn-aqi-daily" in svg
    assert "Hà &lt;Nội&gt;" in svg and "<Nội>" not in svg
    assert "Thiếu số liệu" in svg  # the missing days' part of the legend


def test_a_percentage_is_drawn_against_a_hundred_and_no_data_is_said():
    svg = bulletin_charts.chart(EMISSIONS, "completeness")
    widths = [float(w) for w in re.findall(r'<rect x="170" y="[\d.]+" width="([\d.]+)"', svg)]
    room = 640 - 170 - 60
    assert widths == [pytest.approx(room * 0.5), pytest.approx(room * 0.004)]
    hours = bulletin_charts.chart(EMISSIONS, "provinces")
    assert "không có số liệu" in hours and "chỉ các cơ sở được công khai" in hours


def test_an_unknown_chart_is_none():
    assert bulletin_charts.chart(AIR, "provinces") is None
    assert bulletin_charts.chart({"kind": "x"}, "days") is None


@pytest.mark.parametrize("name", ["provinces", "completeness"])
def test_a_month_without_opened_facilities_says_so_in_the_picture(name):
    """An empty chart would read as a month with nothing over the limit."""
    nothing = {**EMISSIONS, "by_province": [], "disclosed": 0}
    svg = bulletin_charts.chart(nothing, name)
    assert "<rect x=\"170\"" not in svg
    assert bulletin_charts.NOTHING_OPEN in svg
    assert bulletin_charts.NOTHING_OPEN not in bulletin_charts.chart(EMISSIONS, name)
