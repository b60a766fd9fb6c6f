"""Races a hostile (or merely busy) team makes: two stewards approving one submission at the
same moment, a steward approving while the unit uploads a correction. Each thread has its own
connection, so the locks and conditional updates are the real ones (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pytest

from envhub.core.errors import EnvhubError
from envhub.surveys import workflow
from envhub.surveys.models import State, Submission, Upload, Version
from tests.surveys.steps import sent, well, wells_file
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_makes_one_version_when_two_stewards_approve_at_once(world, campaign):
    for round_ in range(3):
        submission = sent(world, campaign.generic,
                          wells_file(well(world, code=f"HN-{round_ + 1:04d}")))
        results = at_once(
            lambda pk=submission.pk: workflow.approve(world.actor("steward"), pk),
            lambda pk=submission.pk: workflow.approve(world.actor("admin"), pk))
        made = [item for item in results if isinstance(item, Version)]
        refused = [item for item in results if isinstance(item, EnvhubError)]
        assert len(made) == 1 and len(refused) == 1, results
        assert Version.objects.filter(submission=submission).count() == 1
        assert Submission.objects.get(pk=submission.pk).state == State.APPROVED
        assert submission.steps.filter(action="approve").count() == 1
    numbers = list(Version.objects.filter(assignment=campaign.generic)
                   .order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3]


def test_an_upload_during_an_approval_never_changes_the_approved_file(world, campaign):
    submission = sent(world, campaign.generic, wells_file(well(world)))
    approved_upload = Submission.objects.get(pk=submission.pk).current_upload_id
    correction = wells_file(well(world, code="HN-0099"))
    results = at_once(
        lambda: workflow.approve(world.actor("steward"), submission.pk),
        lambda: workflow.upload(world.actor("survey"), campaign.generic.pk,
                                io.BytesIO(correction), "sua.csv"))
    version = Version.objects.get(submission=submission)
    assert isinstance(results[0], Version)
    assert version.upload_id == approved_upload
    assert Submission.objects.get(pk=submission.pk).current_upload_id == approved_upload
    if isinstance(results[1], Upload):  # came after the approval: a new draft of its own
        assert results[1].submission_id != submission.pk
    else:
        assert "đang được" in str(results[1].message) or "duyệt" in str(results[1].message)
