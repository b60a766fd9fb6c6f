"""Who reads which document, by role and access level: the one rule every road of the library
(search, pages, downloads, API, OAI-PMH, catalogue) asks."""

from __future__ import annotations

import pytest

from envhub.core import permissions
from envhub.core.permissions import ANONYMOUS
from envhub.library.models import Document, DocumentFile

pytestmark = pytest.mark.django_db

SEES = {
    "anonymous": {"TL-1"},
    "operator": {"TL-1"},
    "survey": {"TL-1", "TL-2"},
    "leader": {"TL-1", "TL-2"},
    "officer": {"TL-1", "TL-2", "TL-3"},  # Hà Nội's department is named on TL-3
    "steward": {"TL-1", "TL-2", "TL-3"},
    "librarian": {"TL-1", "TL-2", "TL-3"},
    "admin": {"TL-1", "TL-2", "TL-3"},
}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_it_shows_each_role_the_documents_of_its_levels(world, shelf, persona):
    actor = ANONYMOUS if persona == "anonymous" else world.actor(persona)
    seen = permissions.scope(actor, Document.objects.all())
    assert set(seen.values_list("identifier", flat=True)) == SEES[persona]
    for document in (shelf.public, shelf.internal, shelf.restricted):
        assert permissions.can(actor, "view", document) == (document.identifier in SEES[persona])


def test_it_keeps_a_restricted_document_from_other_organisations(world, shelf):
    shelf.restricted.allowed_organisations.set([world.dept_dongnai])
    officer = world.actor("officer")
    assert not permissions.can(officer, "view", shelf.restricted)
    shelf.restricted.allowed_organisations.add(world.dept_hanoi)
    # Two organisations named, one of them the reader's: the row once, not twice.
    assert permissions.scope(officer, Document.objects.filter(
        pk=shelf.restricted.pk)).count() == 1


def test_it_gives_files_the_rule_of_their_document(world, shelf):
    for document in (shelf.public, shelf.internal):
        DocumentFile.objects.create(document=document, version=1, role="original",
                                    name="a.pdf", storage_name="x", size=1, sha256="0" * 64,
                                    media_type="application/pdf")
    names = permissions.scope(world.actor("operator"), DocumentFile.objects.all())
    assert [file.document_id for file in names] == [shelf.public.pk]


@pytest.mark.parametrize("persona,may", [("librarian", True), ("steward", True),
                                         ("admin", True), ("leader", False),
                                         ("officer", False), ("operator", False)])
def test_it_lets_only_the_keepers_edit(world, shelf, persona, may):
    assert permissions.can(world.actor(persona), "change", shelf.internal) == may
    assert permissions.can(world.actor(persona), "add", Document) == may
