"""The library's index on SQLite: an FTS5 table `library_search` (title, meta, body), its rowid
the document's id. It is handed words already folded (`search_query`), so the `unicode61`
tokenizer only splits at the single spaces between them.

Every word of the user's is quoted in the MATCH expression built here (`"quan"`, `"quan"*`,
`"chat luong"`): the words are ASCII letters and digits only, so nothing the user types can
become FTS5 syntax (NEAR, column filters, NOT, `^`)."""

from __future__ import annotations

import json

from envhub.library.search_query import Phrase, Query, Term

TABLE = "library_search"
# The columns each scope of a match reads: the title, the metadata (title included), all.
SCOPES = {"title": "{title} : ", "meta": "{title meta} : ", "all": ""}



def _expression(query: Query) -> str:
    pieces = []
    for part in query.parts:
        if isinstance(part, Phrase):
            pieces.append('"' + " ".join(part.words) + '"')
        elif isinstance(part, Term):
            pieces.append(f'"{part.word}"' + ("*" if part.prefix else ""))
    return " AND ".join(pieces)


def match(query: Query, scope: str = "all") -> tuple[str, list]:
    """SQL selecting the ids of the documents where every part of `query` is found in the
    columns of `scope`."""
    expression = _expression(query)
    if SCOPES[scope]:
        expression = f"{SCOPES[scope]}({expression})"
    return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]


def matches(query: Query) -> dict[str, list[int]]:
    """The ids of the documents holding `query` in each scope."""
    from django.db import connection

    found = {}
    with connection.cursor() as cursor:
        for scope in SCOPES:
            cursor.execute(*match(query, scope))
            found[scope] = [row[0] for row in cursor.fetchall()]
    return found


def id_list(ids: list[int]) -> tuple[str, list]:
    """SQL giving `ids` back as rows, from one parameter (SQLite allows only so many)."""
    return "SELECT value FROM json_each(%s)", [json.dumps(ids)]


def upsert(cursor, document_id: int, title: str, meta: str, body: str) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [document_id])
    cursor.execute(f"INSERT INTO {TABLE} (rowid, title, meta, body) VALUES (%s, %s, %s, %s)",
                   [document_id, title, meta, body])


def delete(cursor, document_ids: list[int]) -> None:
    for document_id in document_ids:
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [document_id])



def optimise(cursor) -> None:
    """Merge the index's segments after a rebuild: fewer b-trees for each query to read."""
    cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def indexed_ids(cursor) -> set[int]:
    cursor.execute(f"SELECT rowid FROM {TABLE}")
    return {row[0] for row in cursor.fetchall()}
