"""What people hear of a submission's steps, in-app and by e-mail (compliance's notifications
and their delivery): the stewards when a unit sends its file or a loading fails, the unit's
people when their file is returned, approved or loaded. Each reads it in their own language."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.accounts.naming import actor_named
from envhub.compliance import alerts
from envhub.compliance.models import NotificationKind

TO_STEWARDS = {"submitted", "resubmitted", "load_failed"}
TO_UNIT = {"returned", "approved", "loaded", "load_failed"}


def tell(event: str, submission, *, comment: str = "", by: str = "") -> None:
    assignment = submission.assignment
    alerts.announce(NotificationKind.SURVEY, {
        "event": event, "submission": submission.pk,
        "organisation": submission.organisation_id, "unit": submission.organisation.name,
        "campaign": assignment.campaign.title, "kind_vi": assignment.schema.title_vi,
        "kind_en": assignment.schema.title_en or assignment.schema.title_vi,
        "comment": comment[:1000], "by": by,
        "path": reverse("survey-submission", args=[submission.pk]),
    })


def _audience(notification) -> Q:
    from envhub.accounts.models import Role

    event = notification.payload.get("event")
    wanted = Q(pk__in=[])
    if event in TO_STEWARDS:
        wanted |= Q(role=Role.STEWARD)
    if event in TO_UNIT:
        wanted |= Q(role=Role.SURVEY_UNIT,
                    organisation_id=notification.payload.get("organisation"))
    return wanted


def _text(notification, data: dict) -> tuple[str, str]:
    kind = data["kind_en"] if (get_language() or "vi")[:2] == "en" else data["kind_vi"]
    names = {"unit": data["unit"], "kind": kind, "campaign": data["campaign"],
             "number": data["submission"]}
    subjects = {
        "submitted": _("%(unit)s sent “%(kind)s” for review"),
        "resubmitted": _("%(unit)s sent “%(kind)s” again after corrections"),
        "returned": _("“%(kind)s” was returned to you with comments"),
        "approved": _("“%(kind)s” was approved"),
        "loaded": _("“%(kind)s” is loaded into the database"),
        "load_failed": _("“%(kind)s” could not be loaded"),
    }
    subject = subjects[data["event"]] % names
    lines = [_("Campaign: %(campaign)s · submission no. %(number)s") % names]
    if data.get("comment"):
        lines.append(_("Comment: %(comment)s") % {"comment": data["comment"]})
    if data.get("by"):
        lines.append(_("By: %(by)s") % {"by": actor_named(data["by"]).text})
    lines.append(data["path"])
    return subject, "\n".join(lines)


alerts.register_kind(NotificationKind.SURVEY, _text, _audience)
