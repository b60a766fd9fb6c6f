"""Keyset paging with opaque cursors: no OFFSET, so page 1,000 costs what page 1 costs.

A cursor is the sort key of the last row of the previous page, signed so that a client cannot
forge one; clients must treat it as an opaque string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import Field

from envhub.core.errors import InvalidInput

_SALT = "envhub.pagination.cursor"


def limit_type(most: int):
    """The type of a `limit` parameter: 1 to `most` rows, stated so in the OpenAPI document."""
    return Annotated[int, Field(ge=1, le=most, description=f"rows per page, 1 to {most}")] | None


PageLimit = limit_type(settings.ENVHUB_MAX_PAGE_SIZE)


@dataclass
class Page:
    results: list
    next: str | None


class _CursorSerializer:
    """JSON for signing.dumps, with dates and decimals as Django's encoder writes them."""

    def dumps(self, obj) -> bytes:
        return json.dumps(obj, separators=(",", ":"), cls=DjangoJSONEncoder).encode("utf-8")

    def loads(self, data: bytes):
        return json.loads(data.decode("utf-8"))


def _salt(scope: str) -> str:
    return f"{_SALT}:{scope}" if scope else _SALT


def cursor_scope(qs: QuerySet, order: tuple[str, ...]) -> str:
    """What a cursor belongs to: the model and the order of its list. A cursor signed for one
    list is refused by every other, instead of being applied to columns it was not made for."""
    return f"{qs.model._meta.label_lower}:{','.join(order)}"


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        _("The paging cursor is not valid; start again from the first page."),
        {"cursor": [_("invalid cursor")]},
    )


def encode_cursor(values: list[Any], scope: str = "") -> str:
    return signing.dumps(values, salt=_salt(scope), compress=True, serializer=_CursorSerializer)


def decode_cursor(cursor: str, size: int, scope: str = "") -> list[Any]:
    try:
        values = signing.loads(cursor, salt=_salt(scope), serializer=_CursorSerializer)
    except (signing.BadSignature, ValueError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise _invalid_cursor()
    return values


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in `order` ("-field" descending): (a > x) or (a = x and
    b > y) ..."""
    condition = Q()
    for index in range(len(order) - 1, -1, -1):
        field = order[index].lstrip("-")
        beyond = "lt" if order[index].startswith("-") else "gt"
        step = Q(**{f"{field}__{beyond}": values[index]})
        if index < len(order) - 1:
            step |= Q(**{field: values[index]}) & condition
        condition = step
    return condition


def clamp_limit(limit: int | None, max_limit: int | None = None) -> int:
    max_limit = max_limit or settings.ENVHUB_MAX_PAGE_SIZE
    if limit is None:
        return min(settings.ENVHUB_PAGE_SIZE, max_limit)
    if limit < 1 or limit > max_limit:
        raise InvalidInput(
            _("limit must be between 1 and %(max)d.") % {"max": max_limit},
            {"limit": [_("out of range")]},
        )
    return limit


def keyset_page(
    qs: QuerySet, *, order: tuple[str, ...], cursor: str | None, limit: int | None,
    max_limit: int | None = None, fetch: Callable[[QuerySet], list] = list,
    key: Callable[[Any, str], Any] | None = None,
) -> Page:
    """One page of `qs` in `order` (ascending, or descending for "-field"; the last field must
    be unique, e.g. "id"). `fetch` reads the rows of the page's query (`raw_rows`, say); `key`
    gives a row's value of an order field, as the ORM would (for rows that are not the ORM's)."""
    limit = clamp_limit(limit, max_limit)
    scope = cursor_scope(qs, order)
    qs = qs.order_by(*order)
    if cursor:
        values = decode_cursor(cursor, len(order), scope)
        try:
            qs = qs.filter(_after(order, values))
            rows = fetch(qs[: limit + 1])
        except (ValueError, TypeError, ValidationError):
            # Values the columns cannot take (a cursor from an older version, say): a 400.
            raise _invalid_cursor() from None
    else:
        rows = fetch(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([(key or _value)(last, field.lstrip("-")) for field in order],
                                    scope)
    return Page(results=rows, next=next_cursor)


class PageQuery(Schema):
    cursor: str | None = None
    limit: PageLimit = None


class KeysetPagination(PaginationBase):
    """Keyset paging as Ninja's pagination: `@paginate(KeysetPagination, order=("code",))` under
    an operation declared with `response={200: list[ItemOut], ...}` that returns a queryset. The
    operation gains `cursor` and `limit`; the answer is `{"results": [...], "next": ...}`, each
    row read by `ItemOut`. Lists whose envelope carries more than that (a series' station and
    unit, the unread count) call `keyset_page` themselves."""

    Input = PageQuery

    class Output(Schema):
        results: list[Any]
        next: str | None

    items_attribute = "results"

    def __init__(self, *, order: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.order = order

    def paginate_queryset(self, queryset: QuerySet, pagination: PageQuery, request, **params):
        page = keyset_page(queryset, order=self.order, cursor=pagination.cursor,
                           limit=pagination.limit)
        return {"results": page.results, "next": page.next}


def _value(row, field: str):
    if isinstance(row, dict):  # rows of .values()
        return row[field]
    value = row
    for part in field.split("__"):
        value = getattr(value, part)
    if hasattr(value, "pk"):
        return value.pk
    return value
