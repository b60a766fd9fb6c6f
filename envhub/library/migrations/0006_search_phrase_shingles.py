"""Phrases found fast on PostgreSQL (see `library/search_postgres.py`): an index of shingles —
every pair and every triple of consecutive words in each field — that narrows a phrase's
candidates to the documents holding its pairs (a phrase of two words) or all its triples
(three words or more) before the positions are read in `library_search_parts`.

A function `library_search_shingles(text)` gives the hashes (`hashtext`) of the shingles of a
folded text (words joined by single spaces, as `library_search` keeps them), and a GIN index on
an expression of it over the three fields, each field on its own (a phrase lies in one field);
nothing is stored in the table, so the rows word queries scan stay as they were, and the index
follows every write of `library_search` by itself. The phrase's own shingles are hashed by the
same function at query time, so the index and the query always agree; two shingles with one
hash only let a document through to the positional check, which is exact.

The function reads the words with their ordinal and `lead()` over it: a subscript into a text
array of 6,000 words walks the array from its start each time (quadratic).

SQLite has nothing to do: FTS5 reads a phrase from its positions, and its figure is met.
The statements are written out here, not imported, so that this migration never changes."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION library_search_shingles(folded text) RETURNS integer[]
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
    SELECT coalesce(array_agg(DISTINCT hashtext(shingle)), '{}')
    FROM (SELECT word || ' ' || lead(word, 1) OVER (ORDER BY n) AS pair,
                 word || ' ' || lead(word, 1) OVER (ORDER BY n) || ' '
                 || lead(word, 2) OVER (ORDER BY n) AS triple
          FROM unnest(string_to_array(folded, ' ')) WITH ORDINALITY AS words(word, n)) AS runs,
         LATERAL (VALUES (pair), (triple)) AS shingles(shingle)
    WHERE shingle IS NOT NULL
$$"""
INDEX = """
CREATE INDEX IF NOT EXISTS library_search_shingles_gin ON library_search USING gin
    ((library_search_shingles(title_text) || library_search_shingles(meta_text)
      || library_search_shingles(body_text)))"""
DROP = ["DROP INDEX IF EXISTS library_search_shingles_gin",
        "DROP FUNCTION IF EXISTS library_search_shingles(text)"]


def _postgresql(schema_editor) -> bool:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"The library's search runs on SQLite or PostgreSQL, not {vendor}.")
    return vendor == "postgresql"


def create(apps, schema_editor):
    if _postgresql(schema_editor):
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)
        schema_editor.execute("ANALYZE library_search")  # the planner's estimate of @>


def drop(apps, schema_editor):
    if _postgresql(schema_editor):
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [("library", "0005_oai_tombstones_and_catalogue_notes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
