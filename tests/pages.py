"""Comparing two answers of the site as pages: what differs from one request to the next (the
CSRF token, the print header's "printed at" minute) is taken out, so that two requests that
straddle a minute still give the same page."""

from __future__ import annotations

import re

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
_PRINTED_AT = re.compile(r'(<time data-printed-at="page">)[^<]*(</time>)')


def same_page(html: str) -> str:
    """`html` without its per-request parts."""
    return _PRINTED_AT.sub(r"\1\2", _CSRF.sub("", html))
