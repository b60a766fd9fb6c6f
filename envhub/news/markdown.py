"""A post's Markdown made into HTML that is safe on a page, in a feed and in an e-mail.

Markdown is rendered without raw HTML (CommonMark with tables and strikethrough), and the
result goes through nh3 with a short list of tags and attributes, whatever the renderer did:
scripts, event handlers, `style`, iframes and `javascript:`/`data:` URLs never come out. Links
get `rel="noopener noreferrer nofollow"`. `base` makes relative links absolute, as a feed
reader or a mail client needs them."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# The most a post's text may be: a long press release is some 30,000 characters.
MAX_MARKDOWN = 200_000

TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
        "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
        "th", "td", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
              "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}

_RENDERER = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
             .enable("table").enable("strikethrough"))


def _demote_h1(html: str) -> str:
    # The page's own title is its only h1; a post's "# heading" becomes a section heading.
    return html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def to_html(markdown: str, base: str | None = None) -> str:
    """Safe HTML of `markdown`; with `base` (an absolute URL), relative links resolved."""
    html = _demote_h1(_RENDERER.render((markdown or "")[:MAX_MARKDOWN]))
    relative = ("rewrite_with_base", base) if base else "pass_through"
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True,
                     clean_content_tags={"script", "style"}, url_relative=relative)


def to_text(markdown: str) -> str:
    """The post as plain text (the e-mail's text part, a feed's summary): tags stripped."""
    return nh3.clean(to_html(markdown), tags=set()).replace("&amp;", "&").replace(
        "&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').strip()
