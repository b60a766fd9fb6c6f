"""Loading under attack by time: a worker that stalls past the lease while its loader runs
(its transaction cannot renew the heartbeat others would see) must not load a version twice
when another worker takes the version over."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.accounts.models import AuditEvent
from envhub.surveys import loading, workflow
from envhub.surveys.models import LoadState, State, TableRow, Version
from tests.surveys.test_worker import many_wells
from tests.surveys.test_workflow import checked

pytestmark = pytest.mark.django_db


def approved(world, campaign, count: int = 3) -> Version:
    unit, steward = world.actor("survey"), world.actor("steward")
    item = checked(workflow.upload(unit, campaign.generic.pk, many_wells(world, count),
                                   "g.csv"))
    workflow.submit(unit, item.submission_id)
    return workflow.approve(steward, item.submission_id)


def test_it_loads_a_version_once_when_a_stalled_worker_wakes_after_a_takeover(world,
                                                                              campaign):
    version = approved(world, campaign)
    first = loading.claim("worker-1")
    assert first.pk == version.pk
    # worker-1 stalls past the lease; worker-2 takes the version over and loads it.
    Version.objects.filter(pk=version.pk).update(
        heartbeat_at=timezone.now() - loading.STALE - datetime.timedelta(seconds=1))
    second = loading.claim("worker-2")
    assert second.pk == version.pk
    assert loading.load(second) is True
    # worker-1 wakes and finishes its own loading of the same version: nothing more is written.
    assert loading.load(first) is False
    version.refresh_from_db()
    assert version.load_state == LoadState.LOADED and version.claimed_by == "worker-2"
    assert TableRow.objects.filter(version=version).count() == 3
    assert version.submission.steps.filter(action="load").count() == 1
    assert version.submission.state == State.LOADED
    assert AuditEvent.objects.filter(action="load").count() == 1


def test_a_stalled_worker_that_finishes_first_leaves_the_version_to_its_new_owner(
        world, campaign):
    version = approved(world, campaign)
    first = loading.claim("worker-1")
    Version.objects.filter(pk=version.pk).update(
        heartbeat_at=timezone.now() - loading.STALE - datetime.timedelta(seconds=1))
    second = loading.claim("worker-2")
    assert loading.load(first) is False  # no longer its claim: rolled back, nothing written
    assert TableRow.objects.filter(version=version).count() == 0
    version.refresh_from_db()
    assert version.load_state == LoadState.LOADING and version.claimed_by == "worker-2"
    assert loading.load(second) is True
    assert TableRow.objects.filter(version=version).count() == 3
