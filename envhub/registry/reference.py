"""Reference data: provinces and wards (from `vietnam-provinces`), parameters and their aliases,
and the regulations.

Stewards edit reference data in the admin (a parameter's names, unit and range, its aliases), so
loading never reverts their work:
- the checksum of the data files last applied is kept (`core.ReferenceVersion`); while the files
  are unchanged, `envhub reference` (run by every `envhub setup`) does nothing;
- when the files changed (an upgrade of envhub or of `vietnam-provinces`), only what is missing is
  created: existing rows are left as they are, and what a steward deleted (an alias, a parameter,
  a regulation: the audit log says so) is not created again;
- `envhub reference --update` is the deliberate exception: it overwrites from the files, with one
  audit event per changed object, and re-creates what was deleted.
A province's abbreviation (the TT10 file-name part) is never overwritten, not even by --update.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import vietnam_provinces
from django.db import transaction
from django.utils import timezone

from envhub.core import audit, services
from envhub.core.permissions import Actor
from envhub.core.text import search_document

DATA = Path(__file__).parent / "data"
REGULATIONS = Path(__file__).parent.parent / "compliance" / "data" / "regulations.json"
AMBIENT_LIMITS = Path(__file__).parent.parent / "airquality" / "data" / "ambient_limits.json"
VERSION_NAME = "reference"


def data_files() -> list[Path]:
    """Every file the reference data comes from, in a fixed order."""
    return [
        Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH),
        DATA / "province_abbreviations.json",
        DATA / "parameters.json",
        REGULATIONS,
        AMBIENT_LIMITS,
    ]


def checksum() -> str:
    digest = hashlib.sha256()
    for path in data_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    up_to_date: bool = False

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


@dataclass
class _Loader:
    actor: Actor
    report: LoadReport
    update: bool
    changed: bool = False  # set when a row is created or changed; callers reset it

    def refresh(self, obj, values: dict, kind: str) -> bool:
        """With --update, bring an existing row in line with the files (audited); else leave it
        as it is: it may carry a steward's edit. Returns whether it changed."""
        if not self.update:
            return False
        if all(getattr(obj, key) == value for key, value in values.items()):
            return False
        for key, value in values.items():
            setattr(obj, key, value)
        services.save(self.actor, obj, validate=False)
        self.report.count(kind, False)
        return True

    def upsert(self, model, lookup: dict, values: dict, kind: str, *,
               deleted: set[tuple] = frozenset(), key: tuple | None = None):
        """(row, created) for the row `lookup` names: an existing one is refreshed with `values`
        (see `refresh`), a missing one created unless a steward deleted it (`key` in
        `deleted`: then (None, False))."""
        existing = model.objects.filter(**lookup).first()
        if existing is not None:
            if self.refresh(existing, values, kind):
                self.changed = True
            return existing, False
        if key is not None and key in deleted:
            return None, False
        created = model.objects.create(**lookup, **values)
        self.report.count(kind, True)
        self.changed = True
        return created, True

    def deleted(self, object_type: str, *fields: str) -> set[tuple]:
        """The keys of rows of this type deleted through the audited services: a steward's
        decision that loading respects (except with --update)."""
        if self.update:
            return set()
        from envhub.accounts.models import AuditEvent

        keys = set()
        events = AuditEvent.objects.filter(action="delete", object_type=object_type)
        for changes in events.values_list("changes", flat=True):
            try:
                keys.add(tuple(changes[name][0] for name in fields))
            except (KeyError, IndexError, TypeError):
                continue
        return keys


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def load_administrative_units(loader: _Loader) -> None:
    from envhub.registry.models import Province, Ward

    report = loader.report
    abbreviations = json.loads((DATA / "province_abbreviations.json").read_text("utf-8"))
    abbreviations = abbreviations["abbreviations"]
    nested = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))
    existing = {p.code: p for p in Province.objects.all()}
    for item in nested:
        code = f"{item['code']:02d}"
        values = {
            "name": item["name"],
            "short_name": _short_name(item["name"]),
            "division_type": item["division_type"],
            "codename": item["codename"],
            "phone_code": item.get("phone_code"),
        }
        province = existing.get(code)
        if province is None:
            province = Province(code=code, abbreviation=abbreviations[code], **values)
            province.save()
            existing[code] = province
            report.count("province", True)
        else:
            loader.refresh(province, values, "province")  # never the abbreviation

    wards = {w.code: w for w in Ward.objects.all()}
    new_wards = []
    for item in nested:
        province = existing[f"{item['code']:02d}"]
        for ward_item in item["wards"]:
            code = f"{ward_item['code']:05d}"
            values = {
                "name": ward_item["name"],
                "division_type": ward_item["division_type"],
                "codename": ward_item["codename"],
                "province_id": province.id,
            }
            ward = wards.get(code)
            if ward is None:
                new_wards.append(Ward(code=code, search_text=search_document(values["name"]),
                                      **values))
                report.count("ward", True)
            else:
                loader.refresh(ward, values, "ward")
    # 3,321 rows: one INSERT per batch rather than per row.
    Ward.objects.bulk_create(new_wards, batch_size=500)


def load_parameters(loader: _Loader) -> None:
    from envhub.registry.models import Parameter, ParameterAlias

    report = loader.report
    data = json.loads((DATA / "parameters.json").read_text("utf-8"))["parameters"]
    deleted_parameters = loader.deleted("registry.parameter", "medium", "code")
    deleted_aliases = loader.deleted("registry.parameteralias", "medium", "alias_key")
    for item in data:
        values = {
            "name_vi": item["name_vi"], "name_en": item["name_en"], "unit": item["unit"],
            "minimum": item.get("minimum"), "maximum": item.get("maximum"),
        }
        key = (item["medium"], item["code"])
        parameter, _created = loader.upsert(Parameter, {"medium": key[0], "code": key[1]},
                                            values, "parameter", deleted=deleted_parameters,
                                            key=key)
        if parameter is None:
            continue
        for symbol in item["aliases"]:
            key = ParameterAlias.key(symbol)
            if (parameter.medium, key) in deleted_aliases:
                continue
            if not ParameterAlias.objects.filter(medium=parameter.medium, alias_key=key).exists():
                alias = ParameterAlias(parameter=parameter, alias=symbol)
                if loader.update:
                    services.save(loader.actor, alias, validate=False)
                else:
                    alias.save()
                report.count("parameter alias", True)


def load_regulations(loader: _Loader) -> None:
    from envhub.compliance.models import Regulation

    data = json.loads(REGULATIONS.read_text("utf-8"))["regulations"]
    deleted = loader.deleted("compliance.regulation", "code")
    by_code, created = {}, set()
    for item in data:
        values = {
            "title": item["title"], "medium": item["medium"], "legal_basis": item["legal_basis"],
            "effective_from": _date(item["effective_from"]),
            "applicable_until": _date(item["applicable_until"]),
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


def load_regulation_tables(loader: _Loader, data: list[dict], by_code: dict) -> None:
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
            valid_from = _date(row.get("valid_from"))
            key = (regulation.id, parameter.id, row["column"], row.get("category", ""),
                   row.get("size_above"), valid_from.isoformat() if valid_from else None)
            values = {"size_up_to": row.get("size_up_to"), "value": row["value"],
                      "minimum": row.get("minimum"), "unit": row.get("unit", parameter.unit),
                      "reference_o2": row.get("reference_o2"),
                      "factors_apply": row.get("factors_apply", True),
                      "valid_until": _date(row.get("valid_until")),
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


def load_regulation_columns(loader: _Loader, regulation, columns: list[dict]) -> None:
    """The columns that hold only for a time, and the column that follows each."""
    from envhub.compliance.models import RegulationColumn

    deleted = loader.deleted("compliance.regulationcolumn", "regulation_id", "column")
    for row in columns:
        values = {"applies_to": row.get("applies_to", ""),
                  "valid_from": _date(row.get("valid_from")),
                  "valid_until": _date(row.get("valid_until")),
                  "then_column": row.get("then_column", ""),
                  "verification": row["verification"]}
        loader.upsert(RegulationColumn, {"regulation": regulation, "column": row["column"]},
                      values, "regulation column", deleted=deleted,
                      key=(regulation.id, row["column"]))


def load_exceedance_bands(loader: _Loader) -> None:
    from envhub.compliance.models import ExceedanceBand

    ladders = json.loads(REGULATIONS.read_text("utf-8"))["exceedance_bands"]
    deleted = loader.deleted("compliance.exceedanceband", "medium", "code")
    for medium in ("emission", "water"):
        for row in ladders[medium]:
            values = {"scheme": ladders["scheme"], "lower": row["lower"], "upper": row["upper"],
                      "label": row["label"], "verification": row["verification"]}
            loader.upsert(ExceedanceBand, {"medium": medium, "code": row["code"]}, values,
                          "exceedance band", deleted=deleted, key=(medium, row["code"]))


def load_ambient_limits(loader: _Loader) -> None:
    """QCVN 05:2023 as data: the limits missing are created (unless a steward deleted them)."""
    from envhub.airquality.models import AmbientLimit
    from envhub.registry.models import Medium, Parameter

    data = json.loads(AMBIENT_LIMITS.read_text("utf-8"))
    parameters = {p.code: p for p in Parameter.objects.filter(medium=Medium.AIR)}
    deleted = loader.deleted("airquality.ambientlimit", "standard", "parameter_id", "averaging",
                             "valid_from")
    for row in data["limits"]:
        parameter = parameters[row["parameter"]]
        valid_from = _date(row.get("valid_from"))
        key = (data["standard"], parameter.id, row["averaging"],
               valid_from.isoformat() if valid_from else None)
        values = {"value": row["value"], "valid_until": _date(row.get("valid_until")),
                  "verification": row["verification"], "note": row.get("note", "")}
        loader.upsert(AmbientLimit, {"standard": data["standard"], "parameter": parameter,
                                     "averaging": row["averaging"], "valid_from": valid_from},
                      values, "ambient limit", deleted=deleted, key=key)


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def load_all(actor: Actor, *, update: bool = False) -> LoadReport:
    """Apply the reference data files: nothing when they are the ones applied last; what is
    missing when they changed; everything, overwriting, with `update`."""
    from envhub.core.models import ReferenceVersion

    report = LoadReport()
    current = checksum()
    with transaction.atomic():
        version = ReferenceVersion.objects.select_for_update().filter(name=VERSION_NAME).first()
        if version is not None and version.checksum == current and not update:
            report.up_to_date = True
            return report
        loader = _Loader(actor=actor, report=report, update=update)
        load_administrative_units(loader)
        load_parameters(loader)
        load_regulations(loader)
        load_ambient_limits(loader)
        ReferenceVersion.objects.update_or_create(
            name=VERSION_NAME, defaults={"checksum": current, "applied_at": timezone.now()})
        audit.record(actor, "reference_load", object_type="reference",
                     object_repr="reference data", changes={
                         "checksum": [version.checksum if version else None, current],
                         "created": report.created, "updated": report.updated,
                         "update": update,
                     })
    return report
