"""Diacritic-insensitive text search over the folded `search_text` column that rows keep.

The same code runs on SQLite and PostgreSQL: both compare the folded query words with the folded
stored text, so `dong nai`, `Đồng Nai` and `ĐỒNG NAI` find the same rows.
"""

from __future__ import annotations

from django.db.models import QuerySet

from envhub.core.text import search_terms

# A query is a handful of words; more would only make a slower query, never a better answer.
MAX_TERMS = 12
MAX_TERM_LENGTH = 100


def text_search(qs: QuerySet, query: str | None, field: str = "search_text") -> QuerySet:
    for term in search_terms(query)[:MAX_TERMS]:
        term = term[:MAX_TERM_LENGTH]
        qs = qs.filter(**{f"{field}__contains": term})
    return qs
