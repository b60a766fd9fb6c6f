"""Who sees the library's rows: its part of the one permission policy (`core/permissions.py`).

A document's `access_level` decides, whatever the road (search, facets, pages, downloads, the
API, OAI-PMH, the catalogue):
- public: everyone, anonymous visitors included;
- internal: the staff of state bodies — admins, stewards, leaders, librarians, provincial
  officers and survey units (the ministry's own units) — not facility operators, who are
  companies;
- restricted: the staff of the organisations named on the document, and those who keep the
  library (admins, stewards, librarians).
Files and texts follow their document. Collections and dossiers are public: they are the
library's shelves, and their counts are taken over the documents a reader may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.core.permissions import (
    ADMIN,
    LEADER,
    LIBRARIAN,
    PROVINCIAL_OFFICER,
    STEWARD,
    SURVEY_UNIT,
    Actor,
    everyone,
    scope_rule,
    write_rule,
)
from envhub.library.models import AccessLevel, Document

KEEPERS = {ADMIN, STEWARD, LIBRARIAN}
INTERNAL_READERS = KEEPERS | {LEADER, PROVINCIAL_OFFICER, SURVEY_UNIT}

scope_rule("library.collection", "library.dossier", public=True)(everyone)


def keeps_the_library(actor: Actor) -> bool:
    """Admins, stewards and librarians add documents, edit metadata and see every document."""
    return actor.is_system or actor.has_role(*KEEPERS)


def document_condition(actor: Actor, prefix: str = "") -> Q | None:
    """The documents `actor` may read, as a condition on `prefix` (a path to a document);
    None: every document."""
    if keeps_the_library(actor):
        return None
    condition = Q(**{f"{prefix}access_level": AccessLevel.PUBLIC})
    if actor.has_role(*INTERNAL_READERS):
        condition |= Q(**{f"{prefix}access_level": AccessLevel.INTERNAL})
    if actor.is_authenticated and actor.organisation_ids:
        named = Document.allowed_organisations.through.objects.filter(
            organisation_id__in=actor.organisation_ids).values("document_id")
        condition |= Q(**{f"{prefix}access_level": AccessLevel.RESTRICTED,
                          f"{prefix}pk__in": named})
    return condition


def _documents_by(prefix: str):
    def rule(actor: Actor, qs: QuerySet) -> QuerySet:
        condition = document_condition(actor, prefix)
        return qs if condition is None else qs.filter(condition)
    return rule


scope_rule("library.document", public=True)(_documents_by(""))
scope_rule("library.documentfile", "library.documenttext", public=True)(
    _documents_by("document__"))


@write_rule("library.collection", "library.dossier", "library.document",
            "library.documentfile", "library.documenttext")
def _write_library(actor: Actor, action: str, obj) -> bool:
    return keeps_the_library(actor)
