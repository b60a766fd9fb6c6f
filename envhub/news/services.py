"""Reading the news: the posts a reader may see, filtered by category, province and words,
a page at a time (keyset, newest first)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from envhub.core import permissions
from envhub.core.errors import NotFound
from envhub.core.pagination import Page, keyset_page
from envhub.core.permissions import Actor
from envhub.core.search import text_search
from envhub.news.models import Category, Post
from envhub.news.policy import public_posts

ORDER = ("-published_at", "-id")
PAGE_SIZE = 20
MAX_QUERY = 200


@dataclass(frozen=True)
class NewsFilter:
    category: str = ""
    province: str = ""
    q: str = ""

    @classmethod
    def read(cls, values) -> NewsFilter:
        """From a query string; unknown categories and provinces filter to nothing."""
        return cls(category=(values.get("category") or "").strip()[:30],
                   province=(values.get("province") or "").strip()[:10],
                   q=(values.get("q") or "").strip()[:MAX_QUERY])


def _filtered(qs: QuerySet, chosen: NewsFilter) -> QuerySet:
    if chosen.category:
        qs = qs.filter(category=chosen.category if chosen.category in Category.values else "-")
    if chosen.province:
        qs = qs.filter(provinces__code=chosen.province)
    return text_search(qs, chosen.q)


def published(chosen: NewsFilter = NewsFilter()) -> QuerySet:
    """What readers see, whoever asks: the public pages and the feeds show only this, so that
    an editor's view of a page never differs from a visitor's."""
    return _filtered(public_posts(Post.objects.all()), chosen)


def page(chosen: NewsFilter, cursor: str | None, limit: int = PAGE_SIZE) -> Page:
    return keyset_page(published(chosen).prefetch_related("provinces"), order=ORDER,
                       cursor=cursor, limit=limit)


def published_post(slug: str) -> Post:
    post = published().filter(slug=slug).first()
    if post is None:
        raise NotFound()
    return post


def post_for_writer(actor: Actor, pk: int) -> Post:
    """A post as its writers see it (drafts included); 404 for everyone else."""
    permissions.require(actor, permissions.CHANGE, Post)
    post = permissions.scope(actor, Post.objects.filter(pk=pk)).first()
    if post is None:
        raise NotFound()
    return post
