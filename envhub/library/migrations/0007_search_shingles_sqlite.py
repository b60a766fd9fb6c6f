"""Phrases found fast on SQLite (see `library/search_sqlite.py`): `library_search_shingles`, an
FTS5 index (contentless, detail=none) of each document's pairs and triples of consecutive words
as tokens (`quan_trac`, `quan_trac_moi`; `_` is kept inside a token), one row per document, its
rowid the document's id. A phrase's candidates are the documents holding its pair or triples;
the phrase is then checked in their folded fields, where before FTS5 read every position of
every word of the phrase (megabytes for a common word over a large library).

Existing rows get their shingles here, from the folded fields `library_search` keeps, in the
form `search_query.shingles_text` gives: a contentless index forgets a row only when told
exactly what it was given, so that function must give what this migration wrote (a change to it
needs a migration that fills the index again). PostgreSQL has its own shingles (0006).
The statements are written out here, not imported, so that this migration never changes."""

from django.db import migrations

CREATE = ("CREATE VIRTUAL TABLE library_search_shingles USING fts5(shingles, content = '', "
          "detail = none, tokenize = 'unicode61 remove_diacritics 0 tokenchars ''_''')")
DROP = "DROP TABLE IF EXISTS library_search_shingles"
BATCH = 200


def _shingles_text(*fields: str) -> str:
    """`search_query.shingles_text` as it was written for this migration."""
    found: dict[str, None] = {}
    for text in fields:
        words = text.split()
        for length in (2, 3):
            found.update(dict.fromkeys("_".join(words[at:at + length])
                                       for at in range(len(words) - length + 1)))
    return " ".join(found)


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
        last = 0
        while True:
            cursor.execute("SELECT rowid, title, meta, body FROM library_search WHERE rowid > %s "
                           "ORDER BY rowid LIMIT %s", [last, BATCH])
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                "INSERT INTO library_search_shingles (rowid, shingles) VALUES (%s, %s)",
                [(rowid, _shingles_text(title, meta, body)) for rowid, title, meta, body in rows])
            last = rows[-1][0]
        cursor.execute("INSERT INTO library_search_shingles (library_search_shingles) "
                       "VALUES ('optimize')")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [("library", "0006_search_phrase_shingles")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
