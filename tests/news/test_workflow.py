"""A post's road per role: editors and stewards write, a second person publishes, readers see
only what is published and due; every step leaves a history row."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.core import permissions
from envhub.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import ANONYMOUS
from envhub.news import workflow
from envhub.news.models import Post, PostEvent, PostState

pytestmark = pytest.mark.django_db

TEXT = {"title": "Chất lượng không khí Hà Nội tuần 48", "body": "Nội dung **chính**.",
        "category": "air", "provinces": ["01"]}


def _public(actor) -> set[str]:
    return set(permissions.scope(actor, Post.objects.all()).values_list("slug", flat=True))


def test_an_author_cannot_publish_alone(world):
    editor = world.actor("editor")
    post = workflow.create(editor, TEXT)
    assert post.slug == "chat-luong-khong-khi-ha-noi-tuan-48"
    assert [p.code for p in post.provinces.all()] == ["01"]
    workflow.submit(editor, post)
    with pytest.raises(Forbidden):
        workflow.publish(editor, post)
    # Another editor edits nothing: they may approve.
    post = workflow.publish(world.actor("editor2"), post, "Đã kiểm tra số liệu")
    assert post.state == PostState.PUBLISHED and post.reviewer == world.users["editor2"]
    assert post.slug in _public(ANONYMOUS)
    assert list(post.events.values_list("action", flat=True)) == [
        "created", "submitted", "published"]


def test_whoever_changed_the_text_last_cannot_approve_it(world):
    post = workflow.create(world.actor("editor"), TEXT)
    workflow.edit(world.actor("steward"), post, {"summary": "Tóm tắt"})
    workflow.submit(world.actor("editor"), post)
    with pytest.raises(Forbidden):
        workflow.publish(world.actor("steward"), post)
    workflow.publish(world.actor("editor2"), post)


@pytest.mark.parametrize("persona", ["leader", "officer", "operator", "survey", "librarian"])
def test_other_roles_neither_write_nor_see_drafts(world, persona):
    actor = world.actor(persona)
    with pytest.raises(Forbidden):
        workflow.create(actor, TEXT)
    post = workflow.create(world.actor("editor"), TEXT)
    with pytest.raises(NotFound):  # a draft does not exist for them
        workflow.submit(actor, post)
    assert _public(actor) == set()


def test_anonymous_sees_only_published_posts_whose_time_has_come(world):
    editor, reviewer = world.actor("editor"), world.actor("editor2")
    draft = workflow.create(editor, {**TEXT, "title": "Bản nháp"})
    later = workflow.create(editor, {**TEXT, "title": "Hẹn giờ",
                                     "scheduled_for": timezone.now() + datetime.timedelta(
                                         hours=3)})
    now = workflow.create(editor, {**TEXT, "title": "Đăng ngay"})
    for post in (later, now):
        workflow.submit(editor, post)
        workflow.publish(reviewer, post)
    assert _public(ANONYMOUS) == {now.slug}
    assert _public(world.actor("editor")) == {draft.slug, later.slug, now.slug}
    Post.objects.filter(pk=later.pk).update(published_at=timezone.now())
    assert _public(ANONYMOUS) == {now.slug, later.slug}
    with pytest.raises(NotAuthenticated):
        workflow.create(ANONYMOUS, TEXT)


def test_unpublishing_keeps_the_history_and_needs_a_reason(world):
    editor, reviewer = world.actor("editor"), world.actor("editor2")
    post = workflow.create(editor, TEXT)
    workflow.submit(editor, post)
    workflow.publish(reviewer, post)
    with pytest.raises(Conflict):
        workflow.edit(editor, post, {"title": "Sửa sau khi đăng"})
    with pytest.raises(InvalidInput):
        workflow.unpublish(reviewer, post, "  ")
    workflow.unpublish(reviewer, post, "Số liệu cần đính chính")
    assert _public(ANONYMOUS) == set()
    workflow.edit(editor, post, {"title": "Đã đính chính"})
    workflow.submit(editor, post)
    workflow.return_to_author(reviewer, post, "Thêm nguồn dữ liệu")
    assert post.state == PostState.DRAFT
    assert list(PostEvent.objects.filter(post=post).values_list("action", "note")) == [
        ("created", ""), ("submitted", ""), ("published", ""),
        ("unpublished", "Số liệu cần đính chính"), ("edited", ""), ("submitted", ""),
        ("returned", "Thêm nguồn dữ liệu")]


@pytest.mark.parametrize("data,field", [
    ({**TEXT, "title": ""}, "title"),
    ({**TEXT, "body": "   "}, "body"),
    ({**TEXT, "category": "gossip"}, "category"),
    ({**TEXT, "provinces": ["01", "99"]}, "provinces"),
    ({**TEXT, "title": "x" * 301}, "title"),
])
def test_it_refuses_a_bad_post_and_saves_nothing(world, data, field):
    with pytest.raises(InvalidInput) as refused:
        workflow.create(world.actor("editor"), data)
    assert field in refused.value.details
    assert Post.objects.count() == 0


def test_two_posts_with_one_title_get_two_addresses(world):
    first = workflow.create(world.actor("editor"), TEXT)
    second = workflow.create(world.actor("editor"), TEXT)
    assert second.slug == first.slug + "-2"
