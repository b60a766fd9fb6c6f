"""The periodic results on a periodic station's page (a part of the registry's station page,
`registry.views.STATION_PAGE_PARTS`): per parameter, its newest results with how they were
obtained and the survey version they came from. JSON twin: /api/v1/stations/<code>/samples."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.core.numbers import format_number
from envhub.monitoring import services
from envhub.registry.models import StationKind

# Results shown per parameter; the rest are in the JSON twin (paged).
SHOWN_PER_PARAMETER = 20


@dataclass
class SampleRow:
    time: object
    shown: str
    below_detection: bool
    method: str
    laboratory: str
    vimcerts: str
    survey_version: int


def shown_value(sample, unit: str, language: str | None) -> str:
    """A result as people read it (the one number formatter): "12,5 mg/L", or below detection
    "< LOD (0,02 mg/L)" — never a zero."""
    figure = sample.detection_limit if sample.below_detection else sample.value
    written = format_number(figure, language, unit=unit)
    if unit:
        written = f"{written} {unit}"
    if sample.below_detection:
        written = _("< LOD (%(limit)s)") % {"limit": written}
    # Kept on one line (a narrow column would part the figure from its unit or its "<").
    return written.replace(" ", "\u00a0")


def samples_context(request, station) -> dict:
    if station.kind != StationKind.PERIODIC:
        return {}
    language = get_language()
    qs = services.station_samples(request.actor, station.code)
    # One query per parameter, each reading its series' newest results by the key.
    series_ids = sorted(qs.order_by().values_list("series_id", flat=True).distinct())
    sections = []
    for series_id in series_ids:
        rows = list(qs.filter(series_id=series_id)[:SHOWN_PER_PARAMETER + 1])
        parameter = rows[0].series.parameter
        sections.append({
            "code": parameter.code,
            "name": parameter.name_en if language == "en" else parameter.name_vi,
            "more": len(rows) > SHOWN_PER_PARAMETER,
            "json_url": reverse("api:station_samples", args=[station.code])
            + f"?parameter={parameter.code}",
            "rows": [SampleRow(s.time, shown_value(s, parameter.unit, language),
                               s.below_detection, s.method, s.laboratory, s.vimcerts,
                               s.survey_version) for s in rows[:SHOWN_PER_PARAMETER]],
        })
    sections.sort(key=lambda section: section["code"])
    return {"periodic": {"sections": sections, "shown": SHOWN_PER_PARAMETER,
                         "json_url": reverse("api:station_samples", args=[station.code])}}
