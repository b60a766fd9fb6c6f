"""A post's Markdown as safe HTML: nothing that runs, frames, styles or phones home reaches a
page, a feed or an e-mail, whatever the author typed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.news.markdown import MediaRef, to_html, to_text

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
    "![x](https://evil.example/pixel.gif)",
    "![x](media:a.png)",
    '<img srcset="https://evil.example/a.png 2x">',
]
SAFE_TAGS = {"figure", "figcaption", "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong",
             "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table",
             "thead", "tbody", "tr", "th", "td", "sup", "sub"}
# A URL with a scheme (what a browser reads before the first ":") must be one of these; one
# without is a path on the page's own site.
SCHEME = re.compile(r"\s*([a-z][a-z0-9+.-]*):", re.IGNORECASE)
SAFE_SCHEMES = {"http", "https", "mailto"}


def safe_url(value: str) -> bool:
    found = SCHEME.match(value)
    return bool(value.strip()) and (found is None or found.group(1).lower() in SAFE_SCHEMES) \
        and not value.lstrip().startswith(":")


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
            if name in {"href", "src"} and not safe_url(value or ""):
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
    html = to_html("[tin](/news/a/) ![ảnh](media:a.png)", base="https://envhub.gov.vn",
                   media=MEDIA)
    assert 'href="https://envhub.gov.vn/news/a/"' in html
    assert 'src="https://envhub.gov.vn/news/media/1/a.png"' in html
    assert 'srcset="https://envhub.gov.vn/news/media/1/phone/a.png 640w, ' \
        'https://envhub.gov.vn/news/media/1/a.png 1600w"' in html


# A post's own attachments: an image with its phones' copy and caption, a narrow image, a file.
MEDIA = {
    "a.png": MediaRef(url="/news/media/1/a.png", is_image=True, alt="Biểu đồ AQI",
                      caption="Chỉ số <b>AQI</b> tuần 48", width=1600, height=900,
                      phone_url="/news/media/1/phone/a.png", phone_width=640),
    "nho.jpg": MediaRef(url="/news/media/2/nho.jpg", is_image=True, alt="Ảnh nhỏ", width=300,
                        height=200),
    "bao-cao.pdf": MediaRef(url="/news/media/3/bao-cao.pdf", is_image=False),
}
OURS = {"/news/media/1/a.png", "/news/media/2/nho.jpg",
        "/news/media/1/phone/a.png 640w, /news/media/1/a.png 1600w"}


@pytest.mark.parametrize("markdown,expected,absent", [
    # the post's image: its address, size, the phones' copy, and a figure for its caption
    ("![](media:a.png)",
     ['<figure><img src="/news/media/1/a.png" alt="Biểu đồ AQI" width="1600" height="900" '
      'srcset="/news/media/1/phone/a.png 640w, /news/media/1/a.png 1600w"',
      "<figcaption>Chỉ số &lt;b&gt;AQI&lt;/b&gt; tuần 48</figcaption></figure>"], ["<p>"]),
    ("![Ảnh do tác giả mô tả](media:a.png)", ['alt="Ảnh do tác giả mô tả"'], []),
    ("Trước ![x](media:nho.jpg) sau",  # within a sentence: no figure, no srcset
     ['<p>Trước <img src="/news/media/2/nho.jpg" alt="x" width="300" height="200"'],
     ["<figure", "srcset"]),
    ("[Tải báo cáo](media:bao-cao.pdf)",
     ['<a href="/news/media/3/bao-cao.pdf" rel="noopener noreferrer nofollow">Tải báo cáo</a>'],
     []),
    # everything else is its words only
    ("![ảnh ngoài](https://evil.example/track.png)", ["<p>ảnh ngoài</p>"], ["<img", "evil"]),
    ("![x](//evil.example/a.png)", ["<p>x</p>"], ["<img", "evil"]),
    ("![x](/static/logo.png)", ["<p>x</p>"], ["<img", "logo"]),
    ("![x](javascript:alert(1))", [], ["<img", '="javascript']),
    ("![x](data:image/png;base64,iVBORw0KGgo=)", [], ["<img", "data:"]),
    ("![x](media:khac.png)", ["<p>x</p>"], ["<img"]),  # not this post's
    ("![x](media:bao-cao.pdf)", ["<p>x</p>"], ["<img"]),  # a file is not an image
    ("![x](media:../1/a.png)", [], ["<img"]),
    ("[x](media:khong-co.pdf)", ["<p>x</p>"], ["<a", "media:"]),
    ("![x][r]\n\n[r]: https://evil.example/a.png", [], ["<img", "evil"]),
    ("<img src=https://evil.example/a.png>", [], ["<img"]),
    ("![x](media:a.png \"t\" onerror=alert(1))", [], ["<img"]),
    ('![x" onerror="alert(1)](media:a.png)', ['alt="x&quot; onerror=&quot;alert(1)"'], []),
    ("![<script>alert(1)</script>](media:a.png)", [], ["<script"]),
])
def test_images_come_only_from_the_posts_own_attachments(markdown, expected, absent):
    for base in (None, "https://envhub.gov.vn"):
        html = to_html(markdown, base=base, media=MEDIA)
        assert unsafe(html) == [], html
        for source in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
            assert source.removeprefix("https://envhub.gov.vn") in OURS
        for part in absent:
            assert part not in html, html
        if base is None:
            for part in expected:
                assert part in html, html


def test_without_the_posts_attachments_there_is_no_image_at_all():
    assert "<img" not in to_html("![a](media:a.png) ![b](https://x.example/b.png)")


def test_it_gives_the_text_without_tags():
    assert to_text("**Chỉ số** <b>AQI</b> & [nguồn](https://x.example)") == \
        "Chỉ số <b>AQI</b> & nguồn"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>[]()!:/\"'= \n#*`&;jJavscriptdtonerl")),
               max_size=200))
def test_no_text_makes_unsafe_html(markdown):
    assert unsafe(to_html(markdown)) == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "![", "](", ")", "[", "]", "media:", "a.png", "nho.jpg", "bao-cao.pdf", "khac.png",
    "https://evil.example/x.png", "javascript:", "data:image/png;base64,AA", " ", "\n",
    "\"t\"", "<img src=x>", "<", ">", "//", "!", ":", "[r]: "]), max_size=30).map("".join))
def test_no_text_shows_an_image_that_is_not_the_posts_own(markdown):
    for base in (None, "https://envhub.gov.vn"):
        html = to_html(markdown, base=base, media=MEDIA)
        assert unsafe(html) == []
        for source in re.findall(r'<img[^>]*\ssrc="([^"]*)"', html):
            assert source.removeprefix("https://envhub.gov.vn") in OURS
        for srcset in re.findall(r'srcset="([^"]*)"', html):
            assert srcset.replace("https://envhub.gov.vn", "") in OURS
        assert html.count("<img") == len(re.findall(r'<img[^>]*\ssrc="', html))
