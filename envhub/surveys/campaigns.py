"""Campaigns as the stewards run them: creating one with its assignments (which unit owes which
dataset kind, by when), moving a deadline, and the progress of each unit and kind. Services:
they check who may act and record an audit event; the pages only call them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated
from envhub.core.permissions import ADMIN, STEWARD, Actor
from envhub.core.timeutil import VN
from envhub.registry.models import Organisation, OrganisationKind
from envhub.surveys import workflow
from envhub.surveys.models import (
    Assignment,
    Campaign,
    LoadState,
    State,
    Submission,
    SurveySchema,
    Version,
)

ACCESS_CLASSES = ("open", "shared", "internal")


def may_manage(actor: Actor) -> bool:
    return actor.kind == "user" and actor.has_role(STEWARD, ADMIN) or actor.is_system


def _require_manager(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not may_manage(actor):
        raise Forbidden(_("Only data stewards create and change survey campaigns."))


def create_campaign(actor: Actor, *, title: str, year: int, description: str = "",
                    schema_ids, unit_ids, due_on: datetime.date,
                    access_class: str = "shared") -> Campaign:
    """A campaign and its assignments: every chosen unit owes every chosen dataset kind by
    `due_on` (each assignment's deadline may be moved later)."""
    _require_manager(actor)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the campaign a title.")]
    if access_class not in ACCESS_CLASSES:
        errors["access_class"] = [_("Choose an access class.")]
    schemas = list(SurveySchema.objects.filter(pk__in=list(schema_ids or ())))
    units = list(Organisation.objects.filter(pk__in=list(unit_ids or ()),
                                             kind=OrganisationKind.SURVEY_UNIT))
    if not schemas:
        errors["schemas"] = [_("Choose at least one dataset kind.")]
    if not units:
        errors["units"] = [_("Choose at least one survey unit.")]
    if errors:
        raise InvalidInput(_("Some values are not valid."), errors)
    with transaction.atomic():
        item = Campaign.objects.create(title=title[:200], year=year,
                                       description=(description or "")[:5000],
                                       created_by=actor.label)
        audit.record(actor, "create", item, {"title": [None, item.title],
                                             "year": [None, year]})
        for schema in schemas:
            for unit in units:
                assignment = Assignment.objects.create(
                    campaign=item, schema=schema, organisation=unit, due_on=due_on,
                    access_class=access_class)
                audit.record(actor, "create", assignment, {
                    "schema": [None, schema.slug], "organisation": [None, unit.name],
                    "due_on": [None, due_on.isoformat()],
                    "access_class": [None, access_class]})
    return item


def set_deadline(actor: Actor, assignment_id: int, due_on: datetime.date) -> Assignment:
    _require_manager(actor)
    item = workflow.assignment(actor, assignment_id)
    before = item.due_on
    item.due_on = due_on
    item.save(update_fields=["due_on"])
    audit.record(actor, "change", item, {"due_on": [before.isoformat(), due_on.isoformat()]})
    return item


# --- progress --------------------------------------------------------------------------------

@dataclass
class ProgressRow:
    assignment: Assignment
    submission: Submission | None
    state: str  # a submission's state, or "none" when the unit sent nothing yet
    state_label: str
    rows: int | None
    errors: int | None
    versions: list[Version]
    loaded: int
    overdue: bool


@dataclass
class Progress:
    campaign: Campaign
    rows: list[ProgressRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "campaign": {"id": self.campaign.pk, "title": self.campaign.title,
                         "year": self.campaign.year},
            "totals": self.totals,
            "results": [{
                "assignment": row.assignment.pk,
                "unit": row.assignment.organisation.name,
                "kind": row.assignment.schema.slug,
                "kind_title": row.assignment.schema.title_vi,
                "due_on": row.assignment.due_on.isoformat(),
                "overdue": row.overdue,
                "state": row.state,
                "submission": row.submission.pk if row.submission else None,
                "rows": row.rows, "errors": row.errors,
                "versions": [{"number": v.number, "load_state": v.load_state,
                              "sha256": v.sha256, "id": v.pk} for v in row.versions],
                "versions_loaded": row.loaded,
            } for row in self.rows],
        }


NONE = "none"


def progress(actor: Actor, campaign_id: int, today: datetime.date | None = None) -> Progress:
    """Per unit and dataset kind: the newest submission's state, its current file's rows and
    errors, the versions and how many are loaded, the deadline and whether it is overdue
    (passed, and nothing approved). A unit sees its own assignments only (the policy)."""
    item = workflow.campaign(actor, campaign_id)
    today = today or timezone.now().astimezone(VN).date()
    assignments = list(workflow.assignments(actor).filter(campaign=item).order_by(
        "organisation__name", "schema__title_vi"))
    ids = [a.pk for a in assignments]
    newest: dict[int, Submission] = {}
    for submission in Submission.objects.filter(assignment_id__in=ids).select_related(
            "current_upload").order_by("assignment_id", "-id"):
        newest.setdefault(submission.assignment_id, submission)
    versions: dict[int, list[Version]] = {}
    for version in Version.objects.filter(assignment_id__in=ids).order_by(
            "assignment_id", "-number"):
        versions.setdefault(version.assignment_id, []).append(version)
    labels = dict(State.choices)
    result = Progress(campaign=item, totals={NONE: 0, **{state: 0 for state in State.values}})
    for assignment in assignments:
        submission = newest.get(assignment.pk)
        own = versions.get(assignment.pk, [])
        upload = submission.current_upload if submission else None
        state = submission.state if submission else NONE
        approved = bool(own)
        result.rows.append(ProgressRow(
            assignment=assignment, submission=submission, state=state,
            state_label=str(labels.get(state, _("Nothing sent yet"))),
            rows=upload.rows if upload else None,
            errors=upload.error_count if upload else None, versions=own,
            loaded=sum(1 for v in own if v.load_state == LoadState.LOADED),
            overdue=assignment.due_on < today and not approved))
        result.totals[state] += 1
    result.totals["overdue"] = sum(1 for row in result.rows if row.overdue)
    return result
