"""The weekly air quality bulletin drafted for a seeded week: its figures equal independent
SQL over the stored daily VN_AQI, missing days are said, and the draft waits for an editor."""

from __future__ import annotations

import pytest

from envhub.news import bulletin_jobs, bulletins, media
from envhub.news.bulletin_models import Bulletin, BulletinKind
from envhub.news.markdown import to_html, to_text
from envhub.news.models import PostEvent, PostState
from tests.news.bulletin_seed import (
    BEFORE,
    NOW,
    WEEK,
    air_world,
    plain_category_days,
    plain_days_with_index,
    plain_worst,
)

pytestmark = pytest.mark.django_db

CATEGORIES = ("good", "moderate", "poor", "bad", "very_bad", "hazardous")


@pytest.fixture
def seeded(world, settings):
    air_world(world, settings)
    return world


def _draft(world, persona="editor"):
    return bulletin_jobs.draft(world.actor(persona), BulletinKind.AIR_WEEKLY,
                               WEEK, now=NOW).bulletin


def test_its_days_per_category_equal_plain_sql(seeded):
    figures = _draft(seeded).figures
    last = WEEK.replace(day=29)
    expected = plain_category_days(WEEK, last)
    with_index = plain_days_with_index(WEEK, last)
    cities = {row["province"]: row for row in figures["cities"]}
    assert list(cities) == ["01", "79"]
    for code, row in cities.items():
        assert row["counts"] == {c: expected.get((code, c), 0) for c in CATEGORIES}
        assert row["with_index"] == with_index.get(code, 0)
        assert row["missing"] == 7 - with_index.get(code, 0)
    # What the seed says in words, so that a wrong SQL cannot agree with a wrong bulletin.
    assert cities["01"]["counts"] == {"good": 0, "moderate": 2, "poor": 1, "bad": 1,
                                      "very_bad": 1, "hazardous": 0}
    assert cities["01"]["missing"] == 2 and cities["79"]["missing"] == 7


def test_its_worst_days_and_pollutants_equal_plain_sql(seeded):
    figures = _draft(seeded).figures
    hanoi = figures["cities"][0]
    assert [(d["day"], d["aqi"], d["dominant"], d["station"]) for d in hanoi["worst"]] == \
        plain_worst("01", WEEK, WEEK.replace(day=29), 3)
    assert hanoi["worst"][0] == {"day": "2026-11-28", "aqi": 215, "category": "very_bad",
                                 "dominant": "PM2_5", "station": "HNKK1"}
    tie = next(d for d in hanoi["days"] if d["day"] == "2026-11-24")
    assert (tie["station"], tie["dominant"]) == ("HNKK1", "PM2_5")


def test_it_compares_with_the_week_before_from_plain_sql(seeded):
    figures = _draft(seeded).figures
    last_before = BEFORE.replace(day=22)
    before = plain_category_days(BEFORE, last_before)
    hanoi, hcmc = figures["cities"]
    assert figures["previous"] == {"first": "2026-11-16", "last": "2026-11-22", "days": 7}
    assert hanoi["previous_counts"] == {c: before.get(("01", c), 0) for c in CATEGORIES}
    assert hanoi["previous_unhealthy"] == sum(before.get(("01", c), 0)
                                              for c in ("poor", "bad", "very_bad", "hazardous"))
    assert (hanoi["unhealthy"], hanoi["previous_unhealthy"]) == (3, 1)
    assert hcmc["previous_with_index"] == 0


def test_the_text_says_the_missing_days_and_gives_no_change_without_data(seeded):
    post = _draft(seeded).post
    text = to_text(post.body)
    assert post.title == "Bản tin chất lượng không khí tuần 23/11–29/11/2026"
    assert "Thiếu số liệu 2 ngày trong tuần" in text
    assert "TP Hồ Chí Minh" in text or "Hồ Chí Minh" in text
    assert "không có chỉ số ngày nào trong tuần (thiếu số liệu cả 7 ngày)" in text
    assert "3 ngày từ mức Kém trở lên" in text and "tuần trước 1 ngày (+2 ngày)" in text
    # Each figure links to the rows behind it in the catalogue.
    assert ("/datasets/chi-so-chat-luong-khong-khi-vn-aqi-daily/download.csv?"
            "from=2026-11-23&to=2026-11-29&province=01") in post.body
    assert "chi-so-chat-luong-khong-khi-vn-aqi-daily" in bulletins.AQI_DATASET
    assert "![Số ngày theo mức VN_AQI, tuần 23/11–29/11/2026](media:chart-days)" in post.body
    # The charts are the bulletin's own pictures: drawn by the page's, the feed's and the
    # e-mail's one rule (`media.post_references`), and by no other text.
    assert '<img src="/news/bulletins/air_weekly/2026-11-23/days.svg"' in to_html(
        post.body, media=media.post_references(post))
    assert "<img" not in to_html(post.body)


def test_the_draft_waits_in_review_written_by_the_system_account(seeded):
    bulletin = _draft(seeded)
    post = bulletin.post
    assert post.state == PostState.IN_REVIEW and post.published_at is None
    assert post.author.username == bulletin_jobs.SYSTEM_USERNAME
    assert not post.author.is_active and not post.author.has_usable_password()
    assert post.category == "air" and {p.code for p in post.provinces.all()} == {"01", "79"}
    assert list(post.events.values_list("action", "user__username")) == [
        (PostEvent.Action.CREATED, bulletin_jobs.SYSTEM_USERNAME),
        (PostEvent.Action.SUBMITTED, bulletin_jobs.SYSTEM_USERNAME)]
    # The editor who asked for it is not its author: they may publish it.
    from envhub.news import workflow

    workflow.publish(seeded.actor("editor"), post)
    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED
    assert Bulletin.objects.count() == 1


def test_a_week_not_ended_is_refused(seeded):
    from envhub.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        bulletin_jobs.draft(seeded.actor("editor"), BulletinKind.AIR_WEEKLY,
                            NOW.date(), now=NOW)
    assert not Bulletin.objects.exists()
