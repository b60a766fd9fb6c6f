"""Loading approved versions in the worker: each kind's loader writes the version's rows through
the services of the app that owns them, in one transaction, so that a loader that fails leaves
nothing half-loaded — the version says why, and the submission can be returned to its unit.

- periodic monitoring results → observations of periodic stations (`monitoring.samples`);
- the emission source inventory → facilities, stacks and their yearly figures
  (`registry.inventory`), exactly the changes the steward approved;
- a generic table → its typed rows (`TableRow`), published by the catalogue provider."""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit, workers
from envhub.core.permissions import system_actor
from envhub.surveys import checking, notices
from envhub.surveys.loaders import LOADERS, LoadRefused
from envhub.surveys.models import LoadState, ReviewStep, State, Submission, Version

logger = logging.getLogger("envhub.surveys")

STALE = datetime.timedelta(minutes=5)


def claim(worker: str) -> Version | None:
    now = timezone.now()
    claimable = Q(load_state=LoadState.WAITING) | Q(load_state=LoadState.LOADING,
                                                    heartbeat_at__lt=now - STALE)
    for version_id in Version.objects.filter(claimable).order_by("id").values_list(
            "id", flat=True)[:10]:
        if Version.objects.filter(claimable, pk=version_id).update(
                load_state=LoadState.LOADING, claimed_by=worker, heartbeat_at=now):
            return Version.objects.select_related(
                "assignment__schema", "assignment__campaign", "upload", "schema_version",
                "submission__organisation").get(pk=version_id)
    return None


class Superseded(Exception):
    """The version is no longer this worker's claim: another took it over after the lease."""


def _ours(version: Version):
    return Version.objects.filter(pk=version.pk, claimed_by=version.claimed_by,
                                  load_state=LoadState.LOADING)


def load(version: Version) -> bool:
    """Load one version; True when it is loaded, False when its loader refused it or another
    worker took it over (a loader's transaction cannot renew the heartbeat others see, so a
    stalled worker may find its claim gone: it then writes nothing)."""
    actor = system_actor(f"survey loader (version {version.pk})")
    loader = LOADERS[version.assignment.schema.kind]
    earlier = list(Version.objects.filter(
        assignment=version.assignment, number__lt=version.number,
        load_state=LoadState.LOADED).values_list("pk", flat=True))
    try:
        with transaction.atomic():
            # The row stays locked while the loader runs: on PostgreSQL a takeover waits
            # for the end of this transaction, then finds the version loaded.
            if _ours(version).select_for_update().values_list("pk", flat=True).first() is None:
                raise Superseded()
            summary = loader(actor, version, checking.typed_rows(version.upload), earlier)
            if not _ours(version).update(
                    load_state=LoadState.LOADED, loaded_at=timezone.now(),
                    load_summary=summary, load_error=""):
                raise Superseded()
            _move(actor, version.submission, "load", State.LOADED)
            audit.record(actor, "load", version, {"loaded": [None, summary]})
    except Superseded:
        logger.warning("survey version %s was taken over by another worker", version.pk)
        return False
    except (LoadRefused, checking.RowNoLongerValid) as refusal:
        reason = _reason(refusal)
        if _ours(version).update(load_state=LoadState.FAILED, load_error=reason):
            audit.record(actor, "load_failed", version, {"reason": [None, reason]})
            notices.tell("load_failed", version.submission, comment=reason)
        return False
    notices.tell("loaded", version.submission)
    return True


def _reason(refusal: Exception) -> str:
    if isinstance(refusal, checking.RowNoLongerValid):
        if refusal.line:
            return _("Row %(line)d no longer passes the checks (the registry changed since the "
                     "file was checked): return it to the unit to check it again.") % {
                "line": refusal.line}
        return _("The file can no longer be read as it was checked.")
    return str(refusal)


def _move(actor, submission: Submission, action: str, to: str) -> None:
    Submission.objects.filter(pk=submission.pk).update(state=to, updated_at=timezone.now())
    ReviewStep.objects.create(submission=submission, action=action,
                              from_state=submission.state, to_state=to, by=actor.label)


def run(limit: int = 5) -> int:
    """The worker's job: load approved versions, oldest first; returns how many it tried."""
    worker = workers.worker_id()
    done = 0
    while done < limit and (version := claim(worker)) is not None:
        try:
            load(version)
        except Exception as error:  # noqa: BLE001 - stored on the row, never lost
            logger.exception("survey version %s could not be loaded", version.pk)
            _ours(version).update(
                load_state=LoadState.FAILED,
                load_error=_("Loading stopped on an unexpected error: %(error)s")
                % {"error": str(error)[:300]})
        done += 1
    return done
