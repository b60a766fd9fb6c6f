"""Who sees the surveys' rows: its part of the one permission policy (`core/permissions.py`).

National roles (admin, steward, leader) see every campaign and submission; a survey unit sees
its own organisation's assignments, submissions, files and versions, and the campaigns it is
assigned to; nobody else sees any. A generic table's approved rows are also read by whoever
its catalogue dataset's access class admits (`published_tables`). Schemas are public: a
template is documentation. What a role may *do* to a submission (upload, send, return,
approve) is decided in `workflow.py`, which asks the rules below first, so that a row out of
scope is a 404 there too."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from envhub.core.permissions import (
    SURVEY_UNIT,
    Actor,
    any_of,
    everyone,
    scope_rule,
    write_rule,
)
from envhub.core.providers import readable_keys

scope_rule("surveys.surveyschema", "surveys.schemaversion", public=True)(everyone)


def _own(actor: Actor, qs: QuerySet, path: str) -> QuerySet:
    if actor.sees_everything:
        return qs
    if actor.has_role(SURVEY_UNIT) and actor.organisation_ids:
        return qs.filter(**{f"{path}__in": actor.organisation_ids})
    return qs.none()


@scope_rule("surveys.campaign")
def _campaigns(actor: Actor, qs: QuerySet) -> QuerySet:
    return _own(actor, qs, "assignments__organisation_id").distinct()


@scope_rule("surveys.assignment")
def _assignments(actor: Actor, qs: QuerySet) -> QuerySet:
    return _own(actor, qs, "organisation_id")


@scope_rule("surveys.submission")
def _submissions(actor: Actor, qs: QuerySet) -> QuerySet:
    return _own(actor, qs, "organisation_id")


@scope_rule("surveys.upload", "surveys.reviewstep")
def _submission_parts(actor: Actor, qs: QuerySet) -> QuerySet:
    return _own(actor, qs, "submission__organisation_id")


@scope_rule("surveys.version")
def _versions(actor: Actor, qs: QuerySet) -> QuerySet:
    return _own(actor, qs, "assignment__organisation_id")


TABLES = "surveys.tables"  # the catalogue provider of generic tables (`datasets.py`)


def published_tables(actor: Actor) -> set[int]:
    """The generic-table assignments whose catalogue dataset the actor may read by its access
    class (open: everyone; shared: government accounts; internal: the data centre), as the
    catalogue decides (`permissions.catalogue_classes`); withdrawn ones for nobody."""
    return {int(key) for key in readable_keys(TABLES, actor) if key.isdecimal()}


@scope_rule("surveys.tablerow")
def _rows(actor: Actor, qs: QuerySet) -> QuerySet:
    # A generic table's rows belong to the dataset, not to a record of the registry: whoever
    # the dataset's access class admits reads them all, on every road (catalogue, CKAN, the
    # rows page); the unit that sent them reads its own whatever the class.
    if actor.sees_everything:
        return qs
    conditions = [Q(version__assignment_id__in=sorted(published_tables(actor)))]
    if actor.has_role(SURVEY_UNIT) and actor.organisation_ids:
        conditions.append(Q(version__assignment__organisation_id__in=actor.organisation_ids))
    return any_of(qs, conditions)


@write_rule("surveys.submission", "surveys.upload", "surveys.reviewstep", "surveys.version",
            "surveys.tablerow")
def _write_submissions(actor: Actor, action: str, obj) -> bool:
    # Only the workflow writes these (its own checks say who may take which step); the admin
    # shows them read-only to everyone, an administrator included.
    return False
