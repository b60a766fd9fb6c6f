"""Who sees and writes the news: its part of the one permission policy (`core/permissions.py`).

Everyone reads a published post once its time has come; those who write — editors, stewards
and admins — also see drafts, posts in review and unpublished ones. Who may take which step
(an author never approves their own text) is `workflow.py`'s."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from envhub.core.permissions import ADMIN, EDITOR, STEWARD, Actor, scope_rule, write_rule
from envhub.news.models import PostState

WRITERS = {ADMIN, STEWARD, EDITOR}


def writes_news(actor: Actor) -> bool:
    return actor.is_system or actor.has_role(*WRITERS)


def public_posts(qs: QuerySet) -> QuerySet:
    return qs.filter(state=PostState.PUBLISHED, published_at__lte=timezone.now())


@scope_rule("news.post", public=True)
def _posts(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if writes_news(actor) else public_posts(qs)


@scope_rule("news.postevent")
def _events(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if writes_news(actor) else qs.none()


@scope_rule("news.postmedia", public=True)
def _media(actor: Actor, qs: QuerySet) -> QuerySet:
    """A post's images and files follow their post: a draft's only to those who write."""
    if writes_news(actor):
        return qs
    return qs.filter(post__state=PostState.PUBLISHED, post__published_at__lte=timezone.now())


@write_rule("news.post", "news.postevent", "news.postmedia")
def _write_posts(actor: Actor, action: str, obj) -> bool:
    return writes_news(actor)
