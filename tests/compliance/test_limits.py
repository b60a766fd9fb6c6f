"""Limits per source from its permit and the regulation's tables: derivations, gaps named instead
of guessed, permits' own limits, and the limit valid at the data's time."""

from __future__ import annotations

import datetime

import pytest

from envhub.compliance import limits
from envhub.compliance.models import (
    FactorStep,
    LimitValue,
    Permit,
    PermitLimit,
    Regulation,
    Verification,
)
from envhub.registry.models import Parameter

pytestmark = pytest.mark.django_db


def regulation(code):
    return Regulation.objects.get(code=code)


def parameter(medium, code):
    return Parameter.objects.get(medium=medium, code=code)


def by_code(permit, day=None):
    return {e.parameter.code: e for e in limits.limits_of(permit, day).limits.values()}


def test_qcvn_19_2009_column_b_with_flow_and_location(world):
    permit = Permit.objects.create(
        source=world.stack_hn2, number="1/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B", facility_flow_m3h=54_000,
        location_class="2")
    found = by_code(permit)
    assert found["PM"].limit.maximum == 144  # 200 × 0.9 × 0.8, the example
    assert found["PM"].derivation == \
        "QCVN 19:2009/BTNMT cột B, C = 200 × Kp 0,9 × Kv 0,8 = 144 mg/Nm3"
    assert found["SO2"].limit.maximum == 360  # 500 × 0.9 × 0.8
    assert found["PM"].verification == Verification.UNVERIFIED
    assert not found["PM"].verified
    assert found["PM"].reference_o2 is None  # QCVN 19:2009 sets none


def test_a_missing_factor_input_is_named_not_guessed(world):
    permit = Permit.objects.create(
        source=world.stack_hn2, number="1/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B", location_class="3")
    world.stack_hn2.design_flow_m3h = None
    found = by_code(permit)["SO2"]
    assert found.limit is None
    assert "Kp" in found.problem


def test_qcvn_22_by_capacity_and_fuel_with_its_reference_o2(world):
    permit = Permit.objects.create(
        source=world.stack_hn, number="2/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 22:2009/BTNMT"), column="B", category="tuabin khí",
        capacity=750, location_class="3")
    found = by_code(permit)
    assert found["NOx"].limit.maximum == 212.5  # 250 × 0.85 × 1 (the 2024 permit report)
    assert found["PM"].limit.maximum == 42.5
    assert found["SO2"].limit.maximum == 255
    assert found["NOx"].reference_o2 == 15
    assert found["NOx"].verification == Verification.UNVERIFIED  # Kv is [R]


def test_qcvn_19_2024_fixed_values_by_capacity_band(world):
    permit = Permit.objects.create(
        source=world.stack_hn, number="3/GPMT", valid_from=datetime.date(2025, 8, 1),
        regulation=regulation("QCVN 19:2024/BTNMT"), column="B",
        category="2.4 động cơ khí, tuabin khí", capacity=300)
    found = by_code(permit)
    assert found["NOx"].limit.maximum == 120  # ≤ 300 MW, column B
    assert found["NOx"].derivation.endswith("C = 120 mg/Nm3")
    permit.capacity = 300.5
    assert by_code(permit)["NOx"].limit.maximum == 90  # 300–1200 MW
    permit.capacity = None
    unknown = by_code(permit)["NOx"]
    assert unknown.limit is None and unknown.problem  # "the permit does not state the capacity"


def test_qcvn_40_2011_wastewater_with_kq_kf_and_a_ph_range(world):
    permit = Permit.objects.create(
        source=world.outfall_hn, number="4/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 40:2011/BTNMT"), column="B", river_flow_m3s=120,
        discharge_m3d=800)
    found = by_code(permit)
    assert found["COD"].limit.maximum == 150  # 150 × Kq 1.0 × Kf 1.0
    assert found["TSS"].derivation.endswith("C = 100 × Kq 1 × Kf 1 = 100 mg/L")
    assert (found["pH"].limit.minimum, found["pH"].limit.maximum) == (5.5, 9)
    assert found["pH"].limit.factors == ()  # no Kq, Kf for pH
    permit.river_flow_m3s, permit.lake_volume_m3 = None, 5e6
    assert by_code(permit)["COD"].limit.maximum == 90  # Kq 0.6 for a small lake


def test_a_permits_own_limit_overrides_the_regulation(world):
    permit = Permit.objects.create(
        source=world.stack_hn2, number="5/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B", facility_flow_m3h=10_000,
        location_class="3")
    PermitLimit.objects.create(permit=permit, parameter=parameter("emission", "SO2"),
                               value=300, unit="mg/Nm3")
    found = by_code(permit)["SO2"]
    assert (found.limit.maximum, found.origin) == (300, "permit")
    assert found.derivation == "Giấy phép 5/GPMT: C = 300 mg/Nm3"
    assert found.verified


def test_a_table_the_notes_could_not_read_gives_no_limit(world):
    permit = Permit.objects.create(
        source=world.stack_dn, number="6/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 51:2017/BTNMT"), column="B")
    assert by_code(permit) == {}


def test_the_limit_is_the_one_valid_at_the_datas_time(world):
    old = Permit.objects.create(
        source=world.stack_hn2, number="7/GPMT", valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2031, 12, 31), regulation=regulation("QCVN 19:2009/BTNMT"),
        column="B", facility_flow_m3h=10_000, location_class="3")
    new = Permit.objects.create(
        source=world.stack_hn2, number="8/GPMT", valid_from=datetime.date(2032, 1, 1),
        regulation=regulation("QCVN 19:2024/BTNMT"), column="B")
    PermitLimit.objects.create(permit=new, parameter=parameter("emission", "SO2"), value=250,
                               unit="mg/Nm3")
    assert limits.permit_on(world.stack_hn2.pk, datetime.date(2031, 12, 31)) == old
    assert limits.permit_on(world.stack_hn2.pk, datetime.date(2032, 1, 1)) == new
    assert limits.permit_on(world.stack_hn2.pk, datetime.date(2019, 12, 31)) is None
    assert by_code(old, datetime.date(2031, 12, 31))["SO2"].limit.maximum == 500
    assert by_code(new, datetime.date(2032, 1, 1))["SO2"].limit.maximum == 250


def test_an_old_regulation_past_its_transition_gives_no_limit(world):
    permit = Permit.objects.create(
        source=world.stack_hn2, number="9/GPMT", valid_from=datetime.date(2020, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B", facility_flow_m3h=10_000,
        location_class="3")
    found = limits.limits_of(permit, datetime.date(2032, 1, 1))
    assert "31/12/2031" in found.problem
    assert all(e.limit is None for e in found.limits.values())


def test_permits_of_a_source_may_not_overlap(world):
    from django.core.exceptions import ValidationError

    Permit.objects.create(
        source=world.stack_hn2, number="10/GPMT", valid_from=datetime.date(2020, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B")
    overlapping = Permit(source=world.stack_hn2, number="11/GPMT",
                         valid_from=datetime.date(2025, 1, 1),
                         regulation=regulation("QCVN 19:2024/BTNMT"), column="B")
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert "valid_from" in error.value.message_dict
    wrong_medium = Permit(source=world.outfall_hn, number="12/GPMT",
                          valid_from=datetime.date(2025, 1, 1),
                          regulation=regulation("QCVN 19:2024/BTNMT"), column="B")
    with pytest.raises(ValidationError):
        wrong_medium.full_clean()


def test_the_shipped_tables_carry_their_verification_tags(reference):
    # Figures the notes only recalled are loaded as unverified, never as verified.
    qcvn19 = regulation("QCVN 19:2009/BTNMT")
    assert LimitValue.objects.filter(regulation=qcvn19).exclude(
        verification=Verification.UNVERIFIED).count() == 0
    assert FactorStep.objects.filter(regulation=qcvn19, symbol="Kv").count() == 5
    lake = FactorStep.objects.filter(regulation=regulation("QCVN 40:2011/BTNMT"),
                                     basis="lake_volume_m3")
    assert set(lake.values_list("verification", flat=True)) == {Verification.VERIFIED}


def test_a_limit_in_another_unit_than_the_data_is_refused(world):
    permit = Permit.objects.create(
        source=world.stack_hn2, number="13/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=regulation("QCVN 19:2009/BTNMT"), column="B", facility_flow_m3h=10_000,
        location_class="3")
    PermitLimit.objects.create(permit=permit, parameter=parameter("emission", "SO2"),
                               value=300, unit="µg/Nm3")  # the data are in mg/Nm3
    PermitLimit.objects.create(permit=permit, parameter=parameter("emission", "NOx"),
                               value=300, unit="mg/Nm³")  # another spelling of mg/Nm3
    found = by_code(permit)
    assert found["SO2"].limit is None and "µg/Nm3" in found["SO2"].problem
    assert found["NOx"].limit.maximum == 300
