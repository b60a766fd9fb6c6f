"""Shared fixtures: reference data, a small two-province world and the six personas.

The world: Hà Nội (01) and Đồng Nai (75), each with a provincial department, facilities run by
different enterprises, their stacks and outfalls with automatic stations, and an ambient air
station. The personas: admin, steward, leader, a Hà Nội provincial officer, the operator of one
Hà Nội facility, a survey unit, and the anonymous visitor.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from envhub.accounts.models import Membership, Role, User
from envhub.core.permissions import actor_for_user, system_actor
from envhub.core.reference import load_all
from envhub.registry import services as registry
from envhub.registry.models import (
    Facility,
    Organisation,
    OrganisationKind,
    Province,
    Sector,
    Source,
    SourceKind,
    Station,
    StationKind,
)

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")

# Valid 10-digit tax codes (check digit computed by stdnum.vn.mst).
TAX_CODES = ["0100109106", "0100112437", "0100233488", "3600224423", "3600259560"]


# A module that builds something for several tests (a fixture of scope class, module or package,
# or a module-wide cache marked `xdist_group`) runs whole on one worker, so that it is built once.
_SHARED = re.compile(r"""scope\s*=\s*["'](?:class|module|package)["']|xdist_group""")


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's own `--dist loadgroup` no longer groups anything under pytest 9.2 (its
    worker edits a node id pytest now ignores: pytest-dev/pytest-xdist#1386); this scheduler
    hands out one test at a time, except the modules `_SHARED` finds, which go out whole."""
    if config.getoption("dist") not in ("load", "loadgroup"):
        return None
    from xdist.scheduler import LoadScopeScheduling

    root = Path(str(config.rootpath))

    @functools.cache
    def shares_fixtures(module: str) -> bool:
        path = root / module
        texts = [path] + [folder / "conftest.py" for folder in path.parents
                          if folder != root and root in folder.parents]
        return any(_SHARED.search(text.read_text(encoding="utf-8"))
                   for text in texts if text.is_file())

    class ModulesThatShare(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if shares_fixtures(module) else nodeid

    return ModulesThatShare(config, log)


_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def _uses_the_database(item) -> bool:
    return bool(item.get_closest_marker("django_db")
                or _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool((_DATABASE_FIXTURES - {"db"}) & set(getattr(item, "fixturenames", ()))
                or (marker is not None and marker.kwargs.get("transaction")))


def _asks_the_database_something_new(item) -> bool:
    """A browser test checks what Chromium does with the pages (layout, scripts, print); the
    queries behind those pages run on PostgreSQL in the page and API tests."""
    return _uses_the_database(item) and not item.get_closest_marker("browser")


@pytest.hookimpl(trylast=True)  # after pytest-randomly's shuffle
def pytest_collection_modifyitems(config, items):
    """On PostgreSQL (CI's second run, after SQLite's), only the tests that ask the database
    something: the others — parsers, formulas, formats, commands that make their own SQLite
    installation, and the browser's view of pages whose queries the page tests run — gave their
    answer in the first run, and the same code answers the same on the second.
    `ENVHUB_TEST_EVERYTHING=1` runs them all.

    On xdist's workers, the tests that take long (`slow`: real processes; `browser`) go out
    first, so the run does not end with one worker busy on them and the other idle. Every worker
    sorts the same shuffled list the same way, as xdist requires."""
    if (os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
            and not os.environ.get("ENVHUB_TEST_EVERYTHING")):
        kept = [item for item in items if _asks_the_database_something_new(item)]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    items.sort(key=lambda item: not (item.get_closest_marker("slow")
                                     or item.get_closest_marker("browser")))


@pytest.fixture(autouse=True)
def _fresh_ingestion_directory():
    """The ingestion service caches stations and series by id, and the observation partitions
    it has seen (a test's rolled-back transaction takes its partitions with it); each test has
    its own."""
    from envhub.monitoring import ingest, partitions

    ingest.directory.forget()
    partitions.forget()
    yield
    ingest.directory.forget()
    partitions.forget()


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Every test starts in the site's language: a request in English (LocaleMiddleware) leaves
    English active in the thread, and code outside a request would speak it in the next test."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    # Argon2 is the real hasher; tests that sign in with a password still use it (see
    # test_passwords), the rest use force_login and need no hashing.
    return settings


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the reference data once into the test database; each test's transaction is rolled
    back, so it stays there (a transactional test's flush empties it: see
    `pytest_runtest_teardown`)."""
    with django_db_blocker.unblock():
        _load_reference_if_missing()


def _load_reference_if_missing() -> None:
    if Province.objects.count() != 34:
        load_all(system_actor("tests"))


_AUDIT_TRIGGERS = importlib.import_module("envhub.accounts.migrations.0002_audit_append_only")


def _audit_triggers(installed: bool) -> None:
    """Drop the audit log's append-only triggers, and put them back when `installed` (the
    migration's own SQL, so the tests use exactly what production has)."""
    vendor = connection.vendor
    down = {"sqlite": _AUDIT_TRIGGERS.SQLITE_DOWN, "postgresql": _AUDIT_TRIGGERS.POSTGRES_DOWN}
    up = {"sqlite": _AUDIT_TRIGGERS.SQLITE_UP, "postgresql": _AUDIT_TRIGGERS.POSTGRES_UP}
    with connection.cursor() as cursor:
        for statement in down.get(vendor, []) + (up.get(vendor, []) if installed else []):
            cursor.execute(statement)


@pytest.fixture(autouse=True)
def _transactional_tests_may_flush_the_audit_log(request):
    """A transactional test (live server, `transaction=True`) ends by emptying every table, which
    the audit log's triggers refuse. For those tests only, the triggers are put back at the start
    and lifted just before the flush: this fixture asks for `transactional_db` itself, so it is
    torn down before it."""
    if not _is_transactional(request.node):
        yield
        return
    request.getfixturevalue("transactional_db")
    _audit_triggers(installed=True)
    yield
    _audit_triggers(installed=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, reference data included. Put the
    reference data back, committed, once the flush is done: left to the `reference` fixture, it
    was loaded again inside each later test's rolled-back transaction — 0.7 s of every test's
    setup on a worker after its first live-server test."""
    result = yield
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _load_reference_if_missing()
    return result


@pytest.fixture
def reference(db):
    """Provinces, wards, parameters and regulations (loaded here if a transactional test that
    was the last of its worker emptied them, or a test of its own deleted them)."""
    _load_reference_if_missing()
    return {p.code: p for p in Province.objects.all()}


@dataclass
class World:
    hanoi: Province
    dongnai: Province
    ministry: Organisation
    dept_hanoi: Organisation
    dept_dongnai: Organisation
    survey_unit: Organisation
    enterprise_hn: Organisation
    enterprise_hn2: Organisation
    enterprise_dn: Organisation
    facility_hn: Facility
    facility_hn2: Facility
    facility_dn: Facility
    stack_hn: Source
    outfall_hn: Source
    stack_hn2: Source
    stack_dn: Source
    station_stack_hn: Station
    station_outfall_hn: Station
    station_stack_hn2: Station
    station_stack_dn: Station
    air_hn: Station
    air_dn: Station
    users: dict[str, User] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client

    def actor(self, persona: str):
        return actor_for_user(self.users.get(persona))

    def stations_of(self, province: Province) -> set[str]:
        return set(Station.objects.filter(province=province).values_list("code", flat=True))


def _save(obj):
    return registry.save(system_actor("tests"), obj)


def build_world(provinces: dict[str, Province]) -> World:
    hanoi, dongnai = provinces["01"], provinces["75"]
    ward_hn = hanoi.wards.order_by("code").first()
    ward_dn = dongnai.wards.order_by("code").first()
    ministry = _save(Organisation(name="Cục Môi trường", kind=OrganisationKind.MINISTRY_UNIT))
    dept_hanoi = _save(Organisation(name="Sở Nông nghiệp và Môi trường Hà Nội",
                                    kind=OrganisationKind.PROVINCIAL_DEPARTMENT, province=hanoi,
                                    parent=None))
    dept_dongnai = _save(Organisation(name="Sở Nông nghiệp và Môi trường Đồng Nai",
                                      kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
                                      province=dongnai))
    survey_unit = _save(Organisation(name="Viện Quan trắc Thử nghiệm",
                                     kind=OrganisationKind.SURVEY_UNIT))
    enterprise_hn = _save(Organisation(name="Công ty CP Nhiệt điện Sông Hồng",
                                       kind=OrganisationKind.ENTERPRISE, province=hanoi,
                                       tax_code=TAX_CODES[0]))
    enterprise_hn2 = _save(Organisation(name="Công ty TNHH Dệt may Long Biên",
                                        kind=OrganisationKind.ENTERPRISE, province=hanoi,
                                        tax_code=TAX_CODES[1]))
    enterprise_dn = _save(Organisation(name="Công ty CP Xi măng Biên Hòa",
                                       kind=OrganisationKind.ENTERPRISE, province=dongnai,
                                       tax_code=TAX_CODES[3]))

    def facility(name, abbreviation, tax_code, province, ward, operator, sector, lat, lon):
        return _save(Facility(
            name=name, abbreviation=abbreviation, tax_code=tax_code, address="Số 1, đường Demo",
            province=province, ward=ward, latitude=lat, longitude=lon, sector=sector,
            operator=operator, permit_number="12/GPMT-UBND", permit_date=datetime.date(2024, 5, 2),
        ))

    facility_hn = facility("Nhà máy Nhiệt điện Sông Hồng", "NDSH", TAX_CODES[0], hanoi, ward_hn,
                           enterprise_hn, Sector.THERMAL_POWER, 21.05, 105.85)
    facility_hn2 = facility("Nhà máy Dệt Long Biên", "DLB", TAX_CODES[1], hanoi, ward_hn,
                            enterprise_hn2, Sector.TEXTILES, 21.04, 105.89)
    facility_dn = facility("Nhà máy Xi măng Biên Hòa", "XMBH", TAX_CODES[3], dongnai, ward_dn,
                           enterprise_dn, Sector.CEMENT, 10.95, 106.82)

    def source(facility_, code, kind, name):
        extra = {"stack_height_m": 80, "stack_diameter_m": 3.5} if kind == SourceKind.STACK else {}
        return _save(Source(facility=facility_, code=code, kind=kind, name=name,
                            design_flow_m3h=50000, **extra))

    stack_hn = source(facility_hn, "OK1", SourceKind.STACK, "Ống khói lò hơi số 1")
    outfall_hn = source(facility_hn, "XT1", SourceKind.OUTFALL, "Cửa xả nước thải số 1")
    stack_hn2 = source(facility_hn2, "OK1", SourceKind.STACK, "Ống khói lò hơi")
    stack_dn = source(facility_dn, "OK1", SourceKind.STACK, "Ống khói lò nung")

    def station(code, kind, src=None, province=None, lat=None, lon=None, operator=None):
        return _save(Station(code=code, name=f"Trạm {code}", kind=kind, source=src,
                             province=province, latitude=lat, longitude=lon, operator=operator))

    world = World(
        hanoi=hanoi, dongnai=dongnai, ministry=ministry, dept_hanoi=dept_hanoi,
        dept_dongnai=dept_dongnai, survey_unit=survey_unit, enterprise_hn=enterprise_hn,
        enterprise_hn2=enterprise_hn2, enterprise_dn=enterprise_dn, facility_hn=facility_hn,
        facility_hn2=facility_hn2, facility_dn=facility_dn, stack_hn=stack_hn,
        outfall_hn=outfall_hn, stack_hn2=stack_hn2, stack_dn=stack_dn,
        station_stack_hn=station("HNKT1", StationKind.AUTO_EMISSION, stack_hn),
        station_outfall_hn=station("HNNT1", StationKind.AUTO_WASTEWATER, outfall_hn),
        station_stack_hn2=station("HNKT2", StationKind.AUTO_EMISSION, stack_hn2),
        station_stack_dn=station("DNKT1", StationKind.AUTO_EMISSION, stack_dn),
        air_hn=station("HNKK1", StationKind.AUTO_AIR, province=hanoi, lat=21.02, lon=105.83,
                       operator=dept_hanoi),
        air_dn=station("DNKK1", StationKind.AUTO_AIR, province=dongnai, lat=10.96, lon=106.84,
                       operator=dept_dongnai),
    )

    def user(username, organisation, role, **scope):
        account = User.objects.create(username=username, full_name=username.title())
        account.set_unusable_password()
        account.save()
        membership = Membership.objects.create(user=account, organisation=organisation, role=role)
        if scope.get("provinces"):
            membership.provinces.set(scope["provinces"])
        if scope.get("facilities"):
            membership.facilities.set(scope["facilities"])
        return account

    world.users = {
        "admin": user("admin", ministry, Role.ADMIN),
        "steward": user("steward", ministry, Role.STEWARD),
        "leader": user("leader", ministry, Role.LEADER),
        "officer": user("officer", dept_hanoi, Role.PROVINCIAL_OFFICER),
        "operator": user("operator", enterprise_hn, Role.FACILITY_OPERATOR),
        "survey": user("survey", survey_unit, Role.SURVEY_UNIT),
        "librarian": user("librarian", ministry, Role.LIBRARIAN),
        "editor": user("editor", ministry, Role.EDITOR),
        "editor2": user("editor2", ministry, Role.EDITOR),
    }
    return world


@pytest.fixture
def world(reference) -> World:
    """The two-province world, in the test's own transaction: built once per worker, then
    copied (tests/world_copy.py)."""
    from tests import world_copy

    return world_copy.world(reference, build_world)


@pytest.fixture
def library_folder(settings, tmp_path):
    """The `library` storage as a fresh folder of the test's own: no test writes into
    var/library, and a test can see exactly what was stored."""
    from django.core.files.storage import storages

    settings.STORAGES = {**settings.STORAGES, "library": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "library")}}}
    storages._storages.pop("library", None)
    yield tmp_path / "library"
    storages._storages.pop("library", None)


@pytest.fixture
def browser():
    """A real Chromium (Debian's), driven by Playwright.

    Do the database work in fixtures before the browser starts: Playwright's sync API runs an
    event loop in the test's thread, and Django refuses ORM calls while one is running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def installed_var_dir(tmp_path_factory):
    """A separate installation (SQLite in its own var/ folder) set up by `envhub setup`, for
    tests that start real processes. The test database is not shared with those processes."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    var_dir = tmp_path_factory.mktemp("installation")
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment["ENVHUB_VAR_DIR"] = str(var_dir)
    subprocess.run(
        [sys.executable, "-m", "envhub.cli", "setup", "--no-demo", "-v", "0"],
        cwd=Path(__file__).resolve().parent.parent, env=environment, check=True,
        capture_output=True, timeout=600,
    )
    return var_dir
