"""Compliance's reference data: the regulations (QCVN) with their rules, columns, limit values
and factor tables, and the exceedance bands. Applied by `envhub reference` (`core/reference.py`)
after the registry's parameters, which the limits name."""

from __future__ import annotations

import json
from pathlib import Path

from envhub.compliance import sanction_reference
from envhub.core import reference
from envhub.core.reference import Loader

REGULATIONS = Path(__file__).parent / "data" / "regulations.json"


def data_files() -> list[Path]:
    return [REGULATIONS, sanction_reference.SANCTIONS]


def load_regulations(loader: Loader) -> None:
    from envhub.compliance.models import Regulation

    data = json.loads(REGULATIONS.read_text("utf-8"))["regulations"]
    deleted = loader.deleted("compliance.regulation", "code")
    by_code, created = {}, set()
    for item in data:
        values = {
            "title": item["title"], "medium": item["medium"], "legal_basis": item["legal_basis"],
            "effective_from": reference.date(item["effective_from"]),
            "applicable_until": reference.date(item["applicable_until"]),
            "source_url": item["source_url"],
        }
        regulation, new = loader.upsert(Regulation, {"code": item["code"]}, values,
                                        "regulation", deleted=deleted, key=(item["code"],))
        if regulation is None:
            continue
        if new:
            created.add(item["code"])
        by_code[item["code"]] = regulation
    for item in data:
        regulation, successor = by_code.get(item["code"]), by_code.get(item["replaced_by"])
        if regulation is None or not item["replaced_by"] or successor is None:
            continue
        if item["code"] in created:
            regulation.replaced_by = successor
            regulation.save(update_fields=["replaced_by"])
        else:
            loader.refresh(regulation, {"replaced_by": successor}, "regulation")
    load_regulation_tables(loader, data, by_code)
    load_exceedance_bands(loader)
    sanction_reference.load_sanctions(loader)


def load_regulation_tables(loader: Loader, data: list[dict], by_code: dict) -> None:
    """Each regulation's rules, columns, limit values and factor tables: the rows missing are
    created (unless a steward deleted them), existing ones are overwritten only with --update.
    The hours of the permits under a regulation whose tables changed are judged again."""
    from envhub.compliance import services as compliance
    from envhub.compliance.models import FactorStep, LimitValue, Permit, RegulationRules
    from envhub.registry.models import Parameter

    parameters = {(p.medium, p.code): p for p in Parameter.objects.all()}
    deleted_limits = loader.deleted("compliance.limitvalue", "regulation_id", "parameter_id",
                                    "column", "category", "size_above", "valid_from")
    deleted_steps = loader.deleted("compliance.factorstep", "regulation_id", "symbol", "basis",
                                   "class_code", "above")
    for item in data:
        regulation = by_code.get(item["code"])
        if regulation is None:
            continue
        loader.changed = False
        loader.upsert(RegulationRules, {"regulation": regulation}, item["rules"],
                      "regulation rules")
        load_regulation_columns(loader, regulation, item.get("columns", []))
        for row in item["limits"]:
            parameter = parameters[(item["medium"], row["parameter"])]
            valid_from = reference.date(row.get("valid_from"))
            key = (regulation.id, parameter.id, row["column"], row.get("category", ""),
                   row.get("size_above"), valid_from.isoformat() if valid_from else None)
            values = {"size_up_to": row.get("size_up_to"), "value": row["value"],
                      "minimum": row.get("minimum"), "unit": row.get("unit", parameter.unit),
                      "reference_o2": row.get("reference_o2"),
                      "factors_apply": row.get("factors_apply", True),
                      "valid_until": reference.date(row.get("valid_until")),
                      "verification": row["verification"], "note": row.get("note", "")}
            loader.upsert(LimitValue, {"regulation": regulation, "parameter": parameter,
                                       "column": key[2], "category": key[3],
                                       "size_above": key[4], "valid_from": valid_from},
                          values, "limit value", deleted=deleted_limits, key=key)
        for row in item["factors"]:
            key = (regulation.id, row["symbol"], row["basis"], row.get("class_code", ""),
                   row.get("above"))
            values = {"up_to": row.get("up_to"), "class_label": row.get("class_label", ""),
                      "value": row["value"], "verification": row["verification"]}
            loader.upsert(FactorStep, {"regulation": regulation, "symbol": key[1],
                                       "basis": key[2], "class_code": key[3], "above": key[4]},
                          values, "factor table row", deleted=deleted_steps, key=key)
        if loader.changed:
            compliance.rejudge(Permit.objects.filter(regulation=regulation))


def load_regulation_columns(loader: Loader, regulation, columns: list[dict]) -> None:
    """The columns that hold only for a time, and the column that follows each."""
    from envhub.compliance.models import RegulationColumn

    deleted = loader.deleted("compliance.regulationcolumn", "regulation_id", "column")
    for row in columns:
        values = {"applies_to": row.get("applies_to", ""),
                  "valid_from": reference.date(row.get("valid_from")),
                  "valid_until": reference.date(row.get("valid_until")),
                  "then_column": row.get("then_column", ""),
                  "verification": row["verification"]}
        loader.upsert(RegulationColumn, {"regulation": regulation, "column": row["column"]},
                      values, "regulation column", deleted=deleted,
                      key=(regulation.id, row["column"]))


def load_exceedance_bands(loader: Loader) -> None:
    from envhub.compliance.models import ExceedanceBand

    ladders = json.loads(REGULATIONS.read_text("utf-8"))["exceedance_bands"]
    deleted = loader.deleted("compliance.exceedanceband", "medium", "code")
    for medium in ("emission", "water"):
        for row in ladders[medium]:
            values = {"scheme": ladders["scheme"], "lower": row["lower"], "upper": row["upper"],
                      "label": row["label"], "verification": row["verification"]}
            loader.upsert(ExceedanceBand, {"medium": medium, "code": row["code"]}, values,
                          "exceedance band", deleted=deleted, key=(medium, row["code"]))


reference.register("compliance", data_files, load_regulations)
