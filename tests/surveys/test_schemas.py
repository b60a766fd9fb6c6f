"""The built-in table schemas are valid Table Schemas, and a bad descriptor is refused with
what is wrong."""

from __future__ import annotations

import pytest

from envhub.surveys import tableschema
from envhub.surveys.tableschema import SchemaError, compile_schema


@pytest.mark.parametrize("name", tableschema.BUILT_IN)
def test_each_built_in_kind_compiles_with_labels_in_both_languages(name):
    schema = tableschema.built_in(name)
    assert schema.title_vi and schema.title_en and schema.title_vi != schema.title_en
    for item in schema.fields:
        assert item.title_vi and item.title_en
    assert set(schema.primary_key) <= set(schema.names)
    assert {fk.resource for fk in schema.foreign_keys} <= set(tableschema.REGISTRY_RESOURCES)


def test_the_built_in_kinds_reference_the_registry_codes_the_issue_names():
    resources = {fk.resource for name in tableschema.BUILT_IN
                 for fk in tableschema.built_in(name).foreign_keys}
    assert resources == {"registry:province", "registry:ward", "registry:facility",
                         "registry:station", "registry:parameter"}
    results = tableschema.built_in("periodic_results")
    assert results.field("sampling_date").required
    assert results.field("medium").enum == ("air", "water", "emission", "soil")
    assert results.parameter_units == {"medium": "medium", "parameter": "parameter",
                                       "unit": "unit"}
    inventory = tableschema.built_in("emission_inventory")
    assert inventory.field("stack_height").unit == "m"
    assert inventory.field("stack_height").header() == "Chiều cao ống khói (m)"


GOOD = {"name": "x", "type": "integer"}


@pytest.mark.parametrize("descriptor, words", [
    ({"fields": [{"name": "x", "type": "geopoint"}]}, "geopoint"),
    ({"fields": [{"name": "x", "type": "nonsense"}]}, "nonsense"),
    ({"fields": [GOOD, GOOD]}, "not unique"),
    ({"fields": [GOOD], "primaryKey": ["y"]}, ""),
    ({"fields": [GOOD], "foreignKeys": [{"fields": ["x"], "reference": {
        "resource": "registry:river", "fields": ["code"]}}]}, "registry:river"),
    ({"fields": [GOOD], "foreignKeys": [{"fields": ["x"], "reference": {
        "resource": "registry:province", "fields": ["name"]}}]}, "code"),
    ({"fields": [{"name": "x", "type": "string", "constraints": {"pattern": "(["}}]},
     "pattern"),
    ({"fields": [GOOD], "parameterUnits": {"medium": "x"}}, "parameterUnits"),
    ([], "JSON object"),
])
def test_it_refuses_a_bad_descriptor_saying_why(descriptor, words):
    with pytest.raises(SchemaError) as error:
        compile_schema(descriptor)
    assert words in str(error.value)


@pytest.mark.parametrize("kind, constraints", [
    ("integer", {"minimum": "x"}), ("date", {"maximum": "31/02/2026"}),
    ("number", {"maximum": "một"}),
])
def test_a_bound_that_is_not_of_the_field_s_type_is_refused(kind, constraints):
    with pytest.raises(SchemaError) as error:
        compile_schema({"fields": [{"name": "x", "type": kind, "constraints": constraints}]})
    assert f"is not a {kind}" in str(error.value)
