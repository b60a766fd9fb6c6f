"""A post's road: written (draft) → sent for review → published by a second person, or
returned to its author; a published post may be unpublished, and sent for review again.

Every step checks who takes it, records a history row and an audit event, in one
transaction. The rule that matters: nobody publishes a text they wrote or last changed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import Conflict, Forbidden, InvalidInput
from envhub.core.permissions import Actor
from envhub.core.text import slug as slug_of
from envhub.news.markdown import MAX_MARKDOWN
from envhub.news.models import Category, Post, PostEvent, PostState
from envhub.registry.models import Province

TEXTS = {"title": 300, "summary": 500, "title_en": 300, "summary_en": 500}
BODIES = ("body", "body_en")
MAX_NOTE = 1000
EDITABLE = {PostState.DRAFT, PostState.UNPUBLISHED}


def _checked(data: Mapping, post: Post) -> list[Province] | None:
    """Apply `data` to `post`; the provinces it names (None: unchanged)."""
    problems: dict[str, list[str]] = {}
    for name, limit in TEXTS.items():
        if name in data:
            value = str(data[name] or "").strip()
            if len(value) > limit:
                problems.setdefault(name, []).append(
                    _("At most %(limit)s characters.") % {"limit": limit})
            setattr(post, name, value[:limit])
    for name in BODIES:
        if name in data:
            value = str(data[name] or "")
            if len(value) > MAX_MARKDOWN:
                problems.setdefault(name, []).append(
                    _("At most %(limit)s characters.") % {"limit": MAX_MARKDOWN})
            setattr(post, name, value[:MAX_MARKDOWN])
    if not post.title:
        problems.setdefault("title", []).append(_("A post needs a title."))
    if not post.body.strip():
        problems.setdefault("body", []).append(_("A post needs its text."))
    if "category" in data:
        post.category = str(data["category"] or "")
    if post.category not in Category.values:
        problems.setdefault("category", []).append(_("Choose a category."))
    if "scheduled_for" in data:
        post.scheduled_for = data["scheduled_for"] or None
        if post.scheduled_for is not None and not isinstance(post.scheduled_for,
                                                             datetime.datetime):
            problems.setdefault("scheduled_for", []).append(_("Give a date and time."))
    provinces = None
    if "provinces" in data:
        codes = [str(code) for code in data["provinces"] or []][:100]
        provinces = list(Province.objects.filter(code__in=codes))
        if len(provinces) != len(set(codes)):
            problems.setdefault("provinces", []).append(_("Unknown province."))
    if problems:
        raise InvalidInput(_("Some fields are not valid: %(fields)s.")
                           % {"fields": ", ".join(sorted(problems))}, problems)
    return provinces


def _unique_slug(title: str) -> str:
    base = (slug_of(title) or "bai-viet")[:100].strip("-")
    candidate, n = base, 1
    while Post.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _step(actor: Actor, post: Post, action: str, note: str = "") -> None:
    PostEvent.objects.create(post=post, action=action, user=actor.user, note=note[:MAX_NOTE])
    audit.record(actor, f"news.post.{action}", post, {"note": note[:MAX_NOTE]} if note else {})


def _writer(actor: Actor, action: str, target) -> None:
    permissions.require(actor, action, target)
    if actor.user is None or actor.token is not None:  # a personal token is a program too
        raise Forbidden(_("Posts are written and reviewed by people, not by tokens."))


def create(actor: Actor, data: Mapping) -> Post:
    _writer(actor, permissions.ADD, Post)
    post = Post(author=actor.user, last_edited_by=actor.user, body="")
    provinces = _checked(data, post)
    with transaction.atomic():
        post.slug = _unique_slug(post.title)
        post.save()
        post.provinces.set(provinces or [])
        _step(actor, post, PostEvent.Action.CREATED)
    return post


def edit(actor: Actor, post: Post, data: Mapping) -> Post:
    _writer(actor, permissions.CHANGE, post)
    if post.state not in EDITABLE:
        raise Conflict(_("Only a draft or an unpublished post can be changed; return or "
                         "unpublish it first."))
    provinces = _checked(data, post)
    with transaction.atomic():
        post.last_edited_by = actor.user
        post.save()
        if provinces is not None:
            post.provinces.set(provinces)
        _step(actor, post, PostEvent.Action.EDITED)
    return post


def _move(actor: Actor, post: Post, allowed: set[str], state: str, action: str,
          note: str = "", **changes) -> Post:
    _writer(actor, permissions.CHANGE, post)
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if current.state not in allowed:
            raise Conflict(_("The post is “%(state)s”: this step does not apply to it.")
                           % {"state": current.get_state_display()})
        Post.objects.filter(pk=post.pk).update(state=state, updated_at=timezone.now(),
                                               **changes)
        post.refresh_from_db()
        _step(actor, post, action, note)
    return post


def submit(actor: Actor, post: Post) -> Post:
    return _move(actor, post, EDITABLE, PostState.IN_REVIEW, PostEvent.Action.SUBMITTED)


def return_to_author(actor: Actor, post: Post, note: str) -> Post:
    if not note.strip():
        raise InvalidInput(_("Say what the author should change."), {"note": ["required"]})
    return _move(actor, post, {PostState.IN_REVIEW}, PostState.DRAFT,
                 PostEvent.Action.RETURNED, note)


def publish(actor: Actor, post: Post, note: str = "") -> Post:
    """The second person's approval: published now, or at the time the author asked for."""
    if actor.user is not None and actor.user.pk in {post.author_id, post.last_edited_by_id}:
        raise Forbidden(_("A post is published by someone who neither wrote nor last changed "
                          "it: ask another editor to review it."))
    now = timezone.now()
    at = max(now, post.scheduled_for) if post.scheduled_for else now
    return _move(actor, post, {PostState.IN_REVIEW}, PostState.PUBLISHED,
                 PostEvent.Action.PUBLISHED, note, published_at=at, reviewer=actor.user)


def unpublish(actor: Actor, post: Post, note: str) -> Post:
    if not note.strip():
        raise InvalidInput(_("Say why the post is taken down."), {"note": ["required"]})
    return _move(actor, post, {PostState.PUBLISHED}, PostState.UNPUBLISHED,
                 PostEvent.Action.UNPUBLISHED, note)
