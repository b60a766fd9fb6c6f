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


def sees_drafts(actor: Actor) -> bool:
    # Drafts, posts in review and their press kits are for people on the desk: a program
    # holding a writer's personal token reads what the public reads (and writes nothing:
    # `workflow` refuses tokens).
    return actor.is_system or (writes_news(actor) and actor.token is None)


def public_posts(qs: QuerySet) -> QuerySet:
    return qs.filter(state=PostState.PUBLISHED, published_at__lte=timezone.now())


@scope_rule("news.post", public=True)
def _posts(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if sees_drafts(actor) else public_posts(qs)


@scope_rule("news.postevent")
def _events(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if sees_drafts(actor) else qs.none()


@scope_rule("news.postmedia", public=True)
def _media(actor: Actor, qs: QuerySet) -> QuerySet:
    """A post's images and files follow their post: a draft's only to those who write."""
    if sees_drafts(actor):
        return qs
    return qs.filter(post__state=PostState.PUBLISHED, post__published_at__lte=timezone.now())


@write_rule("news.post", "news.postevent", "news.postmedia")
def _write_posts(actor: Actor, action: str, obj) -> bool:
    return writes_news(actor)


# --- the newsletter's subscribers (personal data: an address and its choices) ---------------
# Stewards and admins, signed in, see and erase them; only admins export the list; editors and
# stewards see the counts, which name no one (`newsletter_views`).

def _in_person(actor: Actor) -> bool:
    # A person signed in, not a program holding their token: the addresses stay on pages.
    return actor.kind == "user" and actor.token is None


def keeps_subscribers(actor: Actor) -> bool:
    return actor.is_system or (_in_person(actor) and actor.has_role(ADMIN, STEWARD))


def exports_subscribers(actor: Actor) -> bool:
    return actor.is_system or (_in_person(actor) and actor.has_role(ADMIN))


def sees_newsletter_counts(actor: Actor) -> bool:
    return actor.is_system or (_in_person(actor) and actor.has_role(*WRITERS))


@scope_rule("news.subscriber", "news.newsletterdelivery")
def _subscribers(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if keeps_subscribers(actor) else qs.none()


@scope_rule("news.newsletterissue")
def _issues(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs if sees_newsletter_counts(actor) else qs.none()


@write_rule("news.subscriber", "news.newsletterdelivery", "news.newsletterissue",
            "news.signupattempt")
def _write_subscribers(actor: Actor, action: str, obj) -> bool:
    # Readers act on their own row through signed links (the service, as the system); of the
    # staff only those who keep the list erase an address.
    return keeps_subscribers(actor)
