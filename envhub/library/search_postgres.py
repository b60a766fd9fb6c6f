"""The library's index on PostgreSQL: a table `library_search` with the folded texts (title,
meta, body, as `search_query` makes them) and their tsvectors under the `simple`
configuration (no stemming, no stop words: the words are already folded, so `unaccent` has
nothing left to do), `all_vec` under a GIN index.

The searched vectors are stripped of positions (a query of words reads only which documents
hold them). A phrase is found by its words in the GIN index and then checked with `<->` in
each field's positional vectors, `title_parts`, `meta_parts` and `body_parts` of the table
`library_search_parts` (migration 0004; a table of its own so that the rows word queries
scan stay narrow): PostgreSQL keeps no position past 16,383 and at most 256 positions of a
word, so each field is cut into parts within those limits that overlap by 11 words
(`search_query.position_parts`), and a phrase of up to 12 words is found whole in one part —
exactly as FTS5 reads a phrase: the same words, one after the other, in one column. Before
the positions, a GIN index of shingles (migration 0006: the hashes of every pair and triple of
consecutive words of each field, an expression over the folded texts) keeps only the documents
holding every shingle of the phrase (its pairs and, from three words, its triples): "quan trac
moi truong" reads the positions of 282 of the bench's 10,000 documents instead of all. The
folded texts are kept beside (the shingles' index is built from them, and the migration that
made the parts read them). The
tsquery is built from ASCII words only and passed as a parameter: nothing the user types
becomes tsquery syntax."""

from __future__ import annotations

from envhub.library.search_query import Phrase, Query, Term, position_parts

TABLE = "library_search"
PARTS = "library_search_parts"
SCOPES = {"title": ("title_vec", ("title",)),
          "meta": ("meta_vec", ("title", "meta")),
          "all": ("all_vec", ("title", "meta", "body"))}
# The expression of the shingles' index, written as the index is (migration 0006): the planner
# uses the index only for this very expression.
SHINGLES = ("(library_search_shingles(title_text) || library_search_shingles(meta_text) "
            "|| library_search_shingles(body_text))")
# How `search` holds the matches before joining them to the documents: inlined, so that they
# are joined as they come rather than copied whole first (up to every document).
ENGINE_CTE = "NOT MATERIALIZED"
# The facets of the documents' columns are counted in one pass (`search._facet_arms`).
GROUPING_SETS = True


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
            if scope == "all":
                # The GIN index of shingles (migration 0006): only the documents holding the
                # phrase's pairs or triples reach the positions.
                sql.append(f"{SHINGLES} @> library_search_shingles(%s)")
                params.append(" ".join(part.words))
            # The parts are read in a subquery of the row (its FROM names the row), which
            # PostgreSQL keeps per candidate rather than turning it into a join that reads
            # every document's positions.
            parts = " || ".join(f"p.{column}_parts" for column in columns)
            sql.append(f"EXISTS (SELECT FROM unnest((SELECT {parts} FROM {PARTS} AS p "
                       f"WHERE p.document_id = {TABLE}.document_id)) AS part "
                       "WHERE part @@ to_tsquery('simple', %s))")
            params.append(" <-> ".join(part.words))
    return " AND ".join(sql), params


def tiers(query: Query) -> tuple[str, list]:
    """SQL giving each document holding `query` (`id`) and its tier (`tier`): 2 when the
    title holds it all, 1 the title and metadata, else 0 — from one scan of the matches (the
    title and metadata vectors are read only for the rows the GIN index found)."""
    found, found_params = _condition(query, "all")
    title, title_params = _condition(query, "title")
    meta, meta_params = _condition(query, "meta")
    return (f"SELECT document_id AS id, CASE WHEN {title} THEN 2 WHEN {meta} THEN 1 ELSE 0 "
            f"END AS tier FROM {TABLE} WHERE {found}",
            [*title_params, *meta_params, *found_params])


def match(query: Query, scope: str = "all") -> tuple[str, list]:
    """SQL selecting the ids of the documents where every part of `query` is found in the
    columns of `scope`."""
    condition, params = _condition(query, scope)
    return f"SELECT document_id FROM {TABLE} WHERE {condition}", params


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
    columns, params = [], []
    for text in (title, meta, body):
        parts = position_parts(text)
        columns.append("ARRAY[" + ", ".join(["to_tsvector('simple', %s)"] * len(parts))
                       + "]::tsvector[]")
        params.extend(parts)
    cursor.execute(
        f"""INSERT INTO {PARTS} (document_id, title_parts, meta_parts, body_parts)
            VALUES (%s, {", ".join(columns)})
            ON CONFLICT (document_id) DO UPDATE SET
                title_parts = EXCLUDED.title_parts, meta_parts = EXCLUDED.meta_parts,
                body_parts = EXCLUDED.body_parts""", [document_id, *params])


def delete(cursor, document_ids: list[int]) -> None:
    for table in (TABLE, PARTS):
        cursor.execute(f"DELETE FROM {table} WHERE document_id = ANY(%s)",
                       [list(document_ids)])


def optimise(cursor) -> None:
    # Entries written since the last merge wait in each GIN index's pending list, which every
    # query reads whole: merge them after a rebuild.
    for index in ("library_search_all_gin", "library_search_shingles_gin"):
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
    cursor.execute(f"ANALYZE {TABLE}")
    cursor.execute(f"ANALYZE {PARTS}")


def indexed_ids(cursor) -> set[int]:
    cursor.execute(f"SELECT document_id FROM {TABLE}")
    return {row[0] for row in cursor.fetchall()}
