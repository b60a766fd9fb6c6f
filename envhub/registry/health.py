"""What `envhub check` says of the registry (`core/health.py`)."""

from __future__ import annotations

from django.db import DatabaseError

from envhub.core.health import Report, database_check
from envhub.registry.models import Parameter, Province, Ward


@database_check
def reference_data(report: Report) -> None:
    try:
        provinces, wards = Province.objects.count(), Ward.objects.count()
        parameters = Parameter.objects.count()
    except DatabaseError:
        return  # reported as pending migrations
    if provinces != 34 or wards != 3321 or parameters == 0:
        report.error(
            f"reference data incomplete ({provinces} provinces, {wards} wards, {parameters} "
            "parameters; expected 34, 3,321 and some): run `envhub reference`."
        )
    else:
        report.ok("reference data loaded (34 provinces, 3,321 wards)")
