"""`{% load numbers %}`: numbers in pages by the site's one rule (`core/numbers.py`), in the
language of the page.

    {{ value|number }}            two decimals at most, two significant digits at least
    {{ value|number:unit }}       the unit's decimals ("µg/m3": one, "mg/Nm3": two, "count": none)
    {{ ratio|multiple }}          "1,73 lần" / "1.73 times"
    {% figure value unit limit %} never seems to meet `limit` when the value does not
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from envhub.core.numbers import format_multiple, format_number

register = template.Library()


@register.filter
def number(value, unit=None):
    if value in (None, ""):
        return "—"
    return format_number(value, get_language(), unit=unit)


@register.filter
def multiple(value):
    if value in (None, ""):
        return "—"
    return format_multiple(value, get_language())


@register.simple_tag
def figure(value, unit=None, against=None):
    if value in (None, ""):
        return "—"
    return format_number(value, get_language(), unit=unit, against=against)
