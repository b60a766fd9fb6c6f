"""A version's compiled schema is kept per descriptor, not per id: an id given again (SQLite
gives a rolled-back or deleted row's id to the next one) never brings back another version's
fields."""

from __future__ import annotations

import pytest

from envhub.surveys.checking import schema_of
from envhub.surveys.models import SchemaKind, SchemaVersion, SurveySchema

pytestmark = pytest.mark.django_db


def descriptor(field: str) -> dict:
    return {"name": "trees", "titles": {"vi": "Kiểm kê cây xanh", "en": "Tree count"},
            "fields": [{"name": field, "type": "string", "title": "Mã"}]}


def test_an_id_given_again_reads_its_own_descriptor():
    schema = SurveySchema.objects.create(slug="cay-xanh", kind=SchemaKind.GENERIC,
                                         title_vi="Cây xanh")
    first = SchemaVersion.objects.create(schema=schema, number=1, descriptor=descriptor("tree_id"),
                                         created_by="tests")
    assert [field.name for field in schema_of(first).fields] == ["tree_id"]
    pk = first.pk
    first.delete()
    again = SchemaVersion.objects.create(pk=pk, schema=schema, number=1,
                                         descriptor=descriptor("cay_id"), created_by="tests")
    assert [field.name for field in schema_of(again).fields] == ["cay_id"]
    assert schema_of(again) is schema_of(SchemaVersion.objects.get(pk=pk))  # still kept
