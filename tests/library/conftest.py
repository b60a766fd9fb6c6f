"""The library's shelves for tests: one collection and one document at each access level,
the restricted one readable by Hà Nội's department of environment."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from envhub.library.models import AccessLevel, Collection, Document


@pytest.fixture(autouse=True)
def _own_library_folder(library_folder):
    """Every library test stores into a fresh folder of its own (`tests/conftest.py`)."""
    return library_folder


@dataclass
class Shelf:
    collection: Collection
    public: Document
    internal: Document
    restricted: Document


@pytest.fixture
def shelf(world) -> Shelf:
    collection = Collection.objects.create(code="bao-cao", title="Báo cáo hiện trạng môi trường")

    def document(identifier: str, level: str) -> Document:
        return Document.objects.create(collection=collection, identifier=identifier,
                                       title=f"Tài liệu {level}", access_level=level)

    restricted = document("TL-3", AccessLevel.RESTRICTED)
    restricted.allowed_organisations.set([world.dept_hanoi])
    return Shelf(collection, document("TL-1", AccessLevel.PUBLIC),
                 document("TL-2", AccessLevel.INTERNAL), restricted)
