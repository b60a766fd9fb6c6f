"""The library's index on PostgreSQL: a table `library_search` with the folded texts (title,
meta, body, as `search_query` makes them) and their tsvectors under the `simple`
configuration (no stemming, no stop words: the words are already folded, so `unaccent` has
nothing left to do), `all_vec` under a GIN index.

The vectors are stripped of positions: PostgreSQL keeps none past 16,383 words, which would lose
phrases deep in a long report. A phrase is therefore found by its words in the GIN index and
then checked in the folded text (` chat luong nuoc `), exactly as FTS5 reads a phrase: the
same words, one after the other, in one column. The tsquery is built from ASCII words only and
passed as a parameter: nothing the user types becomes tsquery syntax."""

from __future__ import annotations

from envhub.library.search_query import Phrase, Query, Term

TABLE = "library_search"
SCOPES = {"title": ("title_vec", ("title_text",)),
          "meta": ("meta_vec", ("title_text", "meta_text")),
          "all": ("all_vec", ("title_text", "meta_text", "body_text"))}



def _tsquery(query: Query) -> str:
    words = []
    for part in query.parts:
        if isinstance(part, Phrase):
            words.extend(part.words)
        elif isinstance(part, Term):
            words.append(part.word + (":*" if part.prefix else ""))
    return " & ".join(words)


def _condition(query: Query, scope: str) -> tuple[str, list]:
    vector, columns = SCOPES[scope]
    sql = [f"{vector} @@ to_tsquery('simple', %s)"]
    params: list = [_tsquery(query)]
    for part in query.parts:
        if isinstance(part, Phrase):
            found = " OR ".join(f"strpos(' ' || {column} || ' ', %s) > 0" for column in columns)
            sql.append(f"({found})")
            params.extend([" " + " ".join(part.words) + " "] * len(columns))
    return " AND ".join(sql), params


def matches(query: Query) -> dict[str, list[int]]:
    """The ids of the documents holding `query` in each scope, from one scan of the matches
    (the title and metadata vectors are read only for the rows the GIN index found)."""
    from django.db import connection

    found, found_params = _condition(query, "all")
    title, title_params = _condition(query, "title")
    meta, meta_params = _condition(query, "meta")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT document_id, ({title}), ({meta}) FROM {TABLE} WHERE {found}",
                       [*title_params, *meta_params, *found_params])
        rows = cursor.fetchall()
    return {"all": [row[0] for row in rows], "title": [row[0] for row in rows if row[1]],
            "meta": [row[0] for row in rows if row[2]]}


def match(query: Query, scope: str = "all") -> tuple[str, list]:
    """SQL selecting the ids of the documents where every part of `query` is found in the
    columns of `scope`."""
    condition, params = _condition(query, scope)
    return f"SELECT document_id FROM {TABLE} WHERE {condition}", params


def id_list(ids: list[int]) -> tuple[str, list]:
    """SQL giving `ids` back as rows, from one array parameter."""
    return "SELECT unnest(%s::bigint[])", [list(ids)]


def upsert(cursor, document_id: int, title: str, meta: str, body: str) -> None:
    cursor.execute(
        f"""INSERT INTO {TABLE} (document_id, title_text, meta_text, body_text, title_vec,
                                 meta_vec, all_vec)
            VALUES (%s, %s, %s, %s, strip(to_tsvector('simple', %s)),
                    strip(to_tsvector('simple', %s)), strip(to_tsvector('simple', %s)))
            ON CONFLICT (document_id) DO UPDATE SET
                title_text = EXCLUDED.title_text, meta_text = EXCLUDED.meta_text,
                body_text = EXCLUDED.body_text, title_vec = EXCLUDED.title_vec,
                meta_vec = EXCLUDED.meta_vec, all_vec = EXCLUDED.all_vec""",
        [document_id, title, meta, body, title, f"{title} {meta}", f"{title} {meta} {body}"])


def delete(cursor, document_ids: list[int]) -> None:
    cursor.execute(f"DELETE FROM {TABLE} WHERE document_id = ANY(%s)", [list(document_ids)])



def optimise(cursor) -> None:
    cursor.execute(f"ANALYZE {TABLE}")


def indexed_ids(cursor) -> set[int]:
    cursor.execute(f"SELECT document_id FROM {TABLE}")
    return {row[0] for row in cursor.fetchall()}
