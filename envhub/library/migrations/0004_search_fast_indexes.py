"""Faster search without changing what it finds (see `library/search_sqlite.py` and
`library/search_postgres.py`).

SQLite: two more FTS5 indexes of the same rows as `library_search`, contentless (the text is
stored once, in `library_search`, whose values tell them what to forget). `library_search_words` (detail=none) keeps only which documents hold
each word, so a query of words reads a few kilobytes where the full index reads every position
of every common word; `library_search_meta` (title and metadata, detail=full) answers the
order's tiers and phrases there from a small index. Phrases in the text still read
`library_search`, the only one with positions.

PostgreSQL: a table `library_search_parts` beside `library_search`: each field's positional
tsvectors (`title_parts`, `meta_parts`, `body_parts`) in parts small enough that PostgreSQL
keeps every position (at most 255 of any word and 16,000 words a part, the parts overlapping
by 11 words so that a phrase of 12 words lies whole in one), so that a phrase is checked with
`<->` instead of reading the text. A table of its own, so that the rows the word queries scan
stay as narrow as they were (three more columns pushed vectors of `library_search` out of
line: a scan of a common word read ten times the pages). No foreign key, as for
`library_search` (0002). Existing rows get their parts here, from the folded texts that
`library_search` keeps.
The statements and the cutting are written out here, not imported, so that this migration
never changes."""

from django.db import migrations

TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"
SQLITE = [
    "CREATE VIRTUAL TABLE library_search_words USING fts5(title, meta, body, "
    f"content = '', detail = none, {TOKENIZE})",
    f"CREATE VIRTUAL TABLE library_search_meta USING fts5(title, meta, content = '', {TOKENIZE})",
    "INSERT INTO library_search_words (rowid, title, meta, body) "
    "SELECT rowid, title, meta, body FROM library_search",
    "INSERT INTO library_search_meta (rowid, title, meta) "
    "SELECT rowid, title, meta FROM library_search",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS library_search_words",
               "DROP TABLE IF EXISTS library_search_meta"]
POSTGRESQL = [
    """CREATE TABLE library_search_parts (
        document_id bigint PRIMARY KEY,
        title_parts tsvector[] NOT NULL,
        meta_parts tsvector[] NOT NULL,
        body_parts tsvector[] NOT NULL)""",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS library_search_parts"]


PART_POSITIONS, PART_WORDS, OVERLAP = 255, 16_000, 11


def _parts(text: str) -> list[str]:
    """`search_query.position_parts` as it was written for this migration."""
    words = text.split()
    if len(words) <= PART_POSITIONS:
        return [text] if words else []
    parts, start = [], 0
    while True:
        counts: dict[str, int] = {}
        end, limit = start, min(len(words), start + PART_WORDS)
        while end < limit and counts.get(words[end], 0) < PART_POSITIONS:
            counts[words[end]] = counts.get(words[end], 0) + 1
            end += 1
        parts.append(" ".join(words[start:end]))
        if end == len(words):
            return parts
        start = end - OVERLAP


def _fill_parts(schema_editor) -> None:
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT document_id, title_text, meta_text, body_text FROM "
                           "library_search WHERE document_id > %s ORDER BY document_id "
                           "LIMIT 200", [last])
            rows = cursor.fetchall()
            if not rows:
                return
            for document_id, *texts in rows:
                columns, params = [], []
                for text in texts:
                    parts = _parts(text)
                    columns.append("ARRAY[" + ", ".join(["to_tsvector('simple', %s)"]
                                                        * len(parts)) + "]::tsvector[]")
                    params.extend(parts)
                cursor.execute("INSERT INTO library_search_parts (document_id, title_parts, "
                               f"meta_parts, body_parts) VALUES (%s, {', '.join(columns)})",
                               [document_id, *params])
            last = rows[-1][0]


def _run(schema_editor, sqlite: list[str], postgresql: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"The library's search runs on SQLite or PostgreSQL, not {vendor}.")
    for statement in sqlite if vendor == "sqlite" else postgresql:
        schema_editor.execute(statement)


def create(apps, schema_editor):
    _run(schema_editor, SQLITE, POSTGRESQL)
    if schema_editor.connection.vendor == "postgresql":
        _fill_parts(schema_editor)


def drop(apps, schema_editor):
    _run(schema_editor, SQLITE_DROP, POSTGRESQL_DROP)


class Migration(migrations.Migration):

    dependencies = [("library", "0003_text_claim")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
