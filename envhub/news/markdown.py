"""A post's Markdown made into HTML that is safe on a page, in a feed and in an e-mail.

Markdown is rendered without raw HTML (CommonMark with tables and strikethrough), and the
result goes through nh3 with a short list of tags and attributes, whatever the renderer did:
scripts, event handlers, `style`, iframes and `javascript:`/`data:` URLs never come out. Links
get `rel="noopener noreferrer nofollow"`. `base` makes relative links absolute, as a feed
reader or a mail client needs them.

Images come only from the post's own attachments: `![words](media:key)` is drawn with the
address the attachment is served at (its size, and the phones' copy as `srcset`), and
`[words](media:key)` links to it. Any other image — another site's, `javascript:`, `data:`,
a key the post does not hold — is left out, its words kept as text; and nh3 keeps an `img`
only when its `src` and `srcset` are addresses this function put there."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# The most a post's text may be: a long press release is some 30,000 characters.
MAX_MARKDOWN = 200_000

TAGS = {"figure", "figcaption", "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em",
        "del", "s", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead",
        "tbody", "tr", "th", "td", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"},
              "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading",
                      "decoding"},
              "ol": {"start"},
              "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}

_RENDERER = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
             .enable("table").enable("strikethrough"))


MEDIA = "media:"
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
# The column of a post's page: an image is drawn at most this wide on a large screen.
COLUMN_PX = 760


@dataclass(frozen=True)
class MediaRef:
    """One attachment a post's Markdown may name, as `news/media.py` serves it."""

    url: str
    is_image: bool
    alt: str = ""
    caption: str = ""
    width: int | None = None
    height: int | None = None
    phone_url: str = ""
    phone_width: int | None = None


def _demote_h1(text: str) -> str:
    # The page's own title is its only h1; a post's "# heading" becomes a section heading.
    return text.replace("<h1>", "<h2>").replace("</h1>", "</h2>")


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _image(token: Token, ref: MediaRef, allowed: set[str]) -> Token:
    alt = "".join(child.content for child in token.children or []).strip() or ref.alt
    token.children = [_text(alt)]
    token.attrSet("src", ref.url)
    allowed.add(ref.url)
    if ref.width and ref.height:
        token.attrSet("width", str(ref.width))
        token.attrSet("height", str(ref.height))
    if ref.phone_url and ref.phone_width and ref.width:
        srcset = f"{ref.phone_url} {ref.phone_width}w, {ref.url} {ref.width}w"
        token.attrSet("srcset", srcset)
        token.attrSet("sizes", f"(max-width: {COLUMN_PX}px) 100vw, {COLUMN_PX}px")
        allowed.add(srcset)
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    return token


def _resolve(children: list[Token], media: Mapping[str, MediaRef],
             allowed: set[str]) -> tuple[list[Token], MediaRef | None]:
    """The inline tokens with `media:` images and links made the attachments' addresses and
    every other image made its words; and the one image, if the paragraph holds nothing else."""
    out: list[Token] = []
    drop_close = False
    images: list[MediaRef] = []
    for token in children:
        if token.type == "image":
            src = token.attrGet("src") or ""
            ref = media.get(src[len(MEDIA):]) if src.startswith(MEDIA) else None
            if ref is not None and ref.is_image:
                out.append(_image(token, ref, allowed))
                images.append(ref)
            else:
                out.extend(token.children or [])
        elif token.type == "link_open" and (token.attrGet("href") or "").startswith(MEDIA):
            ref = media.get(str(token.attrGet("href"))[len(MEDIA):])
            if ref is None:
                drop_close = True
                continue
            token.attrSet("href", ref.url)
            out.append(token)
        elif token.type == "link_close" and drop_close:
            drop_close = False
        else:
            out.append(token)
    alone = len(images) == 1 and all(
        token.type == "image" or (token.type in ("text", "softbreak") and
                                  not token.content.strip()) for token in out)
    return out, images[0] if alone else None


def _with_media(tokens: list[Token], media: Mapping[str, MediaRef],
                allowed: set[str]) -> list[Token]:
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        token.children, alone = _resolve(token.children, media, allowed)
        around = (tokens[index - 1] if index else None,
                  tokens[index + 1] if index + 1 < len(tokens) else None)
        if alone is not None and alone.caption and around[0] is not None and \
                around[0].type == "paragraph_open" and around[1] is not None and \
                not around[0].hidden:
            # An image alone in its paragraph, with a caption: a figure.
            around[0].tag = around[1].tag = "figure"
            caption = Token("html_inline", "", 0)
            caption.content = f"<figcaption>{html.escape(alone.caption)}</figcaption>"
            token.children.append(caption)
    return tokens


def to_html(markdown: str, base: str | None = None,
            media: Mapping[str, MediaRef] | None = None) -> str:
    """Safe HTML of `markdown`; with `base` (an absolute URL), relative links resolved;
    `media`: the post's attachments by key (none: no image at all)."""
    allowed: set[str] = set()
    if base and media:
        media = {key: replace(ref, url=urljoin(base, ref.url),
                              phone_url=urljoin(base, ref.phone_url) if ref.phone_url else "")
                 for key, ref in media.items()}
    tokens = _with_media(_RENDERER.parse((markdown or "")[:MAX_MARKDOWN]), media or {},
                         allowed)
    rendered = _demote_h1(_RENDERER.renderer.render(tokens, _RENDERER.options, {}))
    relative = ("rewrite_with_base", base) if base else "pass_through"

    def only_ours(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute in ("src", "srcset") and value not in allowed:
            return None
        if attribute in ("href", "src"):
            scheme, colon, _rest = value.partition(":")
            if not value.strip() or (colon and not any(c in scheme for c in "/?#")
                                     and scheme.lower() not in SCHEMES):
                return None  # empty, or a scheme nh3 read as a relative path (":x")
        return value

    cleaned = nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                        link_rel="noopener noreferrer nofollow", strip_comments=True,
                        clean_content_tags={"script", "style"}, url_relative=relative,
                        attribute_filter=only_ours)
    # An image whose address was refused above is nothing to show.
    return _IMAGE_WITHOUT_SOURCE.sub("", cleaned)


def to_text(markdown: str) -> str:
    """The post as plain text (the e-mail's text part, a feed's summary): tags stripped."""
    return nh3.clean(to_html(markdown), tags=set()).replace("&amp;", "&").replace(
        "&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').strip()
