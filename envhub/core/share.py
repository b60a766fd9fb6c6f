"""The metadata a shared link shows (Open Graph and Twitter cards): each page that can be shared
— a post, a dataset, an air station — puts `share` in its context and base.html writes the
tags. The image is a card its own app draws (`core/card_image.py`) and serves through
`card_response`, following the rule of the page it stands for."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from envhub.core import card_image
from envhub.core.errors import NotFound

DESCRIPTION_CHARS = 200
CARD_SECONDS = 600


def share(request, *, title: str, description: str, image_path: str, kind: str = "website",
          published: datetime.datetime | None = None) -> dict:
    text = Truncator(" ".join(strip_tags(description or "").split())).chars(DESCRIPTION_CHARS)
    return {"title": title, "description": text, "kind": kind, "published": published,
            "url": request.build_absolute_uri(request.path),
            "image": request.build_absolute_uri(image_path)}


def footer() -> str:
    return _("envhub · National environmental information system")


def card_response(key: str, make, check=None) -> HttpResponse:
    """The PNG `make()` draws, cached for CARD_SECONDS under `key`; 404 when the object is not
    there for an anonymous reader (a crawler is one) or no font can draw it (`envhub check`
    reports the font). `check()`, a cheap look-up raising NotFound, runs on every request
    before the cache is read: a post unpublished or a dataset closed loses its card at once,
    not when the drawn one expires."""
    try:
        if check is not None:
            check()
        data = cache.get(key)
        if data is None:
            data = make()
            cache.set(key, data, CARD_SECONDS)
    except (NotFound, card_image.FontMissing):
        raise Http404 from None
    return HttpResponse(data, content_type="image/png")
