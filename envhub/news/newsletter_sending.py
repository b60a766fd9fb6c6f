"""Sending the newsletter: each post that becomes public (bulletins are posts too) goes by
e-mail to the confirmed subscribers whose choices it matches — once.

Three steps of the worker's `newsletter` job, each safe with several workers:
1. `open_issues`: a post public for less than WINDOW and without an issue gets one (one-to-one
   with the post: a second worker's insert fails). A post unpublished and published again
   keeps its issue and is not sent again; posts published before the newsletter existed, or
   while the worker was stopped for longer than WINDOW, are not sent at all.
2. `plan`: the issue's deliveries, one per matching subscriber confirmed before the issue was
   made, written in batches in subscriber id order (unique per issue and subscriber).
3. `send`: pending deliveries are claimed CLAIM_CHUNK at a time (UPDATE … WHERE status =
   'pending', with the claim's own mark) and sent over one SMTP connection per batch. A
   delivery left `sending` by a crash is never sent again: a worker restart never mails a
   subscriber twice. One that surely did not leave (the
   server refused the connection, an SMTP 4xx) waits RETRY_PAUSES and is tried again.

Nothing is sent while ENVHUB_SITE_URL is unset (every link must be absolute); `envhub check`
says so. The e-mail carries the post's safe HTML exactly as the feed does (`markdown.to_html`
with the site's address as base) and its plain text, in Vietnamese, or in English for a
subscriber who chose it when the post has an English version."""

from __future__ import annotations

import datetime
import logging
import secrets
import smtplib
import socket

from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from envhub.core import workers
from envhub.news import media, newsletter
from envhub.news.markdown import to_html, to_text
from envhub.news.models import Post, PostState
from envhub.news.newsletter_models import (
    DeliveryState,
    NewsletterDelivery,
    NewsletterIssue,
    Subscriber,
    SubscriberState,
)
from envhub.news.policy import public_posts

logger = logging.getLogger("envhub.newsletter")

WINDOW = datetime.timedelta(days=2)
PLAN_BATCH = 1000
SEND_BATCH = 200
# Deliveries claimed together: a crash mid-chunk leaves at most these few `sending`, never
# sent again (at most once); one claim per e-mail would spend more on bookkeeping than on
# the e-mail (docs/benchmarks.md).
CLAIM_CHUNK = 20
RETRY_PAUSES = (datetime.timedelta(minutes=5), datetime.timedelta(minutes=30),
                datetime.timedelta(hours=2))


def matches(category: str, post_provinces: set[str], categories: list[str],
            provinces: list[str]) -> bool:
    """Whether a subscriber's choices take a post: its category among theirs (none chosen:
    all), and a province of theirs among its provinces (a post about no province, or a reader
    who chose none: the whole country)."""
    if categories and category not in categories:
        return False
    return not post_provinces or not provinces or bool(post_provinces & set(provinces))


def has_english(post: Post) -> bool:
    return bool(post.title_en.strip() and post.body_en.strip())


def open_issues(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    made = 0
    fresh = public_posts(Post.objects.all()).filter(published_at__gte=now - WINDOW,
                                                    newsletter_issue__isnull=True)
    for post_id in fresh.values_list("id", flat=True)[:100]:
        try:
            with transaction.atomic():
                NewsletterIssue.objects.create(post_id=post_id, created_at=now)
                made += 1
        except IntegrityError:
            continue  # another worker made it
    return made


def plan(now: datetime.datetime | None = None, batch: int = PLAN_BATCH) -> int:
    """Write the next batch of deliveries of every issue still being planned."""
    now = now or timezone.now()
    made = 0
    for issue in NewsletterIssue.objects.filter(planned_at__isnull=True).select_related("post"):
        post = issue.post
        if post.state != PostState.PUBLISHED:  # taken down before it went out
            NewsletterIssue.objects.filter(pk=issue.pk).update(planned_at=now)
            continue
        post_provinces = set(post.provinces.values_list("code", flat=True))
        english = has_english(post)
        rows = list(Subscriber.objects.filter(
            state=SubscriberState.CONFIRMED, confirmed_at__lte=issue.created_at,
            id__gt=issue.planned_through).order_by("id").values_list(
            "id", "language", "categories", "provinces")[:batch])
        deliveries = [
            NewsletterDelivery(issue=issue, subscriber_id=subscriber_id,
                               language="en" if language == "en" and english else "vi")
            for subscriber_id, language, categories, provinces in rows
            if matches(post.category, post_provinces, categories or [], provinces or [])]
        with transaction.atomic():
            NewsletterDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            changes = {"planned_through": rows[-1][0]} if rows else {"planned_at": now}
            NewsletterIssue.objects.filter(pk=issue.pk,
                                           planned_through=issue.planned_through).update(**changes)
        made += len(deliveries)
    return made


class NotDelivered(Exception):
    """The message surely did not leave: worth another attempt."""


def post_parts(post: Post, language: str) -> dict:
    """What every subscriber's e-mail of `post` in `language` shares: the post's safe HTML
    (the feed's, with the site's address as base) and its text. Made once per post and
    language in a round: rendering the Markdown is most of an e-mail's cost."""
    site = newsletter.site_url()
    english = language == "en"
    markdown = post.body_en if english else post.body
    with translation.override(language):
        return {
            "title": (post.title_en if english else post.title),
            "summary": (post.summary_en if english else post.summary),
            "body_html": to_html(markdown, base=site + "/",
                                 media=media.post_references(post, base=site + "/")),
            "body_text": to_text(markdown),
            "post_url": site + reverse("news-post", args=[post.slug]),
            "category": str(post.get_category_display()),
            "published_at": post.published_at,
            "site": site,
            "language": language,
        }


def compose(post: Post, subscriber: Subscriber, language: str, connection=None,
            parts: dict | None = None):
    """The e-mail of `post` for `subscriber`, in `language`, with absolute links only."""
    site = newsletter.site_url()
    token = newsletter.manage_token(subscriber)
    context = {**(parts or post_parts(post, language)),
               "unsubscribe_url": site + reverse("newsletter-unsubscribe", args=[token]),
               "preferences_url": site + reverse("newsletter-preferences", args=[token])}
    with translation.override(language):
        text = render_to_string("news/newsletter/email_post.txt", context)
        html = render_to_string("news/newsletter/email_post.html", context)
    subject = " ".join(context["title"].split())[:250]
    message = EmailMultiAlternatives(
        subject, text, None, [subscriber.email], connection=connection,
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "List-Id": f"envhub news <news.{site.split('://', 1)[1].split(':')[0]}>"})
    message.attach_alternative(html, "text/html")
    return message


def _sendable(delivery: NewsletterDelivery, now: datetime.datetime) -> str:
    """Why this delivery must not go (empty: it may)."""
    post, subscriber = delivery.issue.post, delivery.subscriber
    if post.state != PostState.PUBLISHED or post.published_at is None \
            or post.published_at > now:
        return "post not public"
    if subscriber.state != SubscriberState.CONFIRMED or not subscriber.email:
        return "unsubscribed"
    return ""


def send(limit: int = SEND_BATCH, now: datetime.datetime | None = None,
         worker: str | None = None) -> int:
    """Send a batch of due deliveries; returns how many went out."""
    if not newsletter.site_url():
        logger.warning("newsletter not sent: ENVHUB_SITE_URL is not set")
        return 0
    now = now or timezone.now()
    worker = (worker or workers.worker_id())[:90]
    due = Q(status=DeliveryState.PENDING) & (Q(next_attempt_at__isnull=True)
                                             | Q(next_attempt_at__lte=now))
    ids = list(NewsletterDelivery.objects.filter(due).order_by("id")
               .values_list("id", flat=True)[:limit])
    if not ids:
        return 0
    shared: dict = {}  # each post's parts per language, made once in this round
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        # Nothing claimed yet: the deliveries wait, whole, for the next round.
        logger.warning("newsletter not sent: the mail server is not reached: %s", error)
        return 0
    sent = 0
    try:
        for first in range(0, len(ids), CLAIM_CHUNK):
            sent += _send_chunk(ids[first:first + CLAIM_CHUNK], due, worker, now, connection,
                                shared)
    finally:
        connection.close()
    return sent


def _send_chunk(ids: list[int], due: Q, worker: str, now: datetime.datetime, connection,
                shared: dict) -> int:
    """Claim a few deliveries at once (this claim's own mark: another worker's claim of the
    same rows matches none of them), send them, record the outcomes."""
    mark = f"{worker}#{secrets.token_hex(4)}"
    NewsletterDelivery.objects.filter(due, pk__in=ids).update(
        status=DeliveryState.SENDING, claimed_by=mark, attempts=F("attempts") + 1)
    claimed = NewsletterDelivery.objects.filter(
        pk__in=ids, status=DeliveryState.SENDING, claimed_by=mark).select_related(
        "issue__post", "subscriber").order_by("id")
    done, skipped = [], {}
    for delivery in claimed:
        reason = _sendable(delivery, now)
        if reason:
            skipped.setdefault(reason, []).append(delivery.pk)
            continue
        try:
            _deliver(delivery, connection, shared)
        except Exception as error:  # noqa: BLE001 - recorded on the row
            again = isinstance(error, NotDelivered) and delivery.attempts <= len(RETRY_PAUSES)
            logger.warning("newsletter delivery %s failed: %s", delivery.pk, error)
            NewsletterDelivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryState.PENDING if again else DeliveryState.FAILED,
                next_attempt_at=max(now, timezone.now()) + RETRY_PAUSES[
                    delivery.attempts - 1] if again else None,
                error=str(error)[:500])
            continue
        done.append(delivery.pk)
    for reason, pks in skipped.items():
        NewsletterDelivery.objects.filter(pk__in=pks).update(status=DeliveryState.SKIPPED,
                                                             error=reason)
    NewsletterDelivery.objects.filter(pk__in=done).update(status=DeliveryState.SENT,
                                                          sent_at=timezone.now(), error="")
    return len(done)


def _deliver(delivery: NewsletterDelivery, connection, shared: dict) -> None:
    post, language = delivery.issue.post, delivery.language
    key = (post.pk, language)
    if key not in shared:
        shared[key] = post_parts(post, language)
    message = compose(post, delivery.subscriber, language, connection, shared[key])
    try:
        message.send()
    except smtplib.SMTPResponseException as error:
        if 400 <= error.smtp_code < 500:
            raise NotDelivered(f"SMTP {error.smtp_code}") from None
        raise
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _message in error.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            raise NotDelivered(f"SMTP {codes[0]} for the recipient") from None
        raise
    except (ConnectionRefusedError, socket.gaierror) as error:
        raise NotDelivered(f"SMTP server not reached: {error}") from None


def run() -> None:
    """The worker's newsletter round."""
    open_issues()
    plan()
    send()
    newsletter.purge()
