"""Rows of periodic monitoring results as the surveys' validation hands them over: (line,
values) pairs keyed by the schema's field names (`surveys/schemas/periodic_results.json`)."""

from __future__ import annotations

import datetime

from django.db import transaction

from envhub.core.permissions import system_actor
from envhub.monitoring.samples import load_periodic


def row(line: int, station: str = "SW01", parameter: str = "COD", value: float | None = 12.5,
        unit: str = "mg/L", *, day=datetime.date(2026, 3, 10),
        at: datetime.time | None = datetime.time(9, 30), medium: str = "water",
        below: bool = False, limit: float | None = None, site: str | None = "Sông Tô Lịch",
        province: str | None = "01", latitude: float | None = 21.03,
        longitude: float | None = 105.8) -> tuple[int, dict]:
    return line, {
        "station_code": station, "site_name": site, "province_code": province,
        "latitude": latitude, "longitude": longitude, "sampling_date": day,
        "sampling_time": at, "medium": medium, "parameter": parameter,
        "value": None if below else value, "unit": unit,
        "detection": "<LOD" if below else None, "detection_limit": limit,
        "method": "SMEWW 5220C:2017", "laboratory": "Trung tâm Quan trắc Hà Nội",
        "vimcerts": "VIMCERTS 123",
    }


def load(rows, version: int = 1, actor=None, **options):
    """A load in its own transaction, as the surveys' approval runs it."""
    with transaction.atomic():
        return load_periodic(actor or system_actor("tests"), rows, survey_version=version,
                             **options)
