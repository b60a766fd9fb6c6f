"""Two workers drafting the same period's bulletins at the same moment, each in its own thread
and database connection: one bulletin and one post per period, whoever wins."""

from __future__ import annotations

import pytest

from envhub.news import bulletin_jobs
from envhub.news.bulletin_models import Bulletin
from envhub.news.models import Post, PostEvent
from tests.news.bulletin_seed import air_world
from tests.news.test_bulletin_jobs import SETTLED
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_draft_each_period_once(world, settings):
    air_world(world, settings)
    made = at_once(*[lambda: bulletin_jobs.ensure_scheduled(SETTLED)] * 2)
    assert sum(made) == 2  # the week's and the month's, whichever worker drafted them
    assert sorted(Bulletin.objects.values_list("kind", flat=True)) == [
        "air_weekly", "emissions_monthly"]
    assert Post.objects.count() == 2
    assert PostEvent.objects.filter(action=PostEvent.Action.CREATED).count() == 2
    # The schedule never redrafts, even the worker that came second.
    assert not PostEvent.objects.filter(action=PostEvent.Action.EDITED).exists()
