"""bench/library.py's building blocks on a tiny size, so that they cannot rot (nothing timed):
the generated library is indexed, and envhub's search and the bare engine query agree on
which documents hold a word."""

from __future__ import annotations

import pytest

from bench import library as bench
from envhub.core.permissions import system_actor
from envhub.library import search
from envhub.library.models import Document

pytestmark = pytest.mark.django_db


def test_the_benchmark_library_is_searched_as_the_baseline_searches_it(reference):
    bench.make_library(12, 2)
    assert Document.objects.count() == 12
    results = search.search(system_actor("test"), "nuoc", limit=100)
    assert results.total > 0
    from django.db import connection

    from envhub.library import search_postgres, search_sqlite
    from envhub.library.search_query import parse

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT document_id FROM library_search WHERE all_vec @@ "
                           "to_tsquery('simple', %s)", [search_postgres._tsquery(parse("nuoc"))])
        else:
            cursor.execute("SELECT rowid FROM library_search WHERE library_search MATCH %s",
                           [search_sqlite._expression(parse("nuoc"))])
        bare = {row[0] for row in cursor.fetchall()}
    assert {hit.document.pk for hit in results.hits} == bare
    bench._baseline("chat luong nuoc")  # runs on this database
    bench._baseline('"chat luong nuoc"')  # a phrase: on PostgreSQL the positional parts
