"""Permits for every demo source: the regulation the registry names, column B, the factor inputs
a permit would state — and, where the regulation's tables could not be read (QCVN 51:2017,
QCVN 19:2024 outside gas turbines, QCVN 40:2025), the permit's own limits, as real permits do.
The demo generator's episodes (1.3–1.9 × the column-B base value, `demo.tt10`) then show as
exceedance events."""

from __future__ import annotations

import random

from envhub.compliance import services as compliance
from envhub.compliance.models import LimitValue, Permit, PermitLimit
from envhub.core.text import fold
from envhub.demo import tt10 as demo_files
from envhub.registry.models import Parameter, Source, SourceKind

TURBINE_CATEGORY_2009 = "tuabin khí"
TURBINE_CATEGORY_2024 = "2.4 động cơ khí, tuabin khí"
MW_PER_M3H = 1 / 3000  # a rough flue-gas flow per MW of a power plant's unit


def _category(source: Source, regulation_code: str) -> str:
    fuel, name = fold(source.fuel), fold(source.name)
    if regulation_code.startswith("QCVN 22:2009"):
        if "tuabin" in name:
            return TURBINE_CATEGORY_2009
        if "than" in fuel:
            return "than"
        if "dau" in fuel:
            return "dầu"
        return "khí - lò hơi"
    if regulation_code.startswith("QCVN 19:2024") and "tuabin" in name:
        return TURBINE_CATEGORY_2024
    return ""


def _profile_limits(source: Source) -> dict[str, float]:
    if source.kind == SourceKind.OUTFALL:
        return dict(demo_files.WASTEWATER_LIMITS)
    info = demo_files.StationInfo(code="", prefix="", kind="", province_code="", latitude=16.0,
                                  sector=source.facility.sector, source_name=source.name,
                                  fuel=source.fuel, design_flow_m3h=source.design_flow_m3h)
    return dict(demo_files.STACK_PROFILES[demo_files.stack_profile(info)].limits)


def ensure_permits(actor, seed: int = demo_files.DEFAULT_SEED) -> int:
    """A permit for each demo source that has none; returns how many were made."""
    made = 0
    sources = Source.objects.filter(permits__isnull=True, regulation__isnull=False) \
        .select_related("facility", "regulation").order_by("id")
    for source in sources:
        rng = random.Random(seed * 7919 + source.pk)
        facility, regulation = source.facility, source.regulation
        stacks_flow = sum(s.design_flow_m3h or 0 for s in facility.sources.filter(
            kind=SourceKind.STACK))
        category = _category(source, regulation.code)
        permit = Permit(
            source=source, number=facility.permit_number or f"{source.pk}/GPMT",
            issued_on=facility.permit_date, valid_from=facility.permit_date or
            source.facility.created_at.date(), regulation=regulation, column="B",
            category=category, location_class=rng.choice("3333334"))
        if source.kind == SourceKind.STACK:
            permit.facility_flow_m3h = stacks_flow or source.design_flow_m3h
            if facility.sector == "thermal_power":
                permit.capacity = round((source.design_flow_m3h or 0) * MW_PER_M3H, -1)
            if regulation.code.startswith("QCVN 23:2009"):
                permit.kp = 1.0  # its capacity table was not read: the permit states Kp
        else:
            permit.river_flow_m3s = rng.choice((35, 120, 260, 800))
            permit.discharge_m3d = round((source.design_flow_m3h or 200) * 24, -1)
        compliance.save(actor, permit)
        made += 1
        has_table = LimitValue.objects.filter(
            regulation=regulation, column="B", category__in=["", category]).exists()
        if not has_table:
            medium = "emission" if source.kind == SourceKind.STACK else "water"
            for code, value in _profile_limits(source).items():
                parameter = Parameter.objects.filter(medium=medium, code=code).first()
                if parameter is None:
                    continue
                compliance.save(actor, PermitLimit(
                    permit=permit, parameter=parameter, value=value, unit=parameter.unit,
                    note="Giới hạn ghi trong giấy phép (dữ liệu mẫu)"))
    return made
