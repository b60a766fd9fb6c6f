"""PostgreSQL: every column of `library_document` the search's statement reads, for every kind
of reader and filter, is in the index `library_doc_access_facets` (migration library 0008),
so that the documents a reader may see can come from that index alone (an index-only scan).
A column the statement reads and the index lacks would send every large search back to each
document's wide row (docs/benchmarks.md: 6 ms against 1 ms for 7,000 documents), which no
result would show. Whether the planner takes the index depends on the numbers of rows, so
the plan itself is what the benchmark shows, not this test."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from envhub.core.permissions import ANONYMOUS, LEADER, Actor, system_actor
from envhub.library import search
from envhub.library.models import Collection
from tests.library.test_search_phrases import indexed

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="the index is PostgreSQL's (SQLite has no INCLUDE)")


def _statement(actor: Actor, text: str, filters: search.Filters) -> str:
    with CaptureQueriesContext(connection) as captured:
        search.search(actor, text, filters, limit=20)
    return next(query["sql"] for query in captured.captured_queries
                if query["sql"].startswith("WITH "))


def _index_columns(name: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                       "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indexrelid = %s::regclass",
                       [name])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("reader", ["admin", "leader", "named organisation", "anonymous"])
@pytest.mark.parametrize("text,filters", [
    ("nuoc", search.Filters()),
    ("nuoc", search.Filters(type=["monitoring_report"], year=["2024"])),
    ("", search.Filters(access_level=["public"])),
    ("song", search.Filters(province=["01"], collection=["kho"])),
])
def test_the_documents_a_reader_may_see_come_from_the_index_alone(reader, text, filters):
    collection = Collection.objects.create(code="kho", title="Kho")
    for number in range(3):
        indexed(collection, f"TL-{number}", f"Chất lượng nước {number}", "Nước mặt sông Hồng")
    actors = {"admin": system_actor("test"), "anonymous": ANONYMOUS,
              "leader": Actor(kind="user", label="leader", roles=frozenset({LEADER})),
              # A company's staff: public documents and the restricted ones naming it.
              "named organisation": Actor(kind="user", label="operator",
                                          organisation_ids=frozenset({1}))}
    statement = _statement(actors[reader], text, filters)
    read = set(re.findall(r'"library_document"\."(\w+)"', statement))
    assert {"access_level", "id", "year", "type"} <= read  # what the statement is known to read
    assert read <= _index_columns("library_doc_access_facets"), statement
