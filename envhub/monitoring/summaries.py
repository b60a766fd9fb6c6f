"""Summaries kept by database triggers: counts the dashboard reads instead of counting rows.

A summary table holds, per key and local day, sums over the rows of a big table (the judged
windows: `compliance.DailyTally`; the daily rollups: `monitoring.StationDay`). Triggers on the
big table keep it — every INSERT, UPDATE or DELETE in the same transaction, whoever writes:
the judging, the rollup worker (both its PostgreSQL and SQLite paths), revalidation, a
cascade from a deleted source, parameter or station, an import. Only additive sums are kept
(counts and totals), so a row's change is a difference applied to its day's summary; a summary
row whose count falls to zero is removed, so the table equals a GROUP BY of the rows.

SQLite drops a table's triggers when Django rebuilds it for a column change, so after every
`migrate` (`post_migrate`) missing triggers are put back and that summary rebuilt from the
rows (`ensure`); `rebuild` recounts a summary whole (the migrations that create them run it,
so an upgraded database starts right). The bench's generator drops the triggers while it
fills the big tables and then rebuilds (`drop_triggers`, `ensure`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connections, transaction

_TRIGGER_NAME = re.compile(r"CREATE TRIGGER (\w+)")


@dataclass(frozen=True)
class Summary:
    """A summary `table` of the big table `source`: its triggers' SQL per vendor (PostgreSQL
    starts with the trigger function) and the SELECT that recounts it from the rows."""

    table: str
    source: str
    columns: tuple[str, ...]
    recount: dict[str, str]  # vendor -> SELECT giving `columns`, grouped
    sqlite: list[str] = field(default_factory=list)
    postgresql: list[str] = field(default_factory=list)

    def statements(self, vendor: str) -> list[str]:
        return {"sqlite": self.sqlite, "postgresql": self.postgresql}.get(vendor, [])

    def triggers(self, vendor: str) -> set[str]:
        return {match.group(1) for statement in self.statements(vendor)
                for match in [_TRIGGER_NAME.search(statement)] if match}


def present_triggers(summary: Summary, using: str = "default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = %s", [summary.source])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                           "AND tgrelid = to_regclass(%s)", [summary.source])
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


def missing_triggers(summary: Summary, using: str = "default") -> set[str]:
    connection = connections[using]
    return summary.triggers(connection.vendor) - present_triggers(summary, using)


def _tables_exist(summary: Summary, connection) -> bool:
    with connection.cursor() as cursor:
        names = set(connection.introspection.table_names(cursor))
    return {summary.table, summary.source} <= names


def rebuild(summary: Summary, using: str = "default") -> int:
    """Recount the whole summary from the rows (one INSERT ... SELECT). Returns its rows."""
    connection = connections[using]
    columns = ", ".join(f'"{column}"' for column in summary.columns)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{summary.table}"')
        cursor.execute(f'INSERT INTO "{summary.table}" ({columns}) '
                       + summary.recount[connection.vendor])
        return cursor.rowcount


def install(summary: Summary, using: str = "default") -> None:
    """Create (or replace) the triggers and recount: what the migrations run."""
    connection = connections[using]
    drop_triggers(summary, using)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in summary.statements(connection.vendor):
            cursor.execute(statement)
        rebuild(summary, using)


def drop_triggers(summary: Summary, using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        for name in summary.triggers(connection.vendor):
            if connection.vendor == "postgresql":
                cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{summary.source}"')
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure(summary: Summary, using: str = "default") -> bool:
    """Put back missing triggers and then recount the summary (rows may have changed while
    they were missing). Returns whether anything was done. Idempotent."""
    connection = connections[using]
    if not _tables_exist(summary, connection) or not missing_triggers(summary, using):
        return False
    install(summary, using)
    return True
