"""Numbers, one way: a decimal comma and a dot between thousands in Vietnamese, the reverse in
English; the unit's decimals but at least two significant digits; no rounding across a limit;
multiples of a limit as "1,73 lần" (core/numbers.py)."""

from __future__ import annotations

import math

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from envhub.core.numbers import (
    excel_format,
    format_multiple,
    format_number,
    language_of,
    rounded,
    shown_places,
)

# value, options, Vietnamese, English
TABLE = [
    (1734, {}, "1.734", "1,734"),
    (2100.0, {}, "2.100", "2,100"),
    (1234567.891, {}, "1.234.567,89", "1,234,567.89"),
    (552.5, {}, "552,5", "552.5"),
    (552.5, {"unit": "limit"}, "552,5", "552.5"),
    (49.37038337924701, {}, "49,37", "49.37"),
    (49.37038337924701, {"unit": "µg/m3"}, "49,4", "49.4"),
    (49.37038337924701, {"unit": "mg/Nm3"}, "49,37", "49.37"),
    (7.256, {"unit": ""}, "7,26", "7.26"),  # pH
    (87.6, {"unit": "AQI"}, "88", "88"),
    (54321.4, {"unit": "m3/h"}, "54.321", "54,321"),
    (0.0123, {"unit": "µg/m3"}, "0,012", "0.012"),  # never "0"
    (0.000456, {}, "0,00046", "0.00046"),
    (50.0, {"unit": "mg/Nm3"}, "50", "50"),  # no precision the data lack
    (0.0, {}, "0", "0"),
    (-3.25, {"unit": "°C"}, "-3,3", "-3.3"),  # half away from zero
    (2.675, {}, "2,68", "2.68"),  # on the decimal written, as Intl and Excel
    (0.5, {"unit": "AQI"}, "1", "1"),
    (50.004, {"unit": "mg/Nm3"}, "50", "50"),
    (50.004, {"unit": "mg/Nm3", "against": 50}, "50,004", "50.004"),  # over stays over
    (49.996, {"unit": "mg/Nm3", "against": 50}, "49,996", "49.996"),  # under stays under
    (50.04, {"unit": "µg/m3", "against": 50}, "50,04", "50.04"),
    (None, {}, "—", "—"),
    (math.nan, {}, "—", "—"),
]


@pytest.mark.parametrize("value, options, vi, en", TABLE)
def test_the_one_formatter_writes_each_language_its_way(value, options, vi, en):
    assert format_number(value, "vi", **options) == vi
    assert format_number(value, "en", **options) == en
    assert format_number(value, "en-gb", **options) == en


@pytest.mark.parametrize("ratio, vi, en", [
    (1.734, "1,73 lần", "1.73 times"),
    (2.0, "2 lần", "2 times"),
    (1.0004, "1,0004 lần", "1.0004 times"),  # over the limit never reads "1"
    (12.345, "12,35 lần", "12.35 times"),
    (None, "—", "—"),
])
def test_a_multiple_of_a_limit(ratio, vi, en):
    assert format_multiple(ratio, "vi") == vi
    assert format_multiple(ratio, "en") == en


def test_the_language_is_the_site_s_unless_english():
    assert language_of("en") == language_of("en-us") == "en"
    assert language_of("vi") == language_of(None) == language_of("fr") == "vi"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       st.floats(min_value=0.001, max_value=1e6))
def test_rounding_never_moves_a_value_across_its_limit(value, limit):
    shown = float(format_number(value, "en", unit="mg/Nm3", against=limit).replace(",", ""))
    if value > limit:
        assert shown > limit
    elif value < limit:
        assert shown < limit


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_both_languages_write_the_same_number(value):
    vi = format_number(value, "vi", unit="µg/m3")
    en = format_number(value, "en", unit="µg/m3")
    assert vi.replace(".", "").replace(",", ".") == en.replace(",", "")


def test_a_spreadsheet_value_is_the_figure_shown():
    assert rounded(49.37038337924701, unit="mg/Nm3") == 49.37
    assert rounded(0.0123, unit="µg/m3") == 0.012
    assert rounded(None) is None
    assert shown_places(49.37, 2) == 2 and shown_places(50.0, 2) == 0
    assert excel_format(0) == "#,##0" and excel_format(2) == "#,##0.00"


@pytest.mark.parametrize("language, expected", [
    ("vi", "1.734|49,4|1,73 lần|50,04|—"), ("en", "1,734|49.4|1.73 times|50.04|—")])
def test_templates_write_numbers_through_the_formatter(language, expected):
    template = Template('{% load numbers %}{{ count|number }}|{{ mean|number:"µg/m3" }}|'
                        '{{ ratio|multiple }}|{% figure peak "µg/m3" limit %}|{{ none|number }}')
    with translation.override(language):
        text = template.render(Context({"count": 1734, "mean": 49.37038337924701,
                                        "ratio": 1.734, "peak": 50.04, "limit": 50,
                                        "none": None}))
    assert text == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_marks_are_django_s_own_for_the_language(language):
    """Django writes numbers it localises itself (a form's value, a float in a page) with the
    same marks; it groups no thousands of its own (an id in a URL stays "1234")."""
    from django.conf import settings
    from django.utils import formats

    with translation.override(language):
        decimal = formats.get_format("DECIMAL_SEPARATOR")
        thousands = formats.get_format("THOUSAND_SEPARATOR")
        assert format_number(1234.5, language) == f"1{thousands}234{decimal}5"
        assert formats.localize(1234) == "1234"
    assert settings.USE_THOUSAND_SEPARATOR is False


def test_templates_write_numbers_only_through_the_formatter():
    """No template rounds or groups a number its own way (floatformat, intcomma, localize):
    they load `numbers`. (Coordinates keep GPS's "21.02851, 105.85420".)"""
    from pathlib import Path

    import envhub

    templates = Path(envhub.__file__).resolve().parent / "templates"
    offending = [f"{page.relative_to(templates)}: {word}"
                 for page in templates.rglob("*.html")
                 for word in ("floatformat", "intcomma", "localize", "humanize")
                 if word in page.read_text(encoding="utf-8")]
    assert offending == []
