"""The built-in survey schemas as reference data (`core/reference.py`): each file of `schemas/`
becomes a schema with its first version. A steward's later versions are theirs: loading adds a
version from the file only with `--update`, and only when the file says something new."""

from __future__ import annotations

import json
from pathlib import Path

from envhub.core import reference
from envhub.core.reference import Loader
from envhub.surveys.tableschema import BUILT_IN, SCHEMAS_DIR, compile_schema

# Built-in file → (schema identifier, kind).
KINDS = {
    "periodic_results": ("ket-qua-quan-trac-dinh-ky", "periodic_results"),
    "emission_inventory": ("dieu-tra-nguon-thai-khi-thai", "emission_inventory"),
    "generic_example": ("gieng-nuoc-ho-gia-dinh", "generic"),
}


def data_files() -> list[Path]:
    return [SCHEMAS_DIR / f"{name}.json" for name in BUILT_IN]


def load_schemas(loader: Loader) -> None:
    from envhub.surveys.models import SchemaVersion, SurveySchema

    deleted = loader.deleted("surveys.surveyschema", "slug")
    for name in BUILT_IN:
        descriptor = json.loads((SCHEMAS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        compiled = compile_schema(descriptor)
        slug, kind = KINDS[name]
        schema, _created = loader.upsert(
            SurveySchema, {"slug": slug},
            {"kind": kind, "title_vi": compiled.title_vi, "title_en": compiled.title_en},
            "survey schema", deleted=deleted, key=(slug,))
        if schema is None:
            continue
        current = schema.current()
        if current is None or (loader.update and current.descriptor != descriptor):
            SchemaVersion.objects.create(
                schema=schema, number=(current.number + 1) if current else 1,
                descriptor=descriptor, created_by=loader.actor.label,
                note="envhub" if current is None else "envhub --update")
            loader.report.count("survey schema version", True)
            loader.changed = True


reference.register("surveys", data_files, load_schemas)
