"""What one request may ask of the server, refused before anything reads it.

Every public input has a cap (settings from `core.config`, documented in docs/operations.md):
the query string as a whole (`ENVHUB_MAX_QUERY_BYTES`, else 414) and each of its names and values
(`ENVHUB_MAX_PARAM_CHARS`, else 400 naming the parameter); JSON and form bodies through Django's
`DATA_UPLOAD_MAX_MEMORY_SIZE` (413, from `Content-Length`, before the body is read); multipart
uploads in `core.uploads`. Methods no page or endpoint serves (TRACE and the like) are 405.
Refusals come as the API's error envelope under /api/ and as an error page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from envhub.core.errors import EnvhubError, InvalidInput, MethodNotAllowed, UriTooLong

# Methods answered by no page; the API and CKAN's endpoints say their own methods in `Allow`.
NEVER_SERVED = frozenset({"TRACE", "TRACK", "CONNECT"})
PAGE_METHODS = "GET, HEAD, POST"


def too_long(items: Iterable[tuple[str, Any]]) -> tuple[str, str] | None:
    """(name, why) of the first parameter whose name or text value is longer than
    ENVHUB_MAX_PARAM_CHARS, or None. Values may be lists (CKAN's `fq_list`)."""
    limit = settings.ENVHUB_MAX_PARAM_CHARS
    for name, value in items:
        values = value if isinstance(value, list) else [value]
        length = max([len(name)] + [len(item) for item in values if isinstance(item, str)])
        if length > limit:
            shown = name if len(name) <= 100 else name[:100] + "…"
            return shown, _("%(name)s is too long: %(length)d characters; at most %(limit)d "
                            "are accepted.") % {"name": shown, "length": length, "limit": limit}
    return None


def loads_json(raw: bytes | str) -> Any:
    """json.loads for a public body or parameter: ValueError for whatever is not JSON, nesting
    too deep for the parser included (which would otherwise surface as a RecursionError)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _refusal(request) -> EnvhubError | None:
    query = request.META.get("QUERY_STRING", "")
    if len(query) > settings.ENVHUB_MAX_QUERY_BYTES:
        return UriTooLong(_("The address is too long: its query has %(size)d bytes; at most "
                            "%(limit)d are accepted.")
                          % {"size": len(query), "limit": settings.ENVHUB_MAX_QUERY_BYTES})
    refusal = too_long(request.GET.lists()) if query else None
    if refusal is not None:
        name, message = refusal
        return InvalidInput(message, {name: [message]})
    return None


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from envhub.core.views import error_page

        if request.method in NEVER_SERVED and not request.path.startswith("/api/"):
            response = error_page(request, MethodNotAllowed())
            response["Allow"] = PAGE_METHODS
            return response
        refusal = _refusal(request)
        if refusal is not None:
            return error_page(request, refusal)
        return self.get_response(request)
