"""A submission's road: draft → submitted → returned with comments → resubmitted → approved →
loaded. Each step is a service here: it checks who may take it (a unit's own people upload and
send; stewards return and approve; nobody else), records a review step and an audit event, and
tells the people concerned. Checking files and loading versions run in the worker
(`checking.py`, `loading.py`)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import Forbidden, InvalidInput, NotFound
from envhub.core.permissions import ADMIN, STEWARD, SURVEY_UNIT, Actor
from envhub.surveys import notices, storage
from envhub.surveys.models import (
    AWAITING_REVIEW,
    Assignment,
    Campaign,
    CheckState,
    LoadState,
    ReviewStep,
    SchemaKind,
    State,
    Submission,
    Upload,
    Version,
)

MAX_COMMENT = 4000
MAX_POINTED_ROWS = 200


# --- reading -----------------------------------------------------------------------------------

def campaigns(actor: Actor) -> QuerySet:
    return permissions.visible(actor, Campaign.objects.all())


def campaign(actor: Actor, campaign_id: int) -> Campaign:
    return _one(campaigns(actor), campaign_id)


def assignments(actor: Actor) -> QuerySet:
    return permissions.visible(actor, Assignment.objects.select_related(
        "campaign", "schema", "organisation"))


def assignment(actor: Actor, assignment_id: int) -> Assignment:
    return _one(assignments(actor), assignment_id)


def submissions(actor: Actor) -> QuerySet:
    return permissions.visible(actor, Submission.objects.select_related(
        "assignment__campaign", "assignment__schema", "organisation", "current_upload"))


def submission(actor: Actor, submission_id: int) -> Submission:
    return _one(submissions(actor), submission_id)


def review_queue(actor: Actor) -> QuerySet:
    """What waits for a steward: sent or sent again, oldest first."""
    _require_reviewer(actor)
    return submissions(actor).filter(state__in=AWAITING_REVIEW).order_by("submitted_at", "id")


def upload_of(actor: Actor, upload_id: int) -> Upload:
    return _one(permissions.visible(actor, Upload.objects.select_related(
        "submission__assignment__schema", "schema_version")), upload_id)


def version_of(actor: Actor, version_id: int) -> Version:
    return _one(permissions.visible(actor, Version.objects.select_related(
        "assignment__schema", "upload", "schema_version")), version_id)


def _one(qs: QuerySet, pk):
    try:
        return qs.get(pk=int(pk))
    except (Submission.DoesNotExist, Upload.DoesNotExist, Version.DoesNotExist,
            Assignment.DoesNotExist, Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- who may take a step ---------------------------------------------------------------------

def is_unit_member(actor: Actor, organisation_id: int) -> bool:
    return actor.has_role(SURVEY_UNIT) and organisation_id in actor.organisation_ids


def is_reviewer(actor: Actor) -> bool:
    return actor.kind == "user" and actor.has_role(STEWARD, ADMIN) or actor.is_system


def _require_unit(actor: Actor, organisation_id: int) -> None:
    if not is_unit_member(actor, organisation_id):
        raise Forbidden(_("Only the survey unit's own people upload and send its files."))


def _require_reviewer(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise permissions.NotAuthenticated()
    if not is_reviewer(actor):
        raise Forbidden(_("Only data stewards review survey submissions."))


# --- the steps ---------------------------------------------------------------------------------

def upload(actor: Actor, assignment_id: int, file, file_name: str) -> Upload:
    """A unit's file for an assignment: into its open submission (a draft, or one returned to
    it), or a new draft when it has none (the first, or a correction after approval). The file
    is checked by the worker; the page follows its progress."""
    target = assignment(actor, assignment_id)
    _require_unit(actor, target.organisation_id)
    schema_version = target.schema.current()
    # Said before the file is stored (and again below, under the lock): nothing half-stored.
    if target.submissions.filter(state__in=AWAITING_REVIEW).exists():
        raise InvalidInput(_("This dataset is being reviewed: wait for the steward's "
                             "decision before uploading another file."),
                           {"state": ["submitted"]})
    stored_as, size, sha256 = storage.keep(file, file_name)
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=target.pk).first()
        submission = target.submissions.exclude(state__in=(State.APPROVED, State.LOADED)) \
            .order_by("-id").first()
        if submission is not None and submission.state in AWAITING_REVIEW:
            raise InvalidInput(_("This dataset is being reviewed: wait for the steward's "
                                 "decision before uploading another file."),
                               {"state": [submission.state]})
        if submission is None:
            submission = Submission.objects.create(
                assignment=target, organisation_id=target.organisation_id,
                created_by=actor.label)
            audit.record(actor, "create", submission)
        number = (submission.uploads.aggregate(n=Max("number"))["n"] or 0) + 1
        item = Upload.objects.create(
            submission=submission, number=number, schema_version=schema_version,
            file_name=file_name[:255], stored_as=stored_as, size=size, sha256=sha256,
            uploaded_by=actor.label)
        submission.current_upload = item
        submission.updated_at = timezone.now()
        submission.save(update_fields=["current_upload", "updated_at"])
        audit.record(actor, "upload", item, {"file": [None, item.file_name],
                                             "sha256": [None, sha256], "size": [None, size]})
    return item


def submit(actor: Actor, submission_id: int, comment: str = "") -> Submission:
    """Send the current file for review: a draft is submitted, a returned one resubmitted. Only
    a file checked against the schema's current version without a single error may go."""
    item = submission(actor, submission_id)
    _require_unit(actor, item.organisation_id)
    if item.state not in (State.DRAFT, State.RETURNED):
        raise InvalidInput(_("This submission is not waiting for the unit: it is “%(state)s”.")
                           % {"state": item.get_state_display()}, {"state": [item.state]})
    refusal = file_refusal(item)
    if refusal is not None:
        code, message = refusal
        raise InvalidInput(message, {"file": [code]})
    to = State.SUBMITTED if item.state == State.DRAFT else State.RESUBMITTED
    _step(actor, item, "submit" if to == State.SUBMITTED else "resubmit", to, comment)
    item.submitted_at = timezone.now()
    item.save(update_fields=["submitted_at"])
    notices.tell(to, item, comment=comment, by=actor.label)
    return item


def file_refusal(item: Submission) -> tuple[str, str] | None:
    """Why the submission's current file may not be sent for review, as (code, message); None
    when it may. The pages say it beside the send button; `submit` refuses with it."""
    current = item.current_upload
    if current is None or current.check_state in (CheckState.QUEUED, CheckState.RUNNING):
        return "not_checked", _("Wait until the file has been checked before sending it.")
    if current.check_state == CheckState.FAILED:
        return "not_checked", _("The file could not be checked: upload it again.")
    if current.report.get("refused"):
        return "refused", _("The file was refused as a whole (the report says why): upload the "
                            "template filled in, as XLSX or CSV.")
    if not current.is_clean:
        return "has_errors", _("A file with errors cannot be sent for review: correct the cells "
                               "the report names and upload the file again.")
    if current.schema_version_id != item.assignment.schema.current().pk:
        return "old_schema", _("The dataset's table schema changed after this file was "
                               "checked: upload it again to check it against the new version.")
    return None


def return_to_unit(actor: Actor, submission_id: int, comment: str,
                   rows: list[int] | None = None) -> Submission:
    """Send it back with the reasons (and the rows they are about); the unit corrects, uploads
    and sends again. A version whose loading failed may be returned too."""
    item = submission(actor, submission_id)
    _require_reviewer(actor)
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(_("Say what the unit must correct."), {"comment": ["required"]})
    failed = item.state == State.APPROVED and Version.objects.filter(
        submission=item, load_state=LoadState.FAILED).exists()
    if item.state not in AWAITING_REVIEW and not failed:
        raise InvalidInput(_("Only a submission waiting for review can be returned."),
                           {"state": [item.state]})
    _step(actor, item, "return", State.RETURNED, comment, rows)
    notices.tell("returned", item, comment=comment, by=actor.label)
    return item


def approve(actor: Actor, submission_id: int, comment: str = "",
            plan_fingerprint: str | None = None) -> Version:
    """Approve the current file: it becomes the dataset's next immutable version, which the
    worker loads. For the inventory, the steward approves the changes they were shown: the
    loading refuses if the registry changed since (`plan_fingerprint`)."""
    item = submission(actor, submission_id)
    _require_reviewer(actor)
    if item.state not in AWAITING_REVIEW:
        raise InvalidInput(_("Only a submission waiting for review can be approved."),
                           {"state": [item.state]})
    current = item.current_upload
    kind = item.assignment.schema.kind
    if kind == SchemaKind.EMISSION_INVENTORY and plan_fingerprint != current.plan.get(
            "fingerprint"):
        raise InvalidInput(_("Look at the changes to the registry before approving."),
                           {"plan": ["not_seen"]})
    with transaction.atomic():
        Assignment.objects.select_for_update().filter(pk=item.assignment_id).first()
        # Looked at again under the lock: a second steward approving at the same moment
        # hears that it is decided, before a second version of one file is tried.
        if not Submission.objects.filter(pk=item.pk, state=item.state).exists():
            raise _changed_meanwhile()
        number = (item.assignment.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = Version.objects.create(
            assignment=item.assignment, number=number, submission=item, upload=current,
            sha256=current.sha256, schema_version=current.schema_version,
            approved_by=actor.label, rows=current.rows or 0)
        _step(actor, item, "approve", State.APPROVED, comment)
        audit.record(actor, "approve", version, {"version": [None, number],
                                                 "sha256": [None, current.sha256]})
    notices.tell("approved", item, comment=comment, by=actor.label)
    return version


def _changed_meanwhile() -> InvalidInput:
    return InvalidInput(_("Someone else changed this submission meanwhile: reload the page."),
                        {"state": ["changed"]})


def _step(actor: Actor, item: Submission, action: str, to: str, comment: str = "",
          rows: list[int] | None = None) -> ReviewStep:
    if len(comment or "") > MAX_COMMENT:
        raise InvalidInput(_("A comment may have at most %(count)d characters.")
                           % {"count": MAX_COMMENT}, {"comment": ["too_long"]})
    if "\x00" in (comment or ""):  # PostgreSQL's text cannot hold it (a 500 there)
        raise InvalidInput(_("A comment may not contain the NUL character."),
                           {"comment": ["nul"]})
    rows = sorted({int(row) for row in rows or () if int(row) > 0})
    if len(rows) > MAX_POINTED_ROWS:
        raise InvalidInput(_("A comment may point at %(count)d rows at most.")
                           % {"count": MAX_POINTED_ROWS}, {"rows": ["too_many"]})
    with transaction.atomic():
        # The state is changed only if no one changed it meanwhile (two stewards at once).
        changed = Submission.objects.filter(pk=item.pk, state=item.state).update(
            state=to, updated_at=timezone.now())
        if not changed:
            raise _changed_meanwhile()
        step = ReviewStep.objects.create(submission=item, action=action, from_state=item.state,
                                         to_state=to, by=actor.label, comment=comment or "",
                                         rows=rows)
        audit.record(actor, action, item, {"state": [item.state, to],
                                           **({"comment": [None, comment]} if comment else {})})
    item.state = to
    return step


def parse_rows(text: str) -> list[int]:
    """Rows a comment points at, as a steward types them: "12, 15-18"."""
    found: list[int] = []
    for part in (text or "").replace(";", ",").split(",")[:MAX_POINTED_ROWS + 1]:
        part = part.strip()
        if not part:
            continue
        low, _dash, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise InvalidInput(_("Write rows as numbers, for example “12, 15-18”."),
                               {"rows": [part[:20]]}) from None
        if first < 1 or last < first or last - first >= MAX_POINTED_ROWS:
            raise InvalidInput(_("Write rows as numbers, for example “12, 15-18”."),
                               {"rows": [part[:20]]})
        found.extend(range(first, last + 1))
    return found
