"""The e-mail newsletter's subscribers: signing up with double opt-in, confirming, changing
one's choices and unsubscribing through signed links, and what the staff see of the list.

- A sign-up never changes a subscriber: it stores the choices asked for (`requested`) and
  sends one e-mail whose link applies them. Whether the address was already subscribed, the
  answer is the same page, and the only e-mail an unconfirmed address ever gets is that one.
- The confirmation link is signed, expires after CONFIRM_MAX_AGE and is single-use (its
  nonce is cleared when used; a newer sign-up replaces it).
- The unsubscribe and preference links are signed with the subscriber's `link_key`; they do
  not expire, as a newsletter read months later must still let its reader go.
- Unsubscribing anonymises the row (see `newsletter_models`).
- Against mail bombing: at most one confirmation e-mail per address every ADDRESS_PAUSE and
  ADDRESS_PER_DAY a day (over that the answer is the same page and nothing is sent), and at
  most IP_PER_HOUR sign-ups per client address (over that: 429).
Every change is an audit event naming the subscriber by id, never by address."""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from envhub.core import audit, permissions
from envhub.core.errors import EnvhubError, Forbidden, InvalidInput
from envhub.core.permissions import Actor, system_actor
from envhub.news.models import Category
from envhub.news.newsletter_models import (
    DeliveryState,
    NewsletterDelivery,
    SignupAttempt,
    Subscriber,
    SubscriberState,
)
from envhub.news.policy import exports_subscribers

logger = logging.getLogger("envhub.newsletter")

LANGUAGES = ("vi", "en")
MAX_ADDRESS = 254
CONFIRM_MAX_AGE = datetime.timedelta(hours=48)
ADDRESS_PAUSE = datetime.timedelta(minutes=10)
ADDRESS_PER_DAY = 5
IP_PER_HOUR = 10
ATTEMPTS_KEPT = datetime.timedelta(days=1)
CONFIRM_SALT = "envhub.news.newsletter.confirm"
MANAGE_SALT = "envhub.news.newsletter.manage"
READER = system_actor("newsletter reader")


class TooManyRequests(EnvhubError):
    status = 429
    code = "too_many_requests"

    def __init__(self, retry_after: int):
        super().__init__(_("Too many sign-ups from your network. Try again in an hour."))
        self.retry_after = retry_after


class NotOpen(EnvhubError):
    status = 503
    code = "newsletter_not_open"


@dataclass(frozen=True)
class Choices:
    language: str = "vi"
    categories: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"language": self.language, "categories": list(self.categories),
                "provinces": list(self.provinces)}

    @classmethod
    def of(cls, data: dict | None) -> Choices:
        data = data or {}
        return cls(data.get("language", "vi"), tuple(data.get("categories") or ()),
                   tuple(data.get("provinces") or ()))


def site_url() -> str:
    return getattr(settings, "ENVHUB_SITE_URL", "") or ""


def normal_address(text: str) -> str:
    """The address as kept: trimmed, lower case (mail providers ignore case); InvalidInput
    when it is not an e-mail address."""
    address = (text or "").strip().lower()
    if not address or len(address) > MAX_ADDRESS:
        raise InvalidInput(_("Enter a valid e-mail address."), {"email": ["invalid"]})
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(_("Enter a valid e-mail address."), {"email": ["invalid"]}) from None
    return address


def checked_choices(language: str, categories: Iterable[str], provinces: Iterable[str]) -> Choices:
    from envhub.registry.models import Province

    categories = sorted(set(categories))
    provinces = sorted(set(provinces))
    problems = {}
    if language not in LANGUAGES:
        problems["language"] = [_("Choose Vietnamese or English.")]
    if any(code not in Category.values for code in categories):
        problems["categories"] = [_("Unknown category.")]
    if len(provinces) > 100 or Province.objects.filter(code__in=provinces).count() \
            != len(provinces):
        problems["provinces"] = [_("Unknown province.")]
    if problems:
        raise InvalidInput(_("Some fields are not valid: %(fields)s.")
                           % {"fields": ", ".join(sorted(problems))}, problems)
    return Choices(language, tuple(categories), tuple(provinces))


def address_key(address: str) -> str:
    return salted_hmac("envhub.news.newsletter.address", address,
                       algorithm="sha256").hexdigest()


def _reader(ip: str | None) -> Actor:
    return Actor(kind="system", label="newsletter reader", extra={"ip": ip})


# --- signing up --------------------------------------------------------------------------------

def subscribe(address: str, choices: Choices, ip: str | None,
              now: datetime.datetime | None = None) -> bool:
    """Ask for the newsletter at `address`; True when a confirmation e-mail went out. The
    caller answers the same page whatever this returns."""
    if not site_url():
        raise NotOpen(_("The newsletter is not open yet. Please come back later."))
    address = normal_address(address)
    now = now or timezone.now()
    key = address_key(address)
    reader = _reader(ip)
    with transaction.atomic():
        if ip and SignupAttempt.objects.filter(
                ip=ip, at__gt=now - datetime.timedelta(hours=1)).count() >= IP_PER_HOUR:
            audit.record(reader, "news.subscriber.refused", object_type="news.subscriber",
                         changes={"reason": "client address"})
            raise TooManyRequests(retry_after=3600)
        sent = SignupAttempt.objects.filter(address_key=key, sent=True,
                                            at__gt=now - datetime.timedelta(days=1))
        limited = (sent.filter(at__gt=now - ADDRESS_PAUSE).exists()
                   or sent.count() >= ADDRESS_PER_DAY)
        SignupAttempt.objects.create(address_key=key, ip=ip, sent=not limited, at=now)
        if limited:
            audit.record(reader, "news.subscriber.refused", object_type="news.subscriber",
                         changes={"reason": "address"})
            return False
        subscriber = _subscriber_for(address)
        subscriber.requested = choices.as_json()
        subscriber.confirm_nonce = secrets.token_hex(16)
        subscriber.confirm_sent_at = now
        subscriber.save(update_fields=["requested", "confirm_nonce", "confirm_sent_at"])
        audit.record(reader, "news.subscriber.requested", subscriber, choices.as_json())
    _send_confirmation(subscriber, address, choices.language)
    return True


def _subscriber_for(address: str) -> Subscriber:
    found = Subscriber.objects.select_for_update().filter(email=address).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=address, link_key=secrets.token_hex(16))
    except IntegrityError:  # the same address, signed up at the same moment
        return Subscriber.objects.select_for_update().get(email=address)


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.confirm_nonce], salt=CONFIRM_SALT,
                         compress=True)


def _send_confirmation(subscriber: Subscriber, address: str, language: str) -> None:
    link = site_url() + reverse("newsletter-confirm", args=[confirm_token(subscriber)])
    hours = int(CONFIRM_MAX_AGE.total_seconds() // 3600)
    with translation.override(language):
        subject = _("Confirm your subscription to the envhub newsletter")
        context = {"link": link, "hours": hours, "site": site_url(), "language": language}
        text = render_to_string("news/newsletter/email_confirm.txt", context)
        html = render_to_string("news/newsletter/email_confirm.html", context)
    message = EmailMultiAlternatives(subject, text, None, [address])
    message.attach_alternative(html, "text/html")
    message.send()


class LinkExpired(EnvhubError):
    status = 410
    code = "link_expired"


class LinkInvalid(EnvhubError):
    status = 400
    code = "link_invalid"


def pending_confirmation(token: str, now: datetime.datetime | None = None) -> Subscriber:
    """The subscriber whose sign-up `token` confirms, with its `requested` choices; raises
    LinkExpired or LinkInvalid (forged, used, or replaced by a newer sign-up)."""
    try:
        max_age = CONFIRM_MAX_AGE
        if now is not None:  # the link's age as it will be at `now` (tests pass the time)
            max_age = CONFIRM_MAX_AGE - (now - timezone.now())
        subscriber_id, nonce = signing.loads(token[:500], salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired(_("This confirmation link has expired. Please sign up again.")) \
            from None
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid(_("This link is not valid or has already been used.")) from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() \
        if isinstance(subscriber_id, int) else None
    if (subscriber is None or not subscriber.confirm_nonce or subscriber.requested is None
            or not isinstance(nonce, str)
            or not hmac.compare_digest(subscriber.confirm_nonce, nonce)):
        raise LinkInvalid(_("This link is not valid or has already been used."))
    return subscriber


def confirm(token: str, ip: str | None = None,
            now: datetime.datetime | None = None) -> Subscriber:
    """Apply the choices a confirmation link carries, once."""
    found = pending_confirmation(token, now)
    moment = now or timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=found.pk)
        if subscriber.confirm_nonce != found.confirm_nonce or subscriber.requested is None:
            raise LinkInvalid(_("This link is not valid or has already been used."))
        choices = Choices.of(subscriber.requested)
        first = subscriber.state != SubscriberState.CONFIRMED
        subscriber.language = choices.language
        subscriber.categories = list(choices.categories)
        subscriber.provinces = list(choices.provinces)
        subscriber.state = SubscriberState.CONFIRMED
        subscriber.confirmed_at = moment if first else subscriber.confirmed_at
        subscriber.requested = None
        subscriber.confirm_nonce = ""
        subscriber.save()
        audit.record(_reader(ip), "news.subscriber.confirmed", subscriber,
                     {**choices.as_json(), "first": first})
    return subscriber


# --- the links in every newsletter -------------------------------------------------------------

def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.link_key], salt=MANAGE_SALT)


def subscriber_of(token: str) -> Subscriber:
    """The subscriber an unsubscribe or preference link names (an unsubscribed one too, so
    that a second click says "done" again); LinkInvalid for anything else."""
    try:
        subscriber_id, key = signing.loads(token[:500], salt=MANAGE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise LinkInvalid(_("This link is not valid.")) from None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first() \
        if isinstance(subscriber_id, int) else None
    if subscriber is None or not isinstance(key, str) \
            or not hmac.compare_digest(subscriber.link_key, key):
        raise LinkInvalid(_("This link is not valid."))
    return subscriber


def _anonymise(subscriber: Subscriber, now: datetime.datetime) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(
        email=None, state=SubscriberState.UNSUBSCRIBED, unsubscribed_at=now, categories=[],
        provinces=[], requested=None, confirm_nonce="")
    NewsletterDelivery.objects.filter(subscriber_id=subscriber.pk,
                                      status=DeliveryState.PENDING).update(
        status=DeliveryState.SKIPPED, error="unsubscribed")
    subscriber.refresh_from_db()


def unsubscribe(subscriber: Subscriber, ip: str | None = None,
                now: datetime.datetime | None = None) -> bool:
    """The reader leaves: the address is erased at once. False when they had already left."""
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.state == SubscriberState.UNSUBSCRIBED:
            return False
        _anonymise(subscriber, now or timezone.now())
        audit.record(_reader(ip), "news.subscriber.unsubscribed", subscriber)
    return True


def change(subscriber: Subscriber, choices: Choices, ip: str | None = None) -> Subscriber:
    """A confirmed reader's new choices, from their preference link."""
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.state != SubscriberState.CONFIRMED:
            raise LinkInvalid(_("This address no longer receives the newsletter."))
        before = Choices(locked.language, tuple(locked.categories), tuple(locked.provinces))
        locked.language = choices.language
        locked.categories = list(choices.categories)
        locked.provinces = list(choices.provinces)
        locked.save(update_fields=["language", "categories", "provinces"])
        audit.record(_reader(ip), "news.subscriber.changed", locked,
                     {"before": before.as_json(), "after": choices.as_json()})
    return locked


# --- what the staff see ----------------------------------------------------------------------

MAX_SEARCH = 254
LIST_SIZE = 100


def listed(actor: Actor, query: str = "") -> QuerySet:
    """The subscribers with an address (confirmed or waiting), for those who keep the list;
    each reading is an audit event, as it shows personal data."""
    permissions.require(actor, permissions.VIEW, Subscriber)
    query = (query or "").strip().lower()[:MAX_SEARCH]
    rows = permissions.scope(actor, Subscriber.objects.exclude(email=None))
    if query:
        rows = rows.filter(email__contains=query)
    audit.record(actor, "news.subscriber.listed", object_type="news.subscriber",
                 changes={"query": query} if query else {})
    return rows.order_by("email")


def export(actor: Actor) -> QuerySet:
    """The whole list, for an administrator only (it leaves the system): audited."""
    permissions.require(actor, permissions.VIEW, Subscriber)
    if not exports_subscribers(actor):
        raise Forbidden(_("Only administrators export the list of subscribers."))
    rows = Subscriber.objects.exclude(email=None).order_by("email")
    audit.record(actor, "news.subscriber.exported", object_type="news.subscriber",
                 changes={"rows": rows.count()})
    return rows


def erase(actor: Actor, subscriber_id: int, now: datetime.datetime | None = None) -> None:
    """Erase an address at its owner's request (by letter, by telephone) or after bounces."""
    permissions.require(actor, permissions.DELETE, Subscriber)
    subscriber = permissions.scope(actor, Subscriber.objects.filter(pk=subscriber_id)).first()
    if subscriber is None or subscriber.email is None:
        raise permissions.NotFound()
    with transaction.atomic():
        _anonymise(subscriber, now or timezone.now())
        audit.record(actor, "news.subscriber.erased", subscriber)


def counts() -> dict:
    """Figures that name no one: subscribers by state, language, category and province."""
    by_state = dict(Subscriber.objects.values_list("state").annotate(n=Count("id")))
    confirmed = Subscriber.objects.filter(state=SubscriberState.CONFIRMED)
    categories: dict[str, int] = {}
    provinces: dict[str, int] = {}
    for chosen_categories, chosen_provinces in confirmed.values_list("categories",
                                                                     "provinces").iterator():
        for code in chosen_categories or ["*"]:
            categories[code] = categories.get(code, 0) + 1
        for code in chosen_provinces or ["*"]:
            provinces[code] = provinces.get(code, 0) + 1
    return {"states": by_state,
            "languages": dict(confirmed.values_list("language").annotate(n=Count("id"))),
            "categories": categories, "provinces": provinces}


def issue_counts(limit: int = 20) -> list[dict]:
    from envhub.news.newsletter_models import NewsletterIssue

    issues = NewsletterIssue.objects.select_related("post").annotate(
        **{state: Count("deliveries", filter=Q(deliveries__status=state))
           for state in DeliveryState.values})[:limit]
    return [{"issue": issue, **{state: getattr(issue, state) for state in DeliveryState.values}}
            for issue in issues]


def purge(now: datetime.datetime | None = None) -> int:
    """Sign-ups never confirmed are deleted when their link expires; attempts after a day."""
    now = now or timezone.now()
    SignupAttempt.objects.filter(at__lt=now - ATTEMPTS_KEPT).delete()
    stale = Subscriber.objects.filter(state=SubscriberState.PENDING,
                                      confirm_sent_at__lt=now - CONFIRM_MAX_AGE)
    deleted, _by_model = stale.delete()
    Subscriber.objects.filter(requested__isnull=False,
                              confirm_sent_at__lt=now - CONFIRM_MAX_AGE).update(
        requested=None, confirm_nonce="")
    return deleted
