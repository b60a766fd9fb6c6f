"""The demo country and its accounts (`envhub demo`)."""

from __future__ import annotations

import io
import random
import stat

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from envhub.accounts.models import AuditEvent, Membership, Role, User
from envhub.core.geo import check_point
from envhub.core.permissions import actor_for_user, system_actor
from envhub.core.reference import load_all
from envhub.demo import accounts as demo_accounts
from envhub.demo import country
from envhub.registry import validators
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

ACTOR = system_actor("tests")


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    """One demo country shared by the tests of a class and rolled back after them: building it
    takes a second or two, too long to repeat for every test."""
    with django_db_blocker.unblock(), transaction.atomic():
        if Province.objects.count() != 34:
            load_all(ACTOR)
        yield country.build_country(ACTOR, seed=country.DEFAULT_SEED)
        transaction.set_rollback(True)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def fast_hashing(settings):
    """Argon2 costs a quarter of a second per password; only the sign-in test needs the real one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fingerprint() -> list[tuple]:
    """What a user would notice if the country changed: names, codes, places, permits."""
    rows = []
    for facility in Facility.objects.select_related("province", "ward", "operator"):
        stations = sorted(Station.objects.filter(facility=facility).values_list("code", "active"))
        sources = sorted(facility.sources.values_list(
            "code", "kind", "stack_height_m", "stack_diameter_m", "design_flow_m3h", "fuel",
            "regulation__code",
        ))
        rows.append((
            facility.name, facility.abbreviation, facility.tax_code, facility.province.code,
            facility.ward.code, facility.latitude, facility.longitude, facility.sector,
            facility.operator.name, facility.permit_number, facility.permit_date, facility.address,
            tuple(sources), tuple(stations),
        ))
    organisations = sorted(Organisation.objects.values_list("name", "kind", "tax_code"))
    ambient = sorted(Station.objects.filter(source__isnull=True).values_list(
        "code", "name", "latitude", "longitude"))
    return [sorted(rows), organisations, ambient]


def built_and_rolled_back(seed: int) -> list[tuple]:
    with transaction.atomic():
        country.build_country(ACTOR, seed=seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result




# --- pure parts ---------------------------------------------------------------------------------

def test_it_draws_points_inside_viet_nam_in_every_province_area():
    rng = random.Random(0)
    for code, lat, lon, radius in country.PROVINCE_AREAS:
        for _ in range(300):
            assert check_point(*country.jitter(rng, lat, lon, radius)) is None, code


def test_it_computes_tax_codes_that_the_registry_accepts():
    made = [country.tax_code("01", serial) for serial in range(9_700_000, 9_700_050)]
    valid = [code for code in made if code is not None]
    assert len(valid) >= 40  # about one serial in eleven has no one-digit check digit
    for code in valid:
        validators.tax_code(code)


# --- from an empty registry -------------------------------------------------------------------

@pytest.mark.django_db
def test_it_gives_the_same_country_for_the_same_seed(reference):
    first = built_and_rolled_back(country.DEFAULT_SEED)
    assert Facility.objects.count() == 0  # rolled back
    again = built_and_rolled_back(country.DEFAULT_SEED)
    other = built_and_rolled_back(7)
    assert len(first[0]) == 60
    assert first == again
    assert first[0] != other[0]


@pytest.mark.django_db
def test_it_says_when_the_demo_already_existed(reference, var_dir, fast_hashing):
    out = io.StringIO()
    call_command("demo", "--no-data", stdout=out)
    first = out.getvalue()
    assert "Demo country created (seed 2026)" in first
    assert "60 facilities in 21 provinces" in first
    assert "demo-admin" in first and str(var_dir / "demo-accounts.txt") in first

    out = io.StringIO()
    call_command("demo", "--seed", "5", "--no-data", stdout=out)
    second = out.getvalue()
    assert "already exists" in second and "nothing was created" in second
    password = demo_accounts.read_accounts_file(var_dir / "demo-accounts.txt")[0].password
    assert password in first and password in second


# --- on one built country -----------------------------------------------------------------------

def _lines(path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
@pytest.mark.usefixtures("built")
class TestTheDemoCountry:
    def test_it_builds_a_country_of_the_promised_size(self, built):
        assert built.created
        facilities = Facility.objects.all()
        assert 55 <= facilities.count() <= 65
        assert facilities.values("province").distinct().count() >= 15
        assert set(facilities.values_list("sector", flat=True)) == set(Sector.values)
        assert 80 <= Source.objects.count() <= 100
        assert Source.objects.filter(kind=SourceKind.STACK).exists()
        assert Source.objects.filter(kind=SourceKind.OUTFALL).exists()
        # One automatic station per source, of the matching kind.
        for source in Source.objects.prefetch_related("stations"):
            kinds = [station.kind for station in source.stations.all()]
            expected = (StationKind.AUTO_EMISSION if source.kind == SourceKind.STACK
                        else StationKind.AUTO_WASTEWATER)
            assert kinds == [expected], source
        assert Station.objects.filter(kind=StationKind.AUTO_AIR).count() == 15
        assert Station.objects.filter(kind=StationKind.AUTO_SURFACE_WATER).count() == 3
        assert Station.objects.filter(active=False).count() == 2
        assert Organisation.objects.filter(kind=OrganisationKind.SURVEY_UNIT).count() >= 3
        departments = Organisation.objects.filter(kind=OrganisationKind.PROVINCIAL_DEPARTMENT)
        assert set(facilities.values_list("province", flat=True)) <= set(
            departments.values_list("province", flat=True))
        # The report says what was made.
        assert built.facilities == facilities.count()
        assert sum(built.sources.values()) == Source.objects.count()
        assert sum(built.stations.values()) == Station.objects.count()

    def test_it_builds_only_valid_records(self):
        for model in (Organisation, Facility, Source, Station):
            for obj in model.objects.all():
                obj.full_clean()  # raises on the first invalid record
        for facility in Facility.objects.select_related("ward", "operator"):
            assert facility.ward.province_id == facility.province_id
            assert check_point(facility.latitude, facility.longitude) is None, facility
            validators.tax_code(facility.tax_code)
            assert facility.tax_code.startswith(facility.operator.tax_code)
            assert facility.abbreviation.isascii() and facility.abbreviation.isalnum()
            assert "GPMT" in facility.permit_number and 2022 <= facility.permit_date.year <= 2026
        for station in Station.objects.all():
            assert check_point(station.latitude, station.longitude) is None, station
            assert station.code.isascii() and station.expected_interval_minutes == 5
            assert station.operator is not None
        for source in Source.objects.all():
            assert check_point(source.latitude, source.longitude) is None, source
            if source.kind == SourceKind.STACK:
                assert 20 <= source.stack_height_m <= 200
                assert 0.8 <= source.stack_diameter_m <= 8
            else:
                assert source.stack_height_m is None and 20 <= source.design_flow_m3h <= 5000
        # Every write went through the audited service.
        audited = AuditEvent.objects.filter(action="create", object_type="registry.station")
        assert audited.count() == Station.objects.count()

    def test_it_applies_the_regulation_of_the_sector_and_permit_date(self):
        for source in Source.objects.select_related("facility", "regulation"):
            facility = source.facility
            if source.kind == SourceKind.OUTFALL:
                new = facility.permit_date >= country.NEW_WASTEWATER_REGULATION_FROM
                expected = "QCVN 40:2025/BTNMT" if new else "QCVN 40:2011/BTNMT"
            elif facility.permit_date >= country.NEW_EMISSION_REGULATION_FROM:
                expected = "QCVN 19:2024/BTNMT"
            else:
                expected = {
                    Sector.THERMAL_POWER: "QCVN 22:2009/BTNMT",
                    Sector.CEMENT: "QCVN 23:2009/BTNMT",
                    Sector.STEEL: "QCVN 51:2017/BTNMT",
                }.get(facility.sector, "QCVN 19:2009/BTNMT")
            assert source.regulation.code == expected, source

    def test_it_does_nothing_when_the_demo_exists(self):
        counts = (Organisation.objects.count(), Facility.objects.count(),
                  Source.objects.count(), Station.objects.count(), AuditEvent.objects.count())
        again = country.build_country(ACTOR, seed=99)
        assert not again.created and again.facilities == 0
        assert counts == (Organisation.objects.count(), Facility.objects.count(),
                          Source.objects.count(), Station.objects.count(),
                          AuditEvent.objects.count())

    def test_it_writes_one_account_per_role_that_can_sign_in(self, var_dir):
        accounts = demo_accounts.ensure_accounts(ACTOR)  # hashed with the real Argon2

        path = var_dir / "demo-accounts.txt"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        header, *rows = _lines(path)
        assert header == ["role", "username", "password", "scope"]
        assert sorted(row[0] for row in rows) == sorted(Role.values)
        assert [tuple(row) for row in rows] == [
            (a.role, a.username, a.password, a.scope) for a in accounts
        ]
        assert len({account.password for account in accounts}) == len(accounts)
        for account in accounts:
            user = authenticate(username=account.username, password=account.password)
            assert user is not None and user.username == account.username
            assert user.password.startswith("argon2")
            assert user.full_name and account.role in actor_for_user(user).roles

    def test_it_scopes_the_officer_and_the_operator_to_ha_noi(self, var_dir, fast_hashing):
        demo_accounts.ensure_accounts(ACTOR)
        hanoi = Province.objects.get(code="01")
        officer = actor_for_user(User.objects.get(username="demo-province"))
        operator = actor_for_user(User.objects.get(username="demo-operator"))
        assert officer.province_ids == frozenset({hanoi.id})
        operated = Facility.objects.filter(id__in=operator.facility_ids)
        assert operated.exists()
        assert set(operated.values_list("province_id", flat=True)) == {hanoi.id}
        membership = Membership.objects.get(user__username="demo-survey")
        assert membership.organisation.kind == OrganisationKind.SURVEY_UNIT

    def test_it_returns_the_same_accounts_when_the_file_is_there(self, var_dir, fast_hashing):
        first = demo_accounts.ensure_accounts(ACTOR)
        users, events = User.objects.count(), AuditEvent.objects.count()
        assert demo_accounts.ensure_accounts(ACTOR) == first
        assert (User.objects.count(), AuditEvent.objects.count()) == (users, events)

    def test_it_resets_the_passwords_when_the_file_is_lost(self, var_dir, fast_hashing):
        first = demo_accounts.ensure_accounts(ACTOR)
        (var_dir / "demo-accounts.txt").unlink()
        second = demo_accounts.ensure_accounts(ACTOR)
        assert stat.S_IMODE((var_dir / "demo-accounts.txt").stat().st_mode) == 0o600
        assert [a.username for a in second] == [a.username for a in first]
        for before, after in zip(first, second, strict=True):
            assert before.password != after.password
            assert authenticate(username=after.username, password=after.password) is not None
        assert authenticate(username="demo-admin", password=first[0].password) is None
        assert Membership.objects.filter(user__username__startswith="demo-").count() == 8
