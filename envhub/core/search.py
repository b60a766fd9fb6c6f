"""Diacritic-insensitive text search over the folded `search_text` column that rows keep.

The same code runs on SQLite and PostgreSQL: both compare the folded query words with the folded
stored text, so `dong nai`, `Đồng Nai` and `ĐỒNG NAI` find the same rows. Each word must match the
start of a word of the text (`nox` finds NOx, not carbon "mo-nox-ide"; a tax code's first digits
find it), which is how people type a search.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.core.text import search_terms

# A query is a handful of words; more would only make a slower query, never a better answer.
MAX_TERMS = 12
MAX_TERM_LENGTH = 100


def text_search(qs: QuerySet, query: str | None, field: str = "search_text") -> QuerySet:
    for term in search_terms(query)[:MAX_TERMS]:
        term = term[:MAX_TERM_LENGTH]
        # The stored text is folded with single spaces, so a word starts at the beginning of the
        # text or after a space.
        qs = qs.filter(Q(**{f"{field}__startswith": term})
                       | Q(**{f"{field}__contains": f" {term}"}))
    return qs
