"""Inventory rows as the survey validation hands them to a loader (typed values keyed by the
schema's field names, None for an empty cell), for the registry's inventory tests."""

from __future__ import annotations

FIELDS = ("year", "tax_code", "facility_name", "province_code", "ward_code", "latitude",
          "longitude", "sector", "stack_code", "stack_height", "stack_diameter", "flow", "fuel",
          "treatment", "fuel_use", "production", "production_unit")


def row(world, **values) -> dict:
    """A row of the Hà Nội thermal power plant's stack OK1 as the registry has it, for 2026,
    with its annual figures; keywords change or (None) empty cells."""
    base = {field: None for field in FIELDS}
    base.update(
        year=2026, tax_code=world.facility_hn.tax_code, facility_name=world.facility_hn.name,
        province_code="01", ward_code=world.facility_hn.ward.code, latitude=21.05,
        longitude=105.85, sector="thermal_power", stack_code="OK1", stack_height=80.0,
        stack_diameter=3.5, flow=52000.0, fuel="Than cám", treatment="Lọc bụi tĩnh điện",
        fuel_use=120000.0, production=600.0, production_unit="GWh",
    )
    base.update(values)
    return base


def lines(*rows) -> list[tuple[int, dict]]:
    """(line, values) pairs, the header on line 1."""
    return [(number, values) for number, values in enumerate(rows, start=2)]
