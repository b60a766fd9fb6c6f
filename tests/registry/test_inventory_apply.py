"""Loading the inventory: exactly the diff the steward saw, through the registry's services
(validated, audited), the annual figures marked with their survey version; all or nothing."""

from __future__ import annotations

import pytest
from django.db import transaction

from envhub.accounts.models import AuditEvent
from envhub.registry import services
from envhub.registry.inventory import (
    InventoryChanged,
    InventoryError,
    apply_inventory,
    plan_inventory,
)
from envhub.registry.models import AnnualInventory, Facility, Organisation, Source
from tests.registry.inventory_rows import lines, row

pytestmark = pytest.mark.django_db

NEW_TAX = "0100233488"


def registry_state() -> tuple:
    return (Facility.objects.count(), Source.objects.count(), AnnualInventory.objects.count(),
            Organisation.objects.count(), AuditEvent.objects.count())


def test_it_applies_exactly_the_diff_and_audits_each_write(world):
    steward = world.actor("steward")
    rows = lines(
        row(world, stack_height=85.5),
        row(world, tax_code=NEW_TAX, facility_name="Nhà máy Giấy Bãi Bằng", sector="pulp_paper",
            stack_code="K1", latitude=21.2, longitude=105.3, fuel_use=5000.0, flow=None),
        row(world, tax_code=world.facility_hn2.tax_code, facility_name=world.facility_hn2.name,
            sector="textiles", latitude=21.04, longitude=105.89, stack_height=None,
            stack_diameter=None, fuel=None),
    )
    diff = plan_inventory(rows)
    events = AuditEvent.objects.count()
    with transaction.atomic():
        summary = apply_inventory(steward, rows, survey_version=41, expected=diff.fingerprint)
    assert summary["facilities"] == {"created": 1, "updated": 0, "unchanged": 2}
    assert summary["stacks"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert summary["annual"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert summary["enterprises_created"] == 1 and summary["survey_version"] == 41

    world.stack_hn.refresh_from_db()
    assert (world.stack_hn.stack_height_m, world.stack_hn.fuel) == (85.5, "Than cám")
    assert world.stack_hn.name == "Ống khói lò hơi số 1"  # not in the survey: kept
    new = Facility.objects.get(tax_code=NEW_TAX)
    assert (new.name, new.province.code, new.sector, new.abbreviation, new.address) == (
        "Nhà máy Giấy Bãi Bằng", "01", "pulp_paper", "NMGBB", "")
    assert new.operator.tax_code == NEW_TAX and new.operator.kind == "enterprise"
    stack = new.sources.get()
    assert (stack.code, stack.kind, stack.name, stack.stack_height_m) == (
        "K1", "stack", "Ống khói K1", 80.0)
    record = AnnualInventory.objects.get(source=stack, year=2026)
    assert (record.fuel_use_t, record.flow_m3h, record.survey_version) == (5000.0, None, 41)
    # One audit event per write: the enterprise, the facility, a stack changed and one made,
    # three annual records; nothing for what did not change.
    written = AuditEvent.objects.order_by("id")[events:]
    assert [(event.action, event.object_type) for event in written] == [
        ("create", "registry.organisation"), ("create", "registry.facility"),
        ("update", "registry.source"), ("create", "registry.source"),
        ("create", "registry.annualinventory"), ("create", "registry.annualinventory"),
        ("create", "registry.annualinventory")]
    assert all(event.user == world.users["steward"] for event in written)
    assert written[2].changes["stack_height_m"] == [80.0, 85.5]
    assert written[4].changes["survey_version"] == [None, 41]
    assert plan_inventory(rows).as_dict()["counts"]["annual"] == {
        "new": 0, "changed": 0, "unchanged": 3}


def test_a_later_version_updates_the_figures_and_their_provenance(world):
    steward = world.actor("steward")
    apply_inventory(steward, lines(row(world)), survey_version=1, expected=None)
    apply_inventory(steward, lines(row(world, production=650.0)), survey_version=2,
                    expected=None)
    record = AnnualInventory.objects.get(source=world.stack_hn, year=2026)
    assert (record.production, record.survey_version, record.fuel_use_t) == (650.0, 2, 120000.0)


def test_it_refuses_when_the_registry_changed_since_the_diff(world):
    steward = world.actor("steward")
    rows = lines(row(world, stack_height=85.5))
    seen = plan_inventory(rows).fingerprint
    stack = world.stack_hn
    stack.stack_height_m = 90.0
    services.save(steward, stack)
    before = registry_state()
    with pytest.raises(InventoryChanged) as refused:
        apply_inventory(steward, rows, survey_version=5, expected=seen)
    assert refused.value.status == 409
    assert "đã thay đổi" in str(refused.value.message)
    assert registry_state() == before
    world.stack_hn.refresh_from_db()
    assert world.stack_hn.stack_height_m == 90.0


def test_a_bad_row_in_the_middle_leaves_nothing_and_names_its_line(world):
    steward = world.actor("steward")
    rows = lines(
        row(world, stack_height=85.5),
        row(world, tax_code=NEW_TAX, facility_name="Nhà máy Giấy", sector="pulp_paper",
            stack_code="K1", latitude=21.2, longitude=None),  # a point needs both
        row(world, stack_code="OK7"),
    )
    diff = plan_inventory(rows)
    assert diff.problems == []  # only the registry's own checks find it
    before = registry_state()
    with pytest.raises(InventoryError) as refused, transaction.atomic():
        apply_inventory(steward, rows, survey_version=5, expected=diff.fingerprint)
    message = str(refused.value.message)
    assert message.startswith("Dòng 3 (cơ sở 0100233488 — Nhà máy Giấy): ")
    assert "vĩ độ và kinh độ" in message.lower()
    assert refused.value.details["line"] == 3
    assert registry_state() == before
    world.stack_hn.refresh_from_db()
    assert world.stack_hn.stack_height_m == 80.0


def test_it_refuses_rows_the_diff_found_problems_in(world):
    rows = lines(row(world), row(world, stack_code="XT1"))
    before = registry_state()
    with pytest.raises(InventoryError) as refused:
        apply_inventory(world.actor("steward"), rows, survey_version=5, expected=None)
    assert str(refused.value.message).startswith("Dòng 3: XT1")
    assert refused.value.details["problems"][0]["line"] == 3
    assert registry_state() == before


def test_only_stewards_load_it(world):
    from envhub.core.errors import Forbidden

    with pytest.raises(Forbidden):
        apply_inventory(world.actor("officer"), lines(row(world, stack_height=85.5)),
                        survey_version=5, expected=None)
    with pytest.raises(ValueError):
        apply_inventory(world.actor("steward"), lines(row(world)), survey_version=0,
                        expected=None)


def test_every_refusal_is_an_inventory_refused_as_the_surveys_loader_catches(world):
    from envhub.registry.inventory import InventoryRefused

    assert issubclass(InventoryChanged, InventoryRefused)
    with pytest.raises(InventoryRefused):
        apply_inventory(world.actor("steward"), lines(row(world, stack_code="XT1")),
                        survey_version=5, expected=None)
