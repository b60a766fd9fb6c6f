"""A count in a plural sentence ("1.234 cơ sở") is written by the one number formatter like any
other figure, while the raw count still chooses the plural form ("1 facility", "1,234
facilities")."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

import envhub
from envhub.monitoring.views import age_in_words

TEMPLATES = Path(envhub.__file__).resolve().parent / "templates"
BLOCK = re.compile(r"\{% *blocktrans(?:late)? (?P<options>[^%]*)%\}(?P<body>.*?)"
                   r"\{% *endblocktrans(?:late)? *%\}", re.S)


def test_no_plural_sentence_shows_its_raw_count():
    """`{% blocktranslate count n=… %}` chooses the plural by `n`; the figure shown is a
    formatted one (`with shown=…|number:"count"`), never `{{ n }}` itself."""
    offending = []
    for page in TEMPLATES.rglob("*.html"):
        for block in BLOCK.finditer(page.read_text(encoding="utf-8")):
            counter = re.search(r"\bcount (\w+)=", block["options"])
            if counter and "{{ %s }}" % counter[1] in block["body"]:
                offending.append(f"{page.relative_to(TEMPLATES)}: {{{{ {counter[1]} }}}}")
            # A length shown in a sentence is a count too.
            offending += [f"{page.relative_to(TEMPLATES)}: {name}"
                          for name in re.findall(r"\b(\w+)=\S+\|length(?=\s|$)",
                                                 block["options"])
                          if "{{ %s }}" % name in block["body"]]
    assert offending == []


@pytest.mark.parametrize("language, total, expected", [
    ("vi", 1234, "1.234 cơ sở"), ("vi", 1, "1 cơ sở"),
    ("en", 1234, "1,234 facilities"), ("en", 1, "1 facility"), ("en", 0, "0 facilities")])
def test_a_plural_count_in_a_page_is_a_formatted_figure(language, total, expected):
    with translation.override(language):
        html = render_to_string("registry/_facility_rows.html",
                                {"total": total, "page": None, "filtered": True})
    assert f'<p class="count">{expected}</p>' in html


@pytest.mark.parametrize("language, days, expected", [
    ("vi", 1234, "1.234 ngày trước"), ("en", 1234, "1,234 days ago"),
    ("en", 1, "1 day ago"), ("en", 2, "2 days ago")])
def test_a_plural_count_from_python_is_a_formatted_figure(language, days, expected):
    now = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
    with translation.override(language):
        assert age_in_words(now - datetime.timedelta(days=days, hours=1), now) == expected
