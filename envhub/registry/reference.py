"""Reference data: provinces and wards (from `vietnam-provinces`), parameters and their aliases,
and the regulations. Loading is idempotent: run it again after an upgrade and it adds what is new
and corrects what changed, without touching the abbreviations a steward has edited."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

import vietnam_provinces
from django.db import transaction

from envhub.core import audit
from envhub.core.permissions import Actor
from envhub.core.text import search_document

DATA = Path(__file__).parent / "data"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def load_administrative_units(report: LoadReport) -> None:
    from envhub.registry.models import Province, Ward

    abbreviations = json.loads((DATA / "province_abbreviations.json").read_text("utf-8"))
    abbreviations = abbreviations["abbreviations"]
    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text("utf-8"))
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
        elif any(getattr(province, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(province, key, value)
            province.save()
            report.count("province", False)

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
            elif any(getattr(ward, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(ward, key, value)
                ward.save()
                report.count("ward", False)
    # 3,321 rows: one INSERT per batch rather than per row.
    Ward.objects.bulk_create(new_wards, batch_size=500)


def load_parameters(report: LoadReport) -> None:
    from envhub.registry.models import Parameter, ParameterAlias

    data = json.loads((DATA / "parameters.json").read_text("utf-8"))["parameters"]
    for item in data:
        defaults = {
            "name_vi": item["name_vi"], "name_en": item["name_en"], "unit": item["unit"],
            "minimum": item.get("minimum"), "maximum": item.get("maximum"),
        }
        parameter, created = Parameter.objects.get_or_create(
            medium=item["medium"], code=item["code"], defaults=defaults
        )
        if not created and any(getattr(parameter, k) != v for k, v in defaults.items()):
            for key, value in defaults.items():
                setattr(parameter, key, value)
            parameter.save()
            report.count("parameter", False)
        elif created:
            report.count("parameter", True)
        for symbol in item["aliases"]:
            key = ParameterAlias.key(symbol)
            if not ParameterAlias.objects.filter(medium=parameter.medium, alias_key=key).exists():
                ParameterAlias.objects.create(parameter=parameter, alias=symbol)
                report.count("parameter alias", True)


def load_regulations(report: LoadReport) -> None:
    from envhub.compliance.models import Regulation

    data = json.loads((Path(__file__).parent.parent / "compliance" / "data" /
                       "regulations.json").read_text("utf-8"))["regulations"]
    by_code = {}
    for item in data:
        values = {
            "title": item["title"], "medium": item["medium"], "legal_basis": item["legal_basis"],
            "effective_from": _date(item["effective_from"]),
            "applicable_until": _date(item["applicable_until"]),
            "source_url": item["source_url"],
        }
        regulation, created = Regulation.objects.get_or_create(code=item["code"], defaults=values)
        if created:
            report.count("regulation", True)
        by_code[item["code"]] = regulation
    for item in data:
        if item["replaced_by"]:
            regulation = by_code[item["code"]]
            regulation.replaced_by = by_code[item["replaced_by"]]
            regulation.save(update_fields=["replaced_by"])


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def load_all(actor: Actor) -> LoadReport:
    report = LoadReport()
    with transaction.atomic():
        load_administrative_units(report)
        load_parameters(report)
        load_regulations(report)
        if report.created or report.updated:
            audit.record(actor, "reference_load", object_type="reference",
                         object_repr="reference data",
                         changes={"created": report.created, "updated": report.updated})
    return report
