"""The registry's reference data: provinces and wards (from `vietnam-provinces`, with the
abbreviations TT10 file names use), parameters and their aliases. Applied by `envhub reference`
(`core/reference.py`, which says what loading keeps of stewards' edits). A province's
abbreviation is never overwritten, not even by --update."""

from __future__ import annotations

import json
from pathlib import Path

import vietnam_provinces

from envhub.core import reference, services
from envhub.core.reference import Loader
from envhub.core.text import search_document

DATA = Path(__file__).parent / "data"


def data_files() -> list[Path]:
    return [
        Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH),
        DATA / "province_abbreviations.json",
        DATA / "parameters.json",
    ]


def load(loader: Loader) -> None:
    load_administrative_units(loader)
    load_parameters(loader)


def _short_name(name: str) -> str:
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def load_administrative_units(loader: Loader) -> None:
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


def load_parameters(loader: Loader) -> None:
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


reference.register("registry", data_files, load)
