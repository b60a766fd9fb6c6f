"""Rows into SQLite as multi-row VALUES lists (`core.sqlite_rows`): cut into statements that
SQLite takes, in few shapes, with every value once and in order."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.core import sqlite_rows

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(0, 20_000), width=st.integers(1, 23), leading=st.integers(0, 7),
       most_rows=st.one_of(st.none(), st.integers(1, 7000)))
def test_parts_hold_every_value_once_in_statements_of_few_shapes(rows, width, leading, most_rows):
    values = list(range(rows * width))
    parts = list(sqlite_rows.parts(values, width, leading=leading, most_rows=most_rows))
    assert [value for part in parts for value in part] == values
    limit = min(sqlite_rows.MOST_VALUES,
                connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    for part in parts:
        count = len(part) // width
        assert len(part) == count * width
        assert len(part) + leading <= limit
        assert most_rows is None or count <= most_rows
    # As many rows as allowed in each statement, then the rest in smaller powers of two, each
    # once.
    sizes = [len(part) // width for part in parts]
    allowed = min((limit - leading) // width, most_rows or limit)
    full = rows // allowed
    assert sizes[:full] == [allowed] * full
    rest = sizes[full:]
    assert rest == sorted(set(rest), reverse=True)
    assert all(size & (size - 1) == 0 and size < allowed for size in rest)


def test_a_slice_of_any_size_leaves_few_statements_compiled():
    # Python's sqlite3 keeps the statements it compiled; statements of every size would fill
    # its cache with some 2 MB each.
    shapes = set()
    for rows in range(1, 3000, 7):
        for part in sqlite_rows.parts(list(range(rows * 5)), 5, most_rows=4096):
            shapes.add(len(part) // 5)
    assert len(shapes) <= 13  # 4,096 rows, and 12 powers of two below it


def test_values_are_written_as_given():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE probe_rows (a, b)")
    rows = [(n, f"text {n}") for n in range(1000)] + [(None, b"\x00bytes"), (1.5, "")]
    inserted = sqlite_rows.insert("INSERT INTO probe_rows (a, b) {values}",
                                  sqlite_rows.flatten(rows), 2, most_rows=64)
    assert inserted == len(rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT a, b FROM probe_rows ORDER BY rowid")
        assert [tuple(row) for row in cursor.fetchall()] == rows


def test_a_statement_in_a_broken_transaction_is_refused_as_by_django():
    from django.db import IntegrityError, transaction
    from django.db.transaction import TransactionManagementError

    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE probe_keys (k PRIMARY KEY)")
    with transaction.atomic():
        sqlite_rows.execute("INSERT INTO probe_keys (k) VALUES (?)", [1])
        with pytest.raises(IntegrityError), transaction.atomic(savepoint=False):
            sqlite_rows.execute("INSERT INTO probe_keys (k) VALUES (?)", [1])
        with pytest.raises(TransactionManagementError):
            sqlite_rows.execute("INSERT INTO probe_keys (k) VALUES (?)", [2])
