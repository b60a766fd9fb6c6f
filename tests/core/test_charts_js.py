"""The charts' shared helper (static/envhub/charts.js), run in Node: a missing step becomes a
null the line does not bridge, a value alone between gaps keeps its marker (every value of a
short series does), and time-axis labels are written in the page's language; every script that
draws a chart takes its time axes from it, and pages load it in order."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import envhub

STATIC = Path(envhub.__file__).resolve().parent / "static" / "envhub"
CHART_SCRIPTS = ("chart.js", "compliance.js", "air.js", "dataset.js")
HOUR = 3600 * 1000

SCRIPT = """
global.document = { documentElement: { getAttribute: () => process.argv[3] } };
global.window = global;
require(process.argv[1] + "/numbers.js");
require(process.argv[1] + "/charts.js");
console.log(JSON.stringify(eval(process.argv[2])));
"""


def run(expression: str, language: str = "vi"):
    result = subprocess.run(["node", "-e", SCRIPT, str(STATIC), expression, language],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def test_it_puts_a_null_at_the_first_missing_step():
    points = [[0, 1], [HOUR, 2], [4 * HOUR, 3], [5 * HOUR, 4]]
    assert run(f"EnvhubCharts.withGaps({points}, {HOUR})") == [
        [0, 1], [HOUR, 2], [2 * HOUR, None], [4 * HOUR, 3], [5 * HOUR, 4]]
    # Out of order in, in time order out; a step of its own (a day) and a tolerance (raw data).
    assert run(f"EnvhubCharts.withGaps([[{2 * HOUR}, 2], [0, 1]], {HOUR}, 2)") == [
        [0, 1], [2 * HOUR, 2]]


def test_it_finds_the_values_alone_between_gaps():
    data = [[0, 1], [1, None], [2, 5], [3, None], [4, 6], [5, 7], [6, None], [7, 8]]
    assert run(f"EnvhubCharts.isolated({json.dumps(data)})") == [0, 2, 7]


def test_a_long_line_marks_its_lone_values_only_and_a_short_one_every_value():
    many = [[i * HOUR, 10 + i] for i in range(80)]
    lone = 90 * HOUR
    series = run(f"EnvhubCharts.line({{name: 'x', data: {many + [[lone, 3]]}, step: {HOUR}}})")
    assert series["type"] == "line" and series["connectNulls"] is False
    assert "step" not in series
    assert series["data"] == [*many, [80 * HOUR, None], [lone, 3]]  # the gap before it
    # No marker on each of 80 points; one on the lone value, drawn with the series.
    assert series["showSymbol"] is False
    assert [point["coord"] for point in series["markPoint"]["data"]] == [[lone, 3]]
    assert series["markPoint"]["symbolSize"] > 0
    few = run(f"EnvhubCharts.line({{name: 'x', data: {many[:5]}, step: {HOUR}}})")
    assert few["showSymbol"] is True and few["symbolSize"] > 0 and "markPoint" not in few
    assert few["data"] == many[:5]


@pytest.mark.parametrize(("language", "expected"), [
    ("vi", ["6 thg 12", "thg 12 2025", "2026", "14:00", "{primary|6 thg 12}", "14:05:30"]),
    ("en", ["6 Dec", "Dec 2025", "2026", "14:00", "{primary|6 Dec}", "14:05:30"]),
])
def test_time_labels_are_in_the_pages_language(language, expected):
    moments = ["Date.UTC(2025, 11, 6)", "Date.UTC(2025, 11, 1)", "Date.UTC(2026, 0, 1)",
               "Date.UTC(2025, 11, 6, 14)"]
    labels = run("[" + ", ".join(f"EnvhubCharts.timeLabel({m})" for m in moments) +
                 ", EnvhubCharts.timeLabel(Date.UTC(2025, 11, 6), 0, {level: 1})"
                 ", EnvhubCharts.timeLabel(Date.UTC(2025, 11, 6, 14, 5, 30))]", language)
    assert labels == expected


@pytest.mark.parametrize("name", CHART_SCRIPTS)
def test_chart_scripts_take_their_time_axes_from_the_helper(name):
    text = (STATIC / name).read_text(encoding="utf-8")
    assert "EnvhubCharts.timeAxis(" in text
    assert 'type: "time"' not in text  # ECharts' own labels: English, and "6" for a day


def test_pages_with_charts_load_the_helper_after_the_formatter():
    templates = Path(envhub.__file__).resolve().parent / "templates"
    pages = 0
    for page in templates.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for name in CHART_SCRIPTS:
            script = f"'envhub/{name}'"
            if script in text and "echarts" in text:
                pages += 1
                assert (text.index("'envhub/numbers.js'") < text.index("'envhub/charts.js'")
                        < text.index(script)), page
    assert pages == 4
