"""The library's full-text index: an FTS5 table on SQLite, a table of tsvectors under a GIN
index on PostgreSQL (read and written by `library/search_sqlite.py` and
`library/search_postgres.py`). Filled as documents are added and by `envhub library reindex`.
The statements are written out here, not imported, so that this migration never changes.
Neither table has a foreign key to the documents (FTS5 cannot; on PostgreSQL one would stop
Django's flush, which truncates the models' tables only): a deleted document leaves its entry
through `search.unindex_document` (its post_delete signal), and `envhub library_reindex` drops
any left by raw SQL; search only returns documents that exist."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE library_search USING fts5(title, meta, body, "
    "tokenize = 'unicode61 remove_diacritics 0')",
]
POSTGRESQL = [
    """CREATE TABLE library_search (
        document_id bigint PRIMARY KEY,
        title_text text NOT NULL DEFAULT '',
        meta_text text NOT NULL DEFAULT '',
        body_text text NOT NULL DEFAULT '',
        title_vec tsvector NOT NULL,
        meta_vec tsvector NOT NULL,
        all_vec tsvector NOT NULL)""",
    "CREATE INDEX library_search_all_gin ON library_search USING gin (all_vec)",
]


def _vendor(schema_editor) -> str:
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"The library's search runs on SQLite or PostgreSQL, not {vendor}.")
    return vendor


def create(apps, schema_editor):
    for statement in SQLITE if _vendor(schema_editor) == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    _vendor(schema_editor)
    schema_editor.execute("DROP TABLE IF EXISTS library_search")


class Migration(migrations.Migration):

    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
