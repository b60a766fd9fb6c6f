"""Surveys API: a unit sends its table with its token (`POST /submissions`), follows the
check (`/submissions/{id}/report`) and sends the clean file for review. Thin: parse, call
`workflow`, serialise. Scoped as the pages: another unit's submission is 404."""


import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.core.errors import NotAuthenticated, TooLarge
from envhub.core.pagination import KeysetPagination
from envhub.core.schemas import LocalTime, ObjectIn
from envhub.core.uploads import size_words
from envhub.registry.api import RowId
from envhub.surveys import storage, unitfiles, workflow
from envhub.surveys.models import CheckState, State

router = Router(tags=["surveys"])

WRITE_ERRORS = {400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope,
                404: ErrorEnvelope, 413: ErrorEnvelope}


class AssignmentRef(Schema):
    id: int
    campaign: str
    year: int
    dataset_kind: str
    dataset_title: str
    survey_unit: str
    due_on: datetime.date


class UploadOut(Schema):
    id: int
    number: int
    file_name: str
    size: int
    sha256: str
    uploaded_at: LocalTime
    check_state: str
    check_label: str
    rows_checked: int
    rows_expected: int | None
    rows: int | None
    error_count: int | None
    rows_with_errors: int | None
    clean: bool
    links: dict[str, str]


class SubmissionOut(Schema):
    id: int
    state: str
    state_label: str
    assignment: AssignmentRef
    created_at: LocalTime
    updated_at: LocalTime
    submitted_at: LocalTime | None
    upload: UploadOut | None
    links: dict[str, str]

    @staticmethod
    def resolve_state_label(item) -> str:
        return str(State(item.state).label)

    @staticmethod
    def resolve_assignment(item) -> dict:
        assignment = item.assignment
        return {"id": assignment.pk, "campaign": assignment.campaign.title,
                "year": assignment.campaign.year, "dataset_kind": assignment.schema.kind,
                "dataset_title": assignment.schema.title_vi,
                "survey_unit": item.organisation.name, "due_on": assignment.due_on}

    @staticmethod
    def resolve_upload(item) -> dict | None:
        return upload_out(item.current_upload) if item.current_upload_id else None

    @staticmethod
    def resolve_links(item) -> dict:
        return {"page": reverse("survey-submission", args=[item.pk]),
                "report": reverse("api:submission_report", kwargs={"submission_id": item.pk}),
                "submit": reverse("api:submit_submission", kwargs={"submission_id": item.pk})}


def upload_out(upload) -> dict:
    links = {"file": reverse("survey-upload-file", args=[upload.pk]),
             "progress": reverse("survey-upload-progress", args=[upload.pk])}
    if unitfiles.has_annotated_copy(upload):
        links["annotated"] = reverse("survey-upload-annotated", args=[upload.pk])
    return {"id": upload.pk, "number": upload.number, "file_name": upload.file_name,
            "size": upload.size, "sha256": upload.sha256, "uploaded_at": upload.uploaded_at,
            "check_state": upload.check_state,
            "check_label": str(CheckState(upload.check_state).label),
            "rows_checked": upload.rows_checked, "rows_expected": upload.rows_expected,
            "rows": upload.rows, "error_count": upload.error_count,
            "rows_with_errors": upload.rows_with_errors, "clean": upload.is_clean,
            "links": links}


class ReportOut(Schema):
    submission: int
    upload: UploadOut
    progress: dict
    report: dict = {}


class SubmitIn(ObjectIn):
    comment: str = ""


def _signed_in(request):
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthenticated()
    return actor


@router.post("/submissions", response={201: SubmissionOut, **WRITE_ERRORS},
             summary="Upload a survey unit's table (XLSX or CSV) for an assignment")
def create_submission(request, assignment: Form[int], file: File[UploadedFile]):
    actor = _signed_in(request)
    if file.size > storage.max_bytes():  # only counted by the upload handler
        raise TooLarge(_("The file is %(size)s, more than the %(limit)s a survey file may be: "
                         "nothing was stored.") % {"size": size_words(file.size),
                                                   "limit": size_words(storage.max_bytes())})
    upload = workflow.upload(actor, assignment, file, file.name or "")
    return Status(201, workflow.submission(actor, upload.submission_id))


@router.get("/submissions", response={200: list[SubmissionOut], **READ_ERRORS},
            summary="Survey submissions in your scope, newest first")
@paginate(KeysetPagination, order=("-id",))
def list_submissions(request, state: State | None = None, assignment: RowId | None = None):
    qs = workflow.submissions(_signed_in(request))
    if state is not None:
        qs = qs.filter(state=state)
    if assignment is not None:
        qs = qs.filter(assignment_id=assignment)
    return qs


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **READ_ERRORS},
            summary="One survey submission, with its current file")
def get_submission(request, submission_id: RowId):
    return workflow.submission(_signed_in(request), submission_id)


@router.get("/submissions/{submission_id}/report", response={200: ReportOut, **READ_ERRORS},
            summary="The check of a submission's current file: its progress, then its report")
def submission_report(request, submission_id: RowId):
    item = workflow.submission(_signed_in(request), submission_id)
    upload = item.current_upload
    if upload is None:  # a submission is made by its first upload: never without one
        from envhub.core.errors import NotFound

        raise NotFound()
    return {"submission": item.pk, "upload": upload_out(upload),
            "progress": unitfiles.progress(upload), "report": upload.report or {}}


@router.post("/submissions/{submission_id}/submit", response={200: SubmissionOut,
                                                              **WRITE_ERRORS},
             summary="Send the submission's clean, checked file for review")
def submit_submission(request, submission_id: RowId, body: SubmitIn | None = None):
    actor = _signed_in(request)
    item = workflow.submit(actor, submission_id, (body.comment if body else "").strip())
    return workflow.submission(actor, item.pk)
