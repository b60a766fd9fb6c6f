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


@pytest.mark.django_db(transaction=True)
def test_it_migrates_a_database_that_has_the_former_task_librarys_table():
    """Databases created while envhub shipped django-tasks have its table and migration rows:
    `migrate` drops both and leaves nothing pending."""
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.recorder import MigrationRecorder

    call_command("migrate", "core", "0002", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE django_tasks_database_dbtaskresult "
                       "(id varchar(32) PRIMARY KEY, status varchar(10) NOT NULL)")
        cursor.execute("CREATE INDEX django_task_status_idx "
                       "ON django_tasks_database_dbtaskresult (status)")
        cursor.execute("INSERT INTO django_tasks_database_dbtaskresult VALUES ('a', 'SUCCESSFUL')")
    recorder = MigrationRecorder(connection)
    for name in ("0001_initial", "0021_conditional_partial_index_ordering"):
        recorder.record_applied("django_tasks_db", name)

    call_command("migrate", verbosity=0, interactive=False)
    assert "django_tasks_database_dbtaskresult" not in connection.introspection.table_names()
    assert not recorder.migration_qs.filter(app="django_tasks_db").exists()
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def _migration(name: str):
    import importlib

    return importlib.import_module(f"envhub.registry.migrations.{name}")


@pytest.mark.django_db
def test_it_cuts_the_ward_and_province_off_old_facility_addresses(world):
    from django.apps import apps

    from envhub.registry.models import Facility

    facility = world.facility_hn
    old = f"Số 1, đường Demo, {facility.ward.name}, {facility.province.name}"
    Facility.objects.filter(pk=facility.pk).update(address=old, search_text="stale")
    untouched = world.facility_dn  # already the street part only
    _migration("0006_facility_address_street_only").street_only(apps, None)
    facility.refresh_from_db()
    assert facility.address == "Số 1, đường Demo"
    assert facility.search_text.startswith("nha may nhiet dien song hong ndsh 0100109106 so 1, ")
    assert Facility.objects.get(pk=untouched.pk).address == "Số 1, đường Demo"
    # A facility in another ward keeps an address that merely names some other place.
    other = f"Số 2, {facility.ward.name}, {world.dongnai.name}"
    Facility.objects.filter(pk=world.facility_hn2.pk).update(address=other)
    _migration("0006_facility_address_street_only").street_only(apps, None)
    assert Facility.objects.get(pk=world.facility_hn2.pk).address == other


@pytest.mark.django_db
def test_it_adds_the_aliases_to_existing_parameters_search_text(reference):
    from django.apps import apps

    from envhub.registry.models import Parameter

    Parameter.objects.filter(code="PM2_5").update(search_text="pm2_5 bui pm2,5")
    _migration("0007_parameter_search_aliases").with_aliases(apps, None)
    assert " pm25" in Parameter.objects.get(medium="air", code="PM2_5").search_text
