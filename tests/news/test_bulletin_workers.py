"""Two workers drafting the same period's bulletins at the same moment, each in its own thread
and database connection: one bulletin and one post per period, whoever wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from envhub.news import bulletin_jobs
from envhub.news.bulletin_models import Bulletin
from envhub.news.models import Post, PostEvent
from tests.news.bulletin_seed import air_world
from tests.news.test_bulletin_jobs import SETTLED

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_draft_each_period_once(world, settings):
    air_world(world, settings)
    errors, made = [], []
    start = threading.Barrier(2)

    def work():
        try:
            start.wait(timeout=30)
            made.append(bulletin_jobs.ensure_scheduled(SETTLED))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert sum(made) == 2  # the week's and the month's, whichever worker drafted them
    assert sorted(Bulletin.objects.values_list("kind", flat=True)) == [
        "air_weekly", "emissions_monthly"]
    assert Post.objects.count() == 2
    assert PostEvent.objects.filter(action=PostEvent.Action.CREATED).count() == 2
    # The schedule never redrafts, even the worker that came second.
    assert not PostEvent.objects.filter(action=PostEvent.Action.EDITED).exists()
