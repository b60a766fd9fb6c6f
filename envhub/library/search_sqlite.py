"""The library's index on SQLite: an FTS5 table `library_search` (title, meta, body), its rowid
the document's id. It is handed words already folded (`search_query`), so the `unicode61`
tokenizer only splits at the single spaces between them.

Three more FTS5 indexes hold the same rows, contentless (migrations 0004 and 0007):
`library_search_words` (detail=none: only which documents hold each word) answers queries
without a phrase; `library_search_meta` (title and metadata, with positions) the order's
tiers; `library_search_shingles` (detail=none) each document's pairs and triples of
consecutive words as tokens (`quan_trac`, `quan_trac_moi`). The documents holding a phrase's
shingles and the query's words are its candidates, and the phrase is checked in their folded
fields, which `library_search` keeps (`tiers`). No query reads `library_search`'s positions:
those of a common word run to megabytes over a large library.

Every word of the user's is quoted in the MATCH expression built here (`"quan"`, `"quan"*`,
`"chat luong"`): the words are ASCII letters and digits only, so nothing the user types can
become FTS5 syntax (NEAR, column filters, NOT, `^`)."""

from __future__ import annotations

from envhub.library.search_query import Phrase, Query, Term, phrase_shingles, shingles_text

TABLE = "library_search"
WORDS = "library_search_words"
META = "library_search_meta"
SHINGLES = "library_search_shingles"
# The index and columns each scope of a match reads: the title, the metadata (title
# included). The whole text is read through `WORDS` and `SHINGLES` (`tiers`).
SCOPES = {"title": (META, "{title} : "), "meta": (META, "")}

# How `search` holds the matches before joining them to the documents: materialised, so that
# the MATCH runs once whatever SQLite's plan of the join.
ENGINE_CTE = "MATERIALIZED"
GROUPING_SETS = False  # SQLite has none: `search._facet_arms` counts a facet an arm


def _expression(query: Query, phrases: bool = True) -> str:
    """The FTS5 expression of `query`; without `phrases`, a phrase's words each on their own
    (for an index without positions)."""
    pieces = []
    for part in query.parts:
        if isinstance(part, Phrase):
            quoted = [" ".join(part.words)] if phrases else list(dict.fromkeys(part.words))
            pieces.extend(f'"{text}"' for text in quoted)
        elif isinstance(part, Term):
            pieces.append(f'"{part.word}"' + ("*" if part.prefix else ""))
    return " AND ".join(pieces)


def match(query: Query, scope: str) -> tuple[str, list]:
    """SQL selecting the ids of the documents where every part of `query` is found in the
    columns of `scope`."""
    table, columns = SCOPES[scope]
    expression = _expression(query)
    if columns:
        expression = f"{columns}({expression})"
    return f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [expression]


def tiers(query: Query) -> tuple[str, list]:
    """SQL giving each document holding `query` (`id`) and its tier (`tier`): 2 when the
    title holds it all, 1 the title and metadata, else 0. Each MATCH runs once (SQLite keeps
    the ids of a non-correlated IN as one temporary index)."""
    title, title_params = match(query, "title")
    meta, meta_params = match(query, "meta")
    tier = (f"CASE WHEN rowid IN ({title}) THEN 2 WHEN rowid IN ({meta}) THEN 1 ELSE 0 END "
            "AS tier")
    phrases = [part for part in query.parts if isinstance(part, Phrase)]
    if not phrases:
        return (f"SELECT rowid AS id, {tier} FROM {WORDS} WHERE {WORDS} MATCH %s",
                [*title_params, *meta_params, _expression(query)])
    # The candidates hold the shingles of each phrase and every word (`WORDS`), as one set
    # (two `rowid IN` let SQLite look up every document holding the words, 5 times slower); a
    # phrase is then checked in the folded fields `TABLE` keeps, whose words are joined by
    # single spaces: " quan trac moi " lies in " <field> " exactly where FTS5 would find the
    # phrase. Reading FTS5's positions instead costs every position of every word.
    shingles = [shingle for phrase in phrases for shingle in phrase_shingles(phrase.words)]
    checks, padded = [], []
    for phrase in phrases:
        checks.append("(" + " OR ".join(f"instr(' ' || {column} || ' ', %s) > 0"
                                        for column in ("title", "meta", "body")) + ")")
        padded += [" " + " ".join(phrase.words) + " "] * 3
    return (f"SELECT rowid AS id, {tier} FROM {TABLE} "
            f"WHERE rowid IN (SELECT rowid FROM {SHINGLES} WHERE {SHINGLES} MATCH %s "
            f"INTERSECT SELECT rowid FROM {WORDS} WHERE {WORDS} MATCH %s) "
            f"AND {' AND '.join(checks)}",
            [*title_params, *meta_params,
             " AND ".join(f'"{shingle}"' for shingle in dict.fromkeys(shingles)),
             _expression(query, phrases=False), *padded])


def _forget(cursor, document_id: int) -> None:
    # A contentless index forgets a row only when told the values it indexed: read them
    # from the table they came from, before that row changes.
    cursor.execute(f"SELECT title, meta, body FROM {TABLE} WHERE rowid = %s", [document_id])
    indexed = cursor.fetchone()
    if indexed is None:
        return
    title, meta, body = indexed
    cursor.execute(f"INSERT INTO {WORDS} ({WORDS}, rowid, title, meta, body) "
                   "VALUES ('delete', %s, %s, %s, %s)", [document_id, title, meta, body])
    cursor.execute(f"INSERT INTO {META} ({META}, rowid, title, meta) "
                   "VALUES ('delete', %s, %s, %s)", [document_id, title, meta])
    cursor.execute(f"INSERT INTO {SHINGLES} ({SHINGLES}, rowid, shingles) "
                   "VALUES ('delete', %s, %s)", [document_id, shingles_text(title, meta, body)])
    cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [document_id])


def upsert(cursor, document_id: int, title: str, meta: str, body: str) -> None:
    _forget(cursor, document_id)
    cursor.execute(f"INSERT INTO {TABLE} (rowid, title, meta, body) VALUES (%s, %s, %s, %s)",
                   [document_id, title, meta, body])
    cursor.execute(f"INSERT INTO {WORDS} (rowid, title, meta, body) VALUES (%s, %s, %s, %s)",
                   [document_id, title, meta, body])
    cursor.execute(f"INSERT INTO {META} (rowid, title, meta) VALUES (%s, %s, %s)",
                   [document_id, title, meta])
    cursor.execute(f"INSERT INTO {SHINGLES} (rowid, shingles) VALUES (%s, %s)",
                   [document_id, shingles_text(title, meta, body)])


def delete(cursor, document_ids: list[int]) -> None:
    for document_id in document_ids:
        _forget(cursor, document_id)


def optimise(cursor) -> None:
    """Merge the index's segments after a rebuild: fewer b-trees for each query to read."""
    for table in (TABLE, WORDS, META, SHINGLES):
        cursor.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")


def indexed_ids(cursor) -> set[int]:
    cursor.execute(f"SELECT rowid FROM {TABLE}")
    return {row[0] for row in cursor.fetchall()}
