"""Reference data loading never reverts stewards' edits: nothing happens while the data files
are unchanged, an upgrade creates only what is missing, and `--update` overwrites on purpose,
audited object by object."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from envhub.accounts.models import AuditEvent
from envhub.core.models import ReferenceVersion
from envhub.core.permissions import system_actor
from envhub.core.reference import VERSION_NAME, checksum, load_all
from envhub.registry import services
from envhub.registry.models import Parameter, ParameterAlias, Province, Ward

pytestmark = pytest.mark.django_db


def _reference(*args) -> str:
    out = io.StringIO()
    call_command("reference", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def edited(world):
    """A steward's edits: a parameter's name, unit and range, a deleted alias, an abbreviation."""
    steward = world.actor("steward")
    so2 = Parameter.objects.get(medium="emission", code="SO2")
    so2.name_en, so2.unit, so2.maximum = "Sulphur dioxide", "mg/m3", 5000.0
    services.save(steward, so2)
    services.delete(steward, ParameterAlias.objects.get(medium="air", alias_key="pm25"))
    hanoi = Province.objects.get(code="01")
    hanoi.abbreviation = "HNI"
    services.save(steward, hanoi)
    return so2


def _so2() -> Parameter:
    return Parameter.objects.get(medium="emission", code="SO2")


def test_it_does_nothing_while_the_files_are_unchanged(edited):
    assert ReferenceVersion.objects.get(name=VERSION_NAME).checksum == checksum()
    assert _reference() == "Reference data up to date.\n"
    assert load_all(system_actor()).up_to_date
    assert (_so2().name_en, _so2().unit, _so2().maximum) == ("Sulphur dioxide", "mg/m3", 5000.0)
    assert not ParameterAlias.objects.filter(medium="air", alias_key="pm25").exists()


def test_an_upgrade_creates_only_what_is_missing(edited):
    ReferenceVersion.objects.filter(name=VERSION_NAME).update(checksum="from an older release")
    # Rows missing for some other reason than a steward's decision (no audited delete).
    Ward.objects.filter(code=Ward.objects.filter(facilities=None).order_by("-code")
                        .values("code")[:1]).delete()
    ParameterAlias.objects.filter(medium="emission", alias_key="nox").delete()

    report = load_all(system_actor("envhub reference"))
    assert report.created == {"ward": 1, "parameter alias": 1}
    assert report.updated == {}
    assert Ward.objects.count() == 3321
    assert ParameterAlias.objects.filter(medium="emission", alias_key="nox").exists()
    # The steward's work stands.
    assert (_so2().name_en, _so2().unit, _so2().maximum) == ("Sulphur dioxide", "mg/m3", 5000.0)
    assert not ParameterAlias.objects.filter(medium="air", alias_key="pm25").exists()
    assert Province.objects.get(code="01").abbreviation == "HNI"
    assert ReferenceVersion.objects.get(name=VERSION_NAME).checksum == checksum()
    assert _reference() == "Reference data up to date.\n"


def test_update_overwrites_from_the_files_with_an_event_per_change(edited):
    output = _reference("--update")
    assert "updated 1 parameter" in output
    so2 = _so2()
    assert (so2.name_en, so2.unit, so2.maximum) == ("Sulphur dioxide (SO2)", "mg/Nm3", None)
    event = AuditEvent.objects.filter(action="update", object_type="registry.parameter",
                                      object_id=str(so2.pk)).latest("id")
    assert event.actor == "envhub reference"
    assert event.changes["unit"] == ["mg/m3", "mg/Nm3"]
    assert ParameterAlias.objects.filter(medium="air", alias_key="pm25").exists()
    assert AuditEvent.objects.filter(action="create", object_type="registry.parameteralias",
                                     actor="envhub reference").count() == 1
    # The province's file-name abbreviation is the steward's, even now.
    assert Province.objects.get(code="01").abbreviation == "HNI"


def test_each_app_loads_its_own_tables_after_those_it_builds_on():
    from envhub.core.reference import data_files, parts

    assert [(part.app, part.load.__module__) for part in parts()] == [
        ("registry", "envhub.registry.reference"),
        ("compliance", "envhub.compliance.reference"),
        ("airquality", "envhub.airquality.reference"),
        ("surveys", "envhub.surveys.reference"),
    ]
    assert [path.name for path in data_files()][1:] == [
        "province_abbreviations.json", "parameters.json", "regulations.json",
        "sanctions.json", "ambient_limits.json", "periodic_results.json", "emission_inventory.json",
        "generic_example.json"]
