"""The worker drafts each period's bulletins once, after the period has settled; drafting a
period again updates the system's untouched draft and leaves one a person took over."""

from __future__ import annotations

import datetime

import pytest

from envhub.accounts.models import AuditEvent
from envhub.airquality.models import DailyAqi
from envhub.core.models import PeriodicJob
from envhub.core.periodic import JOBS, discover
from envhub.core.timeutil import VN
from envhub.news import bulletin_jobs, workflow
from envhub.news.bulletin_models import Bulletin, BulletinKind
from envhub.news.models import Post, PostState
from tests.news.bulletin_seed import NOW, WEEK, air_world

pytestmark = pytest.mark.django_db

# Monday 30 November 2026 in Viet Nam: before 06:00 the week of 16–22 November is the last
# settled one; from 06:00 that of 23–29 November (and October's month all along).
EARLY = datetime.datetime(2026, 11, 30, 5, 59, tzinfo=VN)
SETTLED = datetime.datetime(2026, 11, 30, 6, 0, tzinfo=VN)


@pytest.fixture
def seeded(world, settings):
    air_world(world, settings)
    return world


def _periods() -> list[tuple[str, str]]:
    return sorted((b.kind, b.first_day.isoformat()) for b in Bulletin.objects.all())


def test_the_worker_drafts_each_period_once(seeded):
    assert bulletin_jobs.ensure_scheduled(EARLY) == 2
    assert _periods() == [("air_weekly", "2026-11-16"), ("emissions_monthly", "2026-10-01")]
    assert bulletin_jobs.ensure_scheduled(SETTLED) == 1
    assert bulletin_jobs.ensure_scheduled(SETTLED) == 0
    assert bulletin_jobs.ensure_scheduled(SETTLED + datetime.timedelta(hours=12)) == 0
    # 1 December, 06:00: November has settled.
    assert bulletin_jobs.ensure_scheduled(SETTLED + datetime.timedelta(days=1)) == 1
    assert bulletin_jobs.ensure_scheduled(SETTLED + datetime.timedelta(days=1)) == 0
    assert _periods() == [("air_weekly", "2026-11-16"), ("air_weekly", "2026-11-23"),
                          ("emissions_monthly", "2026-10-01"),
                          ("emissions_monthly", "2026-11-01")]
    assert Post.objects.count() == 4
    assert set(Post.objects.values_list("state", flat=True)) == {PostState.IN_REVIEW}


def test_the_job_is_registered_with_the_worker():
    discover()
    job = JOBS["news-bulletins"]
    assert job.every == datetime.timedelta(minutes=10)
    assert job.function is bulletin_jobs.scheduled_bulletins
    assert not PeriodicJob.objects.filter(name="news-bulletins").exists()


def test_drafting_again_updates_the_untouched_draft(seeded):
    first = bulletin_jobs.draft(seeded.actor("editor"), BulletinKind.AIR_WEEKLY, WEEK, now=NOW)
    assert first.created
    DailyAqi.objects.create(station=seeded.air_hn, day=datetime.date(2026, 11, 25), aqi=320,
                            category="hazardous", dominant="PM2_5")
    again = bulletin_jobs.draft(seeded.actor("editor2"), BulletinKind.AIR_WEEKLY,
                                WEEK + datetime.timedelta(days=4), now=NOW)
    assert again.updated and not again.created
    assert again.bulletin.pk == first.bulletin.pk and Bulletin.objects.count() == 1
    hanoi = again.bulletin.figures["cities"][0]
    assert hanoi["counts"]["hazardous"] == 1 and hanoi["missing"] == 1
    post = again.bulletin.post
    assert "Thiếu số liệu 1 ngày trong tuần" in post.body
    assert post.last_edited_by.username == bulletin_jobs.SYSTEM_USERNAME
    assert post.events.last().action == "edited"
    assert "Editor2" in post.events.last().note  # who asked, in the history
    steps = AuditEvent.objects.filter(action__startswith="news.bulletin.").order_by("id")
    assert list(steps.values_list("action", "user__username", "object_id")) == [
        ("news.bulletin.drafted", "editor", str(post.pk)),
        ("news.bulletin.redrafted", "editor2", str(post.pk))]


@pytest.mark.parametrize("taken_over", ["edited", "published"])
def test_a_bulletin_a_person_took_over_is_left_as_it_is(seeded, taken_over):
    bulletin = bulletin_jobs.draft(seeded.actor("editor"), BulletinKind.AIR_WEEKLY, WEEK,
                                   now=NOW).bulletin
    post = bulletin.post
    if taken_over == "edited":
        workflow.return_to_author(seeded.actor("editor"), post, "Thêm nhận định")
        workflow.edit(seeded.actor("editor"), post, {"summary": "Nhận định của biên tập viên"})
    else:
        workflow.publish(seeded.actor("editor"), post)
    DailyAqi.objects.create(station=seeded.air_hn, day=datetime.date(2026, 11, 25), aqi=320,
                            category="hazardous", dominant="PM2_5")
    outcome = bulletin_jobs.draft(seeded.actor("editor2"), BulletinKind.AIR_WEEKLY, WEEK,
                                  now=NOW)
    assert not outcome.created and not outcome.updated
    assert "đã có" in outcome.message
    post.refresh_from_db()
    bulletin.refresh_from_db()
    assert bulletin.figures["cities"][0]["counts"]["hazardous"] == 0
    if taken_over == "edited":
        assert post.summary == "Nhận định của biên tập viên"
    else:
        assert post.state == PostState.PUBLISHED


def test_other_roles_and_anonymous_cannot_draft(seeded):
    from envhub.core.errors import Forbidden, NotAuthenticated
    from envhub.core.permissions import ANONYMOUS

    for actor in (seeded.actor("leader"), seeded.actor("officer")):
        with pytest.raises(Forbidden):
            bulletin_jobs.draft(actor, BulletinKind.AIR_WEEKLY, WEEK, now=NOW)
    with pytest.raises(NotAuthenticated):
        bulletin_jobs.draft(ANONYMOUS, BulletinKind.AIR_WEEKLY, WEEK, now=NOW)
    assert not Bulletin.objects.exists()
