"""Drafting the bulletins: the worker's weekly and monthly jobs, and an editor's request for
any ended week or month. A bulletin is a news post that the system account writes and sends
for review; it follows the posts' road (`workflow.py`): an editor — a second person, since the
system wrote it — publishes it, returns it or edits it (then another editor approves).
Nothing publishes without an editor.

One bulletin per kind and period (a unique constraint, whatever the number of workers).
Drafting a period again rewrites the figures and the text while the bulletin is still the
system's own draft (in review or returned, changed by no person); once an editor has edited
or published it, it is left alone and the caller is told so."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import Forbidden, InvalidInput
from envhub.core.periodic import periodic
from envhub.core.permissions import Actor, system_actor
from envhub.core.timeutil import VN, day_bounds
from envhub.news import bulletin_text, bulletins
from envhub.news.bulletin_models import Bulletin, BulletinKind
from envhub.news.models import Category, Post, PostEvent, PostState
from envhub.news.workflow import _unique_slug
from envhub.registry.models import Province

# The post's author: an account nobody signs in with, so that every editor is a second person.
SYSTEM_USERNAME = "envhub-ban-tin"
SYSTEM_NAME = "Hệ thống envhub (bản tin soạn tự động)"
# The worker drafts a period this long after it ends, so that the last day's late data and
# their indices are in (the air worker indexes a day as its hours arrive).
SETTLE = datetime.timedelta(hours=6)
REDRAFTABLE = {PostState.DRAFT, PostState.IN_REVIEW}
CATEGORY = {BulletinKind.AIR_WEEKLY: Category.AIR,
            BulletinKind.EMISSIONS_MONTHLY: Category.EMISSIONS}


@dataclass(frozen=True)
class Outcome:
    bulletin: Bulletin
    created: bool
    updated: bool

    @property
    def message(self) -> str:
        if self.created:
            return _("The bulletin was drafted and sent for review.")
        if self.updated:
            return _("The bulletin's draft was updated with the figures as they are now.")
        return _("This period's bulletin already exists and is “%(state)s”: it was left as "
                 "it is (only the system's own draft that no person has changed is drafted "
                 "again).") % {"state": self.bulletin.post.get_state_display()}


def system_author():
    """The bulletins' author account (made on first use; it cannot sign in)."""
    User = get_user_model()
    found = User.objects.filter(username=SYSTEM_USERNAME).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            user = User(username=SYSTEM_USERNAME, full_name=SYSTEM_NAME, is_active=False)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # made a moment ago by another worker
        return User.objects.get(username=SYSTEM_USERNAME)


def period_of(kind: str, day: datetime.date):
    if kind == BulletinKind.AIR_WEEKLY:
        return bulletins.week_of(day)
    if kind == BulletinKind.EMISSIONS_MONTHLY:
        return bulletins.month_of(day)
    raise InvalidInput(_("Unknown kind of bulletin."), {"kind": [_("Choose a kind.")]})


def _may_draft(actor: Actor) -> None:
    if actor.is_system:
        return
    permissions.require(actor, permissions.ADD, Post)
    if actor.user is None:
        raise Forbidden(_("Posts are written and reviewed by people, not by tokens."))


def _who(actor: Actor) -> str:
    """The person who asked, as people read them (the audit log keeps the actor's label)."""
    user = actor.user
    return (getattr(user, "full_name", "") or user.get_username()) if user else actor.label


def _figures(kind: str, period, now: datetime.datetime) -> dict:
    if kind == BulletinKind.AIR_WEEKLY:
        return bulletins.air_week(period.first)
    return bulletins.emissions_month(period.first, now)


def _provinces(figures: dict) -> list[str]:
    rows = figures.get("cities") or figures.get("by_province") or []
    return [row["province"] for row in rows]


def _write(post: Post, text: bulletin_text.Text, author) -> None:
    post.title, post.summary, post.body = text.title[:300], text.summary[:500], text.body
    post.last_edited_by = author


def draft(actor: Actor, kind: str, day: datetime.date, now: datetime.datetime | None = None,
          *, redraft: bool = True) -> Outcome:
    """The bulletin of `kind` for the ended week or month holding `day`: drafted and sent for
    review, or (with `redraft`) its untouched draft updated; a bulletin a person has taken
    over is left."""
    _may_draft(actor)
    now = now or timezone.now()
    period = period_of(kind, day)
    if day_bounds(period.last)[1] > now:
        raise InvalidInput(_("A bulletin is drafted once its period has ended."),
                           {"day": [_("This period has not ended yet.")]})
    figures = _figures(kind, period, now)
    text = bulletin_text.text(figures)
    author = system_author()
    note = (_("Drafted from the data by the worker's schedule.") if actor.is_system else
            _("Drafted from the data at the request of %(who)s.") % {"who": _who(actor)})
    try:
        with transaction.atomic():
            found = (Bulletin.objects.select_for_update().select_related("post")
                     .filter(kind=kind, first_day=period.first).first())
            if found is not None:
                if not redraft:
                    return Outcome(found, created=False, updated=False)
                return _update(actor, found, figures, text, author, note, now)
            post = Post(category=CATEGORY[kind], state=PostState.IN_REVIEW, author=author)
            _write(post, text, author)
            post.slug = _unique_slug(post.title)
            post.save()
            post.provinces.set(Province.objects.filter(code__in=_provinces(figures)))
            bulletin = Bulletin.objects.create(kind=kind, first_day=period.first,
                                               last_day=period.last, post=post,
                                               figures=figures, drafted_at=now)
            PostEvent.objects.create(post=post, action=PostEvent.Action.CREATED, user=author,
                                     note=note)
            PostEvent.objects.create(post=post, action=PostEvent.Action.SUBMITTED,
                                     user=author)
            audit.record(actor, "news.bulletin.drafted", post,
                         {"kind": kind, "first_day": period.first.isoformat()})
            return Outcome(bulletin, created=True, updated=False)
    except IntegrityError:  # drafted at the same moment by another worker or editor
        found = Bulletin.objects.select_related("post").get(kind=kind, first_day=period.first)
        return Outcome(found, created=False, updated=False)


def _update(actor, bulletin: Bulletin, figures, text, author, note, now) -> Outcome:
    post = bulletin.post
    if post.state not in REDRAFTABLE or post.last_edited_by_id != author.pk:
        return Outcome(bulletin, created=False, updated=False)
    _write(post, text, author)
    post.save()
    post.provinces.set(Province.objects.filter(code__in=_provinces(figures)))
    bulletin.figures, bulletin.drafted_at = figures, now
    bulletin.save(update_fields=["figures", "drafted_at"])
    PostEvent.objects.create(post=post, action=PostEvent.Action.EDITED, user=author, note=note)
    audit.record(actor, "news.bulletin.redrafted", post,
                 {"kind": bulletin.kind, "first_day": bulletin.first_day.isoformat()})
    return Outcome(bulletin, created=False, updated=True)


def due(now: datetime.datetime) -> list[tuple[str, datetime.date]]:
    """The (kind, first day) of the last ended week and month, once settled."""
    today = (now - SETTLE).astimezone(VN).date()
    week = bulletins.week_of(today).previous()
    month = bulletins.month_of(today).previous()
    return [(BulletinKind.AIR_WEEKLY, week.first), (BulletinKind.EMISSIONS_MONTHLY, month.first)]


def ensure_scheduled(now: datetime.datetime | None = None) -> int:
    """Draft the last ended week's and month's bulletins when they do not exist yet (never
    redrafts: an editor asks for that); returns how many were drafted."""
    now = now or timezone.now()
    made = 0
    for kind, first in due(now):
        if Bulletin.objects.filter(kind=kind, first_day=first).exists():
            continue
        made += draft(system_actor("worker:bulletins"), kind, first, now,
                      redraft=False).created
    return made


@periodic("news-bulletins", every=datetime.timedelta(minutes=10))
def scheduled_bulletins():
    return ensure_scheduled()
