"""Who is acting on a request (`request.actor`): a bearer token (a station's, a facility's or a
person's), else the session user, else the anonymous visitor; and, after the view, the note of
the token's use. Lives in accounts, which owns the tokens, so that core reads none of its
models."""

from __future__ import annotations

import dataclasses
import functools
import logging

from django.db import DatabaseError, connection
from django.utils.functional import SimpleLazyObject, empty

from envhub.accounts import token_use
from envhub.accounts.models import ApiToken, User
from envhub.core import permissions
from envhub.core.errors import InvalidToken, RequestTimeout
from envhub.core.middleware import bearer_token, client_ip

logger = logging.getLogger("envhub.auth")


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
    fields = User._meta.concrete_fields
    query = _TOKEN_QUERY.format(
        user_columns="".join(f', u."{field.column}"' for field in fields),
        user_table=User._meta.db_table)
    converters = [
        [*connection.ops.get_db_converters(field.get_col(User._meta.db_table)),
         *field.get_db_converters(connection)] for field in fields]
    return query, [field.attname for field in fields], converters


def _user_of(values: tuple, names: list[str], converters: list[list]):
    converted = []
    for value, field_converters in zip(values, converters, strict=True):
        for convert in field_converters:
            value = convert(value, None, connection)
        converted.append(value)
    return User.from_db(connection.alias, names, converted)


def actor_from_token(plain: str) -> permissions.Actor:
    """Resolve a presented bearer token to its actor, or raise InvalidToken."""
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
