"""Air quality's reference data: the limits of QCVN 05:2023. Applied by `envhub reference`
(`core/reference.py`) after the registry's parameters, which the limits name."""

from __future__ import annotations

import json
from pathlib import Path

from envhub.core import reference
from envhub.core.reference import Loader

AMBIENT_LIMITS = Path(__file__).parent / "data" / "ambient_limits.json"


def data_files() -> list[Path]:
    return [AMBIENT_LIMITS]


def load_ambient_limits(loader: Loader) -> None:
    """QCVN 05:2023 as data: the limits missing are created (unless a steward deleted them)."""
    from envhub.airquality.models import AmbientLimit
    from envhub.registry.models import Medium, Parameter

    data = json.loads(AMBIENT_LIMITS.read_text("utf-8"))
    parameters = {p.code: p for p in Parameter.objects.filter(medium=Medium.AIR)}
    deleted = loader.deleted("airquality.ambientlimit", "standard", "parameter_id", "averaging",
                             "valid_from")
    for row in data["limits"]:
        parameter = parameters[row["parameter"]]
        valid_from = reference.date(row.get("valid_from"))
        key = (data["standard"], parameter.id, row["averaging"],
               valid_from.isoformat() if valid_from else None)
        values = {"value": row["value"], "valid_until": reference.date(row.get("valid_until")),
                  "verification": row["verification"], "note": row.get("note", "")}
        loader.upsert(AmbientLimit, {"standard": data["standard"], "parameter": parameter,
                                     "averaging": row["averaging"], "valid_from": valid_from},
                      values, "ambient limit", deleted=deleted, key=key)


reference.register("airquality", data_files, load_ambient_limits)
