"""Rows of a queryset as the database driver gives them, without the ORM's conversion of each
value: for grouped sums read by the thousand a request (a national dashboard's per-station and
per-source totals, a page of hundreds of series) the ORM's converters — `int()` on what is
already an int — cost more than the query.

Only for values whose driver type is already the answer: integers, text, and on PostgreSQL
dates and times (SQLite gives those as text)."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def raw_rows(qs: QuerySet) -> list[tuple]:
    """The rows of `qs` (a `values_list()`, columns in its order) as tuples. An empty queryset
    gives no rows."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
