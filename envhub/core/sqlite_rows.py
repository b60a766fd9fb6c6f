"""Many rows into SQLite in a few statements: each a multi-row VALUES list of bound values.

Why not `executemany`: it binds and runs row by row, giving Python's interpreter lock back and
taking it again for every row, so that a thread reading the next files meanwhile would keep
the writer waiting. A VALUES list is bound in one go and then runs in SQLite's own code from
start to end, without the lock. (Rows as JSON texts read by `json_each` would be parsed again
for each column.)

The values travel flat (`flatten`): row after row, `width` values a row, so that they can be
cut into statements (`parts`) without building any row again. `insert` does both.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from django.db import connection

# Bound values a statement may hold: SQLite's default limit since 3.32. A connection built with
# a lower one says so (`_most_values`).
MOST_VALUES = 32766


def flatten(rows: Iterable[Sequence]) -> list:
    """The rows' values in one list, row after row."""
    return list(chain.from_iterable(rows))


def _most_values() -> int:
    connection.ensure_connection()
    return min(MOST_VALUES, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))


def insert(statement: str, values: Sequence, width: int, *, leading: Sequence = (),
           most_rows: int | None = None) -> int:
    """Run `statement` for flat `values`, `width` a row, in as few statements as `parts`
    allows; the rows they changed. `{values}` in the statement stands for the VALUES list, and
    its own `?` before it take `leading` (the same for every statement)."""
    changed = 0
    for part in parts(values, width, leading=len(leading), most_rows=most_rows):
        changed += execute(statement.format(values=values_list(width, len(part) // width)),
                           [*leading, *part] if leading else part)
    return changed


def parts(values: Sequence, width: int, *, leading: int = 0,
          most_rows: int | None = None) -> Iterator[Sequence]:
    """Flat `values` cut into the parts that a statement each can take, beside its `leading`
    values of its own.

    Each part holds as many rows as allowed, and the last few a power of two each. Python's
    sqlite3 keeps the last statements it compiled, and a statement of thousands of rows is
    large: the slices of a backfill end in all sorts of sizes, and statements of any size
    would fill that cache (and the memory). So a width has few shapes."""
    most = (_most_values() - leading) // width
    if most_rows is not None:
        most = min(most, most_rows)
    most = max(most, 1)
    total = len(values) // width
    start = 0
    while start < total:
        left = total - start
        rows = most if left >= most else 1 << (left.bit_length() - 1)
        yield values[start * width:(start + rows) * width]
        start += rows


@functools.lru_cache(maxsize=32)
def values_list(width: int, rows: int) -> str:
    """`VALUES (?, …), …` for so many rows of `width` values. (The same text for the same shape:
    Python's sqlite3 keeps the statement compiled.)"""
    row = "(" + ",".join("?" * width) + ")"
    return "VALUES " + ",".join([row] * rows)


def execute(sql: str, params: Sequence) -> int:
    """Run one statement with `?` placeholders on the connection itself (Django's cursor would
    rewrite a statement of thousands of placeholders each time); the rows it changed. Must run
    inside the caller's transaction. Errors come as Django's (IntegrityError, …), and like
    Django's cursor it refuses to run in a transaction that an error has already broken."""
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        return connection.connection.execute(sql, params).rowcount
