"""Summaries kept by database triggers: counts the dashboard reads instead of counting rows.

A summary table holds, per key and local day, sums over the rows of a big table (the judged
windows: `compliance.DailyTally`; the daily rollups: `monitoring.StationDay`). Triggers on the
big table keep it — every INSERT, UPDATE or DELETE in the same transaction, whoever writes:
the judging, the rollup worker (both its PostgreSQL and SQLite paths), revalidation, a
cascade from a deleted source, parameter or station, an import. Only additive sums are kept
(counts and totals), so a row's change is a difference applied to its day's summary; a summary
row whose count falls to zero is removed, so the table equals a GROUP BY of the rows.

A daily summary has a monthly one (`monthly`: `StationMonth`, `SourceMonth`) kept the same way
by triggers on the daily table, so that a month of the country is a few thousand rows; a
period reads whole months there and the days at its edges from the daily table
(`period_sums`). Recounting a daily summary first takes its monthly one's triggers off and
then recounts that one too (`dependents`).

SQLite drops a table's triggers when Django rebuilds it for a column change, so after every
`migrate` (`post_migrate`) missing triggers are put back and that summary rebuilt from the
rows (`ensure`); `rebuild` recounts a summary whole (the migrations that create them run it,
so an upgraded database starts right). The bench's generator drops the triggers while it
fills the big tables and then rebuilds (`drop_triggers`, `ensure`). `envhub check` reports
missing triggers (each app's `health.py`)."""

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


_KNOWN: dict[str, Summary] = {}


def register(summary: Summary) -> Summary:
    """Make a summary known to the recount of the summary it sums (`dependents`)."""
    _KNOWN[summary.table] = summary
    return summary


def dependents(summary: Summary) -> list[Summary]:
    """The summaries kept from this one's rows (its monthly summary)."""
    return [other for other in _KNOWN.values() if other.source == summary.table]


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
    """Recount the whole summary from the rows (one INSERT ... SELECT), and then the summaries
    kept from it (their triggers off meanwhile: a row's trigger a million times over would
    give the same sums, slowly). Returns its rows."""
    connection = connections[using]
    columns = ", ".join(f'"{column}"' for column in summary.columns)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        followers = [other for other in dependents(summary) if _tables_exist(other, connection)]
        for other in followers:
            drop_triggers(other, using)
        cursor.execute(f'DELETE FROM "{summary.table}"')
        cursor.execute(f'INSERT INTO "{summary.table}" ({columns}) '
                       + summary.recount[connection.vendor])
        count = cursor.rowcount
        for other in followers:
            install(other, using)
        return count


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


# --- the triggers of a summary ---------------------------------------------------------------

def body(statements: list[str]) -> str:
    """Statements as a trigger's body, each ended by a semicolon."""
    return "".join(f"{statement}; " for statement in statements)


def row_triggers(table: str, source: str, prefix: str, take, add,
                 changed: str) -> tuple[list[str], list[str]]:
    """(PostgreSQL, SQLite) statements of the triggers keeping `table` from each row of
    `source`: `take(row, vendor)` the statements taking an old row's counts away, `add(row,
    vendor)` the one adding a new row's; an update is counted only `WHEN changed` (written for
    PostgreSQL: SQLite says `IS NOT` for `IS DISTINCT FROM`). The triggers are named
    `{prefix}_insert`, `_delete` and `_update`; PostgreSQL's function `{table}_keep`."""
    function = f"{table}_keep"
    postgresql = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN " + body(take("OLD", "postgresql")) + "END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN " + add("NEW", "postgresql") + "; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {source} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {source} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {prefix}_update AFTER UPDATE ON {source} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {function}()",
    ]
    sqlite = [
        f"CREATE TRIGGER {prefix}_insert AFTER INSERT ON {source} "
        "BEGIN " + add("NEW", "sqlite") + "; END",
        f"CREATE TRIGGER {prefix}_delete AFTER DELETE ON {source} "
        "BEGIN " + body(take("OLD", "sqlite")) + "END",
        f"CREATE TRIGGER {prefix}_update AFTER UPDATE ON {source} "
        f"WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN "
        + body(take("OLD", "sqlite")) + add("NEW", "sqlite") + "; END",
    ]
    return postgresql, sqlite


# --- a monthly summary of a daily one ---------------------------------------------------------

_PG_MONTH = "date_trunc('month', {row}.day)::date"
_SQLITE_MONTH = "date({row}.day, 'start of month')"


def monthly(table: str, source: str, key: str, sums: tuple[str, ...]) -> Summary:
    """The summary of the daily summary `source` per `key` and calendar month (`month`: its
    first day): the same sums, kept by triggers on the daily table. The first of `sums` is a
    count: a month whose count falls to zero is removed (its other sums are zero then too)."""
    columns = (key, "month", *sums)
    months = {"postgresql": _PG_MONTH, "sqlite": _SQLITE_MONTH}

    def take(row: str, vendor: str) -> list[str]:
        sets = ", ".join(f"{column} = {column} - {row}.{column}" for column in sums)
        where = f"{key} = {row}.{key} AND month = {months[vendor].format(row=row)}"
        return [f"UPDATE {table} SET {sets} WHERE {where}",
                f"DELETE FROM {table} WHERE {where} AND {sums[0]} <= 0"]

    def add(row: str, vendor: str) -> str:
        values = ", ".join([f"{row}.{key}", months[vendor].format(row=row)]
                           + [f"{row}.{column}" for column in sums])
        sets = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in sums)
        return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "
                f"ON CONFLICT ({key}, month) DO UPDATE SET {sets}")

    changed = " OR ".join([f"OLD.{key} <> NEW.{key}", "OLD.day <> NEW.day"]
                          + [f"OLD.{column} <> NEW.{column}" for column in sums])
    postgresql, sqlite = row_triggers(table, source, table, take, add, changed)

    def recount(month: str) -> str:
        return (f"SELECT d.{key}, {month.format(row='d')}, "
                + ", ".join(f"SUM(d.{column})" for column in sums)
                + f" FROM {source} d GROUP BY d.{key}, {month.format(row='d')}")

    return Summary(table=table, source=source, columns=columns,
                   recount={"postgresql": recount(_PG_MONTH), "sqlite": recount(_SQLITE_MONTH)},
                   sqlite=sqlite, postgresql=postgresql)


def report_missing(report, kept: list[Summary], using: str = "default") -> None:
    """`envhub check`: an error per summary whose triggers are not all there (its figures no
    longer follow the rows), saying which and how to put them back."""
    from django.db import DatabaseError

    connection = connections[using]
    for summary in kept:
        try:
            if not _tables_exist(summary, connection):
                continue  # reported as migrations not applied
            missing = missing_triggers(summary, using)
        except DatabaseError as error:
            report.error(f"{summary.table}: cannot read its triggers ({error})".strip())
            continue
        if missing:
            report.error(
                f"{summary.table}: triggers missing ({', '.join(sorted(missing))}): the summary "
                f"no longer follows {summary.source} and the dashboard's figures would drift "
                "from the data; run `envhub migrate` (puts them back and recounts it).")
        else:
            report.ok(f"{summary.table}: kept by its triggers on {summary.source}")
