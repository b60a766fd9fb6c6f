"""`envhub library reindex`: the index built again from the documents, entries of documents
that are gone dropped."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from envhub.core.permissions import system_actor
from envhub.library import search
from envhub.library.models import Collection, Document

pytestmark = pytest.mark.django_db


def found(text):
    return [hit.document.identifier for hit in search.search(system_actor("test"), text).hits]


def test_it_rebuilds_the_index_and_drops_what_is_gone():
    collection = Collection.objects.create(code="phong", title="Phông lưu trữ")
    document = Document.objects.create(collection=collection, identifier="LT-1",
                                       title="Hồ sơ đê điều Hà Tây")
    search.unindex_document(document.pk)
    with connection.cursor() as cursor:  # an entry left by a document deleted behind our back
        search.backend().upsert(cursor, document.pk + 1000, "de dieu", "", "")
    assert found("đê điều") == []
    out = io.StringIO()
    call_command("library", "reindex", "--batch", "1", stdout=out)
    assert "1 documents indexed." in out.getvalue()
    assert found("de dieu ha tay") == ["LT-1"]
    with connection.cursor() as cursor:
        assert search.backend().indexed_ids(cursor) == {document.pk}
