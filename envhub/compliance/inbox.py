"""A person's in-app notifications: filtered by kind, read state and period, one of them read
or marked read. Only the person's own deliveries are ever found: another's id is not found
(404), not forbidden, so that ids tell nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from envhub.compliance import preferences, services
from envhub.compliance.models import Delivery, NotificationKind
from envhub.core import params
from envhub.core.errors import InvalidInput, NotAuthenticated, NotFound
from envhub.core.permissions import Actor

STATES = ("unread", "read")
MAX_TEXT = 40  # the longest kind or state worth reading


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    state: str | None = None
    start: object = None  # aware datetimes, (start, end] as `core.params.period` reads them
    end: object = None

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.kind, self.state, self.start, self.end))


def kinds() -> list[tuple[str, str]]:
    """The kinds a person may filter on: those they may choose for, and digests."""
    return preferences.kinds() + [(NotificationKind.DIGEST.value,
                                   str(NotificationKind.DIGEST.label))]


def parse(kind: str | None, state: str | None, text_from: str | None,
          text_to: str | None) -> Filters:
    """Filters from query parameters; a bad one is a 400 that names it."""
    kind = (kind or "").strip()[:MAX_TEXT] or None
    state = (state or "").strip()[:MAX_TEXT] or None
    if kind is not None and kind not in dict(kinds()):
        raise InvalidInput(_("kind is not a kind of notification."), {"kind": [_("unknown")]})
    if state is not None and state not in STATES:
        raise InvalidInput(_("state must be read or unread."), {"state": [_("unknown")]})
    start, end = params.period(text_from, text_to)
    return Filters(kind=kind, state=state, start=start, end=end)


def filtered(actor: Actor, filters: Filters) -> QuerySet:
    qs = services.inbox(actor)
    if filters.kind:
        qs = qs.filter(notification__kind=filters.kind)
    if filters.state == "unread":
        qs = qs.filter(read_at__isnull=True)
    elif filters.state == "read":
        qs = qs.filter(read_at__isnull=False)
    if filters.start is not None:
        qs = qs.filter(notification__created_at__gt=filters.start)
    if filters.end is not None:
        qs = qs.filter(notification__created_at__lte=filters.end)
    return qs


def unread(actor: Actor) -> int:
    return services.inbox(actor).filter(read_at__isnull=True).count()


def one(actor: Actor, delivery_id: int) -> Delivery:
    """The person's own in-app notification, or NotFound."""
    if actor.user is None:
        raise NotAuthenticated()
    found = services.inbox(actor).filter(pk=delivery_id).first()
    if found is None:
        raise NotFound(_("No such notification."))
    return found


def mark_one_read(actor: Actor, delivery_id: int) -> Delivery:
    """Mark one of the person's notifications read (it stays so if it was)."""
    delivery = one(actor, delivery_id)
    if delivery.read_at is None:
        delivery.read_at = timezone.now()
        type(delivery).objects.filter(pk=delivery.pk, read_at__isnull=True).update(
            read_at=delivery.read_at)
    return delivery
