"""A post's Markdown as safe HTML: nothing that runs, frames, styles or phones home reaches a
page, a feed or an e-mail, whatever the author typed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.news.markdown import to_html, to_text

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "![i](data:image/svg+xml;base64,PHN2Zy8+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<iframe src='https://evil.example'></iframe>",
    "<img src=x onerror=alert(1)>",
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "<p style='position:fixed;top:0'>x</p>",
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    "<object data='x.swf'></object>",
    "<form action='https://evil.example'><input name=p></form>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "<!-- <script>alert(1)</script> -->",
    "<details open ontoggle=alert(1)>",
]
SAFE_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
             "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
             "th", "td", "sup", "sub"}
SAFE_URL = re.compile(r"(https?://|mailto:|/|#|[\w.-]+(/|$))", re.IGNORECASE)


class _Elements(HTMLParser):
    """Every element and attribute as a browser would build them (text stays text)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src"} and not SAFE_URL.match(value or ""):
                self.problems.append(f"{tag}[{name}={value}]")


def unsafe(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.problems


@pytest.mark.parametrize("markdown", HOSTILE)
def test_it_never_lets_a_hostile_input_through(markdown):
    for html in (to_html(markdown), to_html(markdown, base="https://envhub.gov.vn")):
        assert unsafe(html) == [], html


@pytest.mark.parametrize("markdown,html", [
    ("**đậm** và *nghiêng*", "<p><strong>đậm</strong> và <em>nghiêng</em></p>"),
    ("# Tiêu đề", "<h2>Tiêu đề</h2>"),  # the page keeps the only h1
    ("[Bộ](https://monre.gov.vn)",
     '<p><a href="https://monre.gov.vn" rel="noopener noreferrer nofollow">Bộ</a></p>'),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<td>1</td>"),
    ("~~cũ~~", "<s>cũ</s>"),
])
def test_it_keeps_what_authors_mean(markdown, html):
    assert html in to_html(markdown)


def test_it_makes_links_absolute_for_feeds_and_mail():
    html = to_html("[tin](/news/a/) ![ảnh](/media/a.png)", base="https://envhub.gov.vn")
    assert 'href="https://envhub.gov.vn/news/a/"' in html
    assert 'src="https://envhub.gov.vn/media/a.png"' in html


def test_it_gives_the_text_without_tags():
    assert to_text("**Chỉ số** <b>AQI</b> & [nguồn](https://x.example)") == \
        "Chỉ số <b>AQI</b> & nguồn"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>[]()!:/\"'= \n#*`&;jJavscriptdtonerl")),
               max_size=200))
def test_no_text_makes_unsafe_html(markdown):
    assert unsafe(to_html(markdown)) == []
