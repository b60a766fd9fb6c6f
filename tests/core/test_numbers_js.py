"""The charts' formatter (static/envhub/numbers.js) writes every number as the server's
(core/numbers.py) does: the same table of values × languages through both, run in Node; and
every script that draws a chart formats its numbers and makes its charts through it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import envhub
from envhub.core.numbers import DECIMALS_BY_UNIT, format_multiple, format_number

STATIC = Path(envhub.__file__).resolve().parent / "static" / "envhub"
CHART_SCRIPTS = ("chart.js", "compliance.js", "air.js", "dataset.js")

CASES = [
    (1734, {}), (2100.0, {}), (1234567.891, {}), (552.5, {"unit": "limit"}),
    (49.37038337924701, {}), (49.37038337924701, {"unit": "µg/m3"}),
    (7.256, {"unit": ""}), (87.6, {"unit": "AQI"}), (0.5, {"unit": "AQI"}),
    (54321.4, {"unit": "m3/h"}), (0.0123, {"unit": "µg/m3"}), (0.000456, {}),
    (50.0, {"unit": "mg/Nm3"}), (0.0, {}), (-3.25, {"unit": "°C"}), (2.675, {}),
    (50.004, {"unit": "mg/Nm3"}), (50.004, {"unit": "mg/Nm3", "against": 50}),
    (49.996, {"unit": "mg/Nm3", "against": 50}), (21.0285123, {"unit": "coordinate"}),
    (None, {}),
]
RATIOS = [1.734, 2.0, 1.0004, 12.345]

SCRIPT = """
global.document = { documentElement: { getAttribute: () => process.argv[2] } };
global.window = global;
require(process.argv[1]);
const cases = JSON.parse(process.argv[3]);
const ratios = JSON.parse(process.argv[4]);
console.log(JSON.stringify({
  numbers: cases.map(([value, options]) => EnvhubNumbers.format(value, options)),
  multiples: ratios.map((ratio) => EnvhubNumbers.multiple(ratio)),
  table: EnvhubNumbers.DECIMALS_BY_UNIT,
}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_charts_write_numbers_as_the_server_does(language):
    result = subprocess.run(
        ["node", "-e", SCRIPT, str(STATIC / "numbers.js"), language, json.dumps(CASES),
         json.dumps(RATIOS)], capture_output=True, text=True, check=True)
    written = json.loads(result.stdout)
    assert written["table"] == DECIMALS_BY_UNIT
    assert written["numbers"] == [format_number(value, language, **options)
                                  for value, options in CASES]
    assert written["multiples"] == [format_multiple(ratio, language) for ratio in RATIOS]


@pytest.mark.parametrize("name", CHART_SCRIPTS)
def test_chart_scripts_use_the_one_formatter(name):
    text = (STATIC / name).read_text(encoding="utf-8")
    assert "EnvhubNumbers.chart(" in text  # the page's language, Vietnamese month names
    assert "echarts.init(" not in text
    assert "Intl.NumberFormat" not in text and "toFixed(" not in text
    assert "toLocaleString(" not in text
    # Every value axis formats its labels (ECharts' own would write "2,100").
    axes = [match.start() for match in re.finditer(r'type: "value"', text)]
    assert axes and all("EnvhubNumbers.formatterFor(" in text[start:start + 250]
                        for start in axes)


def test_pages_with_charts_load_the_formatter_first():
    templates = Path(envhub.__file__).resolve().parent / "templates"
    for page in templates.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for name in CHART_SCRIPTS:
            script = f"'envhub/{name}'"
            if script in text and "echarts" in text:
                assert text.index("'envhub/numbers.js'") < text.index(script), page
