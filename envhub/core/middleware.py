"""Request middleware: who is acting (`request.actor`), and the Content-Security-Policy header."""

from __future__ import annotations

import dataclasses
import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext

from envhub.core import permissions, proxies
from envhub.core.errors import EnvhubError, InvalidToken, RequestTimeout

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


_TOKEN_MODEL_FIELDS = ("id", "lookup", "digest", "name", "user_id", "station_id", "facility_id",
                       "expires_at", "revoked_at", "last_used_at")
_TOKEN_FIELDS = (*_TOKEN_MODEL_FIELDS, "station__code", "facility__tax_code",
                 "facility__operator_id")
_TOKEN_QUERY = (
    'SELECT t."id", t."lookup", t."digest", t."name", t."user_id", t."station_id", '
    't."facility_id", t."expires_at", t."revoked_at", t."last_used_at", s."code", '
    'f."tax_code", f."operator_id"{user_columns} FROM "accounts_apitoken" t '
    'LEFT JOIN "registry_station" s ON s."id" = t."station_id" '
    'LEFT JOIN "registry_facility" f ON f."id" = t."facility_id" '
    'LEFT JOIN "{user_table}" u ON u."id" = t."user_id" WHERE t."lookup" = %s'
)


@functools.cache
def _token_query(vendor: str) -> tuple[str, list[str], list[list]]:
    """The token query with its user's columns (a personal token's user came in a query of its
    own), their attribute names and each one's converters (SQLite gives text and integers)."""
    from envhub.accounts.models import User

    fields = User._meta.concrete_fields
    query = _TOKEN_QUERY.format(
        user_columns="".join(f', u."{field.column}"' for field in fields),
        user_table=User._meta.db_table)
    converters = [
        [*connection.ops.get_db_converters(field.get_col(User._meta.db_table)),
         *field.get_db_converters(connection)] for field in fields]
    return query, [field.attname for field in fields], converters


def _user_of(values: tuple, names: list[str], converters: list[list]):
    from envhub.accounts.models import User

    converted = []
    for value, field_converters in zip(values, converters, strict=True):
        for convert in field_converters:
            value = convert(value, None, connection)
        converted.append(value)
    return User.from_db(connection.alias, names, converted)


def actor_from_token(plain: str) -> permissions.Actor:
    """Resolve a presented bearer token to its actor, or raise InvalidToken."""
    from envhub.accounts.models import ApiToken

    lookup = ApiToken.split(plain)
    if lookup is None:
        raise InvalidToken()
    # Every API call from a datalogger starts here: one narrow query written out (the ORM
    # would spend longer building it than the database spends answering it).
    query, user_fields, user_converters = _token_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(query, [lookup])
        found = cursor.fetchone()
    if found is None:
        raise InvalidToken()
    row = dict(zip(_TOKEN_FIELDS, found[:len(_TOKEN_FIELDS)], strict=True))
    # SQLite hands back text; PostgreSQL already gives aware datetimes.
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is not None:
        for field in ("expires_at", "revoked_at", "last_used_at"):
            if row[field] is not None:
                row[field] = convert(row[field], None, connection)
    token = ApiToken(**{field: row[field] for field in _TOKEN_MODEL_FIELDS})
    if token.user_id:
        token.user = _user_of(found[len(_TOKEN_FIELDS):], user_fields, user_converters)
    if not token.matches(plain) or not token.is_usable:
        raise InvalidToken()
    # Its use is written after the view (`ActorMiddleware`), or by an upload in its own
    # transaction: not here, in a write of its own before the request's.
    if token.station_id:
        return permissions.station_actor(token, row["station__code"])
    if token.facility_id:
        return permissions.facility_actor(token, row["facility__tax_code"],
                                          row["facility__operator_id"])
    if not token.user.is_active:
        raise InvalidToken()
    return permissions.actor_for_user(token.user, token=token)


def resolve_actor(request) -> permissions.Actor:
    """The actor of a request: a bearer token wins over the session cookie."""
    plain = bearer_token(request)
    if plain is not None:
        actor = actor_from_token(plain)
    else:
        actor = permissions.actor_for_user(getattr(request, "user", None))
    # A copy per request: the anonymous actor is shared and must never carry request data.
    return dataclasses.replace(
        actor, extra={"ip": client_ip(request), "via_session": plain is None}
    )


class ActorMiddleware:
    """Sets `request.actor` lazily; a bad token surfaces as InvalidToken when first used. After
    the view, notes the use of the token the request presented, when due (`token_use`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from envhub.accounts import token_use

        request.actor = actor = SimpleLazyObject(lambda: resolve_actor(request))
        response = self.get_response(request)
        resolved = actor._wrapped
        if resolved is not empty and resolved.token is not None:
            try:
                token_use.record(resolved.token)
            except (DatabaseError, RequestTimeout):
                # The answer stands; the use is written by a later request.
                logger.warning("the last use of token %s was not written", resolved.token.lookup)
        return response


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
