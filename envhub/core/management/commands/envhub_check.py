"""`envhub check`: say what is misconfigured, in words an operator can act on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from envhub.core import health, proxies


class Command(BaseCommand):
    help = "Check settings, database, migrations and reference data; exit 1 on any error."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print only warnings and errors.")

    def handle(self, *args, quiet=False, **options):
        self.quiet = quiet
        self.errors = 0
        config = settings.CONFIG

        self.ok(f"settings parsed (database: {config.database_vendor}, var: {config.var_dir})")
        self.ok(proxies.describe(config.trusted_proxies))
        for warning in config.warnings:
            self.warn(warning)
        self._check_var_dir(config)
        if self._check_database():
            self._check_migrations()
            for check in health.database_checks():  # each app's tables
                check(self)
        self._check_django()
        if self.errors:
            self.stderr.write(f"envhub check: {self.errors} error(s).")
            raise SystemExit(1)
        if not quiet:
            self.stdout.write("envhub check: no errors.")

    # --- output ---
    def ok(self, message: str) -> None:
        if not self.quiet:
            self.stdout.write(f"OK     {message}")

    def warn(self, message: str) -> None:
        self.stdout.write(f"WARN   {message}")

    def error(self, message: str) -> None:
        self.errors += 1
        self.stderr.write(f"ERROR  {message}")

    # --- checks ---
    def _check_var_dir(self, config) -> None:
        if not os.access(config.var_dir, os.W_OK):
            self.error(f"{config.var_dir} is not writable by this user.")
            return
        key_file = config.var_dir / "secret_key"
        private = [key_file] if config.secret_key_source == str(key_file) else []
        if config.database_vendor == "sqlite":
            # It holds the session keys of everyone signed in.
            database = Path(config.database["NAME"])
            private += [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        for path in private:
            if not path.exists():
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                self.warn(f"{path} is readable by other users (mode {mode:o}); chmod 600 it.")
            else:
                self.ok(f"{path} is readable by its owner only")

    def _check_database(self) -> bool:
        try:
            connection.ensure_connection()
        except DatabaseError as exc:
            self.error(f"cannot connect to the database: {exc}".strip())
            return False
        self.ok(f"database answers ({connection.vendor} {connection.settings_dict['NAME']})")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                self.warn(f"SQLite journal mode is {mode}, expected WAL.")
        return True

    def _check_migrations(self) -> None:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
            self.error(f"{len(pending)} migration(s) not applied ({names}…): run `envhub migrate`.")
        else:
            self.ok("all migrations applied")

    def _check_django(self) -> None:
        tags = None
        messages = checks.run_checks(tags=tags, include_deployment_checks=not settings.DEBUG)
        accepted = set(_ACCEPTED_DEPLOY_WARNINGS)
        if not settings.CONFIG.https:
            accepted |= _SAID_BY_HTTPS_WARNING
        for message in messages:
            if message.id in accepted:
                continue
            line = f"{message.id}: {message.msg}"
            if message.is_serious():
                self.error(line)
            else:
                self.warn(line)
        if not messages:
            self.ok("Django system checks pass")


# TLS is terminated by the reverse proxy in front of envhub; ENVHUB_HTTPS turns on the cookie
# and HSTS settings, and the proxy redirects http to https.
_ACCEPTED_DEPLOY_WARNINGS = {"security.W008"}
# Already reported as one warning ("ENVHUB_HTTPS is off") when envhub is not told it runs on TLS.
_SAID_BY_HTTPS_WARNING = {"security.W004", "security.W012", "security.W016"}
