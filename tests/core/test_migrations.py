"""Migrations: none missing, and they apply and reverse on the database under test (CI runs this
file on SQLite and on PostgreSQL)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exit_})")


@pytest.mark.django_db(transaction=True)
def test_it_migrates_our_apps_down_to_zero_and_back_up():
    apps = ["compliance", "accounts", "registry", "core"]
    try:
        for app in apps:
            call_command("migrate", app, "zero", verbosity=0, interactive=False)
        tables = set(connection.introspection.table_names())
        assert "registry_facility" not in tables
        assert "accounts_auditevent" not in tables
    finally:
        call_command("migrate", verbosity=0, interactive=False)
    tables = set(connection.introspection.table_names())
    assert {"registry_facility", "registry_station", "accounts_auditevent"} <= tables
