"""The audit log's append-only triggers, kept in place.

The migration `0002_audit_append_only` creates them; but SQLite has no ALTER for most column
changes, and Django rebuilds a table (new table, copy, drop, rename) for them, which drops its
triggers without a word. So after every `migrate` (`post_migrate`) they are put back where
missing, and `envhub check` reports an installation that lacks them. The SQL is the migration's.
"""

from __future__ import annotations

import importlib
import re

from django.db import connections

_SQL = importlib.import_module("envhub.accounts.migrations.0002_audit_append_only")
TABLE = "accounts_auditevent"
_TRIGGER_NAME = re.compile(r"CREATE TRIGGER (\w+)")


def _triggers(statements: list[str]) -> dict[str, str]:
    """{trigger name: its CREATE statement} from the migration's statements."""
    found = {}
    for statement in statements:
        match = _TRIGGER_NAME.search(statement)
        if match:
            found[match.group(1)] = statement
    return found


SQLITE_TRIGGERS = _triggers(_SQL.SQLITE_UP)
POSTGRES_TRIGGERS = _triggers(_SQL.POSTGRES_UP)
# The trigger function, created (or replaced by the same text) before any trigger that uses it.
POSTGRES_FUNCTION = next(s for s in _SQL.POSTGRES_UP if "CREATE OR REPLACE FUNCTION" in s)


def _table_exists(connection) -> bool:
    with connection.cursor() as cursor:
        return TABLE in connection.introspection.table_names(cursor)


def expected_triggers(connection) -> set[str]:
    return set({"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRES_TRIGGERS}.get(
        connection.vendor, {}))


def present_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [TABLE])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                           "AND tgrelid = to_regclass(%s)", [TABLE])
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def missing_audit_triggers(using: str = "default") -> set[str]:
    """The append-only triggers the audit table should have and has not (none if the table
    does not exist yet: that is an unmigrated database, reported as such)."""
    connection = connections[using]
    if not _table_exists(connection):
        return set()
    return expected_triggers(connection) - present_triggers(connection)


def ensure_audit_triggers(using: str = "default") -> list[str]:
    """Create whichever append-only triggers are missing; return their names. Idempotent."""
    connection = connections[using]
    missing = missing_audit_triggers(using)
    if not missing:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in sorted(missing):
                cursor.execute(SQLITE_TRIGGERS[name].replace(
                    "CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1))
        elif connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for name in sorted(missing):
                cursor.execute(POSTGRES_TRIGGERS[name])
    return sorted(missing)


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """`post_migrate` receiver: after any migration, the triggers are there."""
    ensure_audit_triggers(using)
