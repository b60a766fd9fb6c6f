"""Request middleware: the client's address and token as the request presents them, the
Content-Security-Policy header, the language, refusals in the envelope. Who is acting
(`request.actor`) is resolved by `accounts.actors`, which owns the tokens."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext

from envhub.core import proxies
from envhub.core.errors import EnvhubError

logger = logging.getLogger("envhub.auth")


def client_ip(request) -> str | None:
    """The client's address: the connection's, or the one trusted proxies forwarded."""
    return proxies.client_address(request.META.get("REMOTE_ADDR"),
                                  request.META.get("HTTP_X_FORWARDED_FOR"),
                                  settings.ENVHUB_TRUSTED_PROXIES)


def bearer_token(request) -> str | None:
    """The token a request presents: `Authorization: Bearer <token>`, or a bare
    `Authorization: <token>` as CKAN's clients send it. None without one (another scheme, such
    as a proxy's Basic, is not for envhub); a token that is there but bad is never ignored."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    scheme, _, value = header.partition(" ")
    if not value:
        return scheme or None
    if scheme.lower() != "bearer":
        return None
    return value.strip()


class ContentSecurityPolicyMiddleware:
    """Scripts only from our own origin; map tiles from the configured tile server."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = urlsplit(settings.ENVHUB_MAP_TILE_URL.replace("{s}", "a"))
        tile_origin = f"{tiles.scheme}://{tiles.netloc}" if tiles.netloc else ""
        if "{s}" in settings.ENVHUB_MAP_TILE_URL:
            tile_origin = f"{tiles.scheme}://*.{tiles.netloc.split('.', 1)[-1]}"
        self.policy = "; ".join([
            "default-src 'self'",
            "script-src 'self'",
            # Leaflet and ECharts position elements with inline style attributes.
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: {tile_origin}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ])

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class DomainErrorMiddleware:
    """Pages: a domain error raised by a service becomes the page a user should see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from envhub.core.views import error_page

        if isinstance(exception, EnvhubError) and not request.path.startswith("/api/"):
            return error_page(request, exception)
        return None


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Vietnamese unless the visitor chose English with the language switch (a
    cookie): a state system answers in the national language whatever the browser's settings.
    The API follows `Accept-Language`, which programs set on purpose."""

    def process_request(self, request):
        if request.path.startswith("/api/") or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return super().process_request(request)
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class NullCharacterMiddleware:
    """Refuse a request whose path or parameters contain a NUL character: no legitimate client
    sends one, and PostgreSQL cannot store or compare it (it would surface as a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            from envhub.core.api_errors import envelope
            from envhub.core.views import bad_request

            if request.path.startswith("/api/"):
                return envelope(400, "invalid_input", details={
                    "__all__": [gettext("The request contains a NUL character.")]})
            return bad_request(request)
        return self.get_response(request)
