"""Reference data of Decree 45/2022's sanction structure (`data/sanctions.json`): loaded by
compliance's part of `envhub reference`, after the exceedance bands its clauses name. Like the
regulations: missing rows are created unless a steward deleted them, existing ones are
overwritten only with --update."""

from __future__ import annotations

import json
from pathlib import Path

from envhub.core.reference import Loader

SANCTIONS = Path(__file__).parent / "data" / "sanctions.json"
MEDIA = ("emission", "water")


def load_sanctions(loader: Loader) -> None:
    from envhub.compliance.models import ExceedanceBand
    from envhub.compliance.sanction_models import (
        FlowBand,
        ParameterClass,
        SanctionClause,
        SanctionRule,
    )
    from envhub.registry.models import Parameter

    data = json.loads(SANCTIONS.read_text("utf-8"))
    deleted_rules = loader.deleted("compliance.sanctionrule", "medium")
    deleted_flows = loader.deleted("compliance.flowband", "medium", "code")
    deleted_classes = loader.deleted("compliance.parameterclass", "parameter_id")
    deleted_clauses = loader.deleted("compliance.sanctionclause", "band_id", "flow_band_id",
                                     "parameter_class")
    parameters = {(p.medium, p.code): p for p in Parameter.objects.all()}
    for medium in MEDIA:
        part = data[medium]
        loader.upsert(SanctionRule, {"medium": medium}, part["rule"], "sanction rule",
                      deleted=deleted_rules, key=(medium,))
        flows = {}
        for row in part["flow_bands"]:
            values = {key: row[key] for key in ("lower", "upper", "label", "verification")}
            flows[row["code"]], _ = loader.upsert(
                FlowBand, {"medium": medium, "code": row["code"]}, values, "flow band",
                deleted=deleted_flows, key=(medium, row["code"]))
        for row in part["parameter_classes"]:
            parameter = parameters.get((medium, row["parameter"]))
            if parameter is None:
                continue
            loader.upsert(ParameterClass, {"parameter": parameter},
                          {"kind": row["kind"], "verification": row["verification"],
                           "note": row.get("note", "")},
                          "parameter class", deleted=deleted_classes, key=(parameter.id,))
        bands = {band.code: band for band in ExceedanceBand.objects.filter(medium=medium)}
        for row in part["clauses"]:
            band = bands.get(row["band"])
            flow_band = flows.get(row["flow_band"]) if row["flow_band"] else None
            if band is None or (row["flow_band"] and flow_band is None):
                continue  # a steward deleted the band it names
            values = {"penalty": row["penalty"], "article": row.get("article", ""),
                      "clause": row.get("clause", ""), "point": row.get("point", ""),
                      "fine_min": row.get("fine_min"), "fine_max": row.get("fine_max"),
                      "additional": row.get("additional", ""),
                      "verification": row["verification"], "note": row.get("note", "")}
            lookup = {"band": band, "flow_band": flow_band,
                      "parameter_class": row["parameter_class"]}
            loader.upsert(SanctionClause, lookup, values, "sanction clause",
                          deleted=deleted_clauses,
                          key=(band.id, flow_band.id if flow_band else None,
                               row["parameter_class"]))
