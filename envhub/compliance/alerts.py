"""Alerts: exceedance events and connectivity changes become notifications, delivered in the
application, by e-mail and to signed webhooks — each at most once per recipient and channel, even
with several workers, and tried again after a failure that certainly left it undelivered.

Three steps, each a claim on rows so that workers can run side by side:
1. `notify_*` write a `Notification` row in the transaction that made the event (connectivity
   changes are picked up from their `ConnectivityChange` rows by `collect_connectivity`; the
   one-to-one link makes a second worker's insert fail instead of duplicating);
2. `plan` claims notifications without recipients (conditional UPDATE of `planned_at`) and writes
   one `Delivery` per recipient and channel (unique constraints again);
3. `deliver` claims pending deliveries (UPDATE … WHERE status = 'pending': only one worker's
   update matches a row), sends them and records the outcome. A delivery left `sending` by a
   crash is not retried: at most once, as an alert sent twice is worse than one reported failed.
   Nor is one whose outcome is unknown (a timeout, HTTP 500 or 504: the receiver may have acted
   on it). One that surely did not arrive — connection refused, name not found, HTTP 429, 502 or
   503, an SMTP 4xx — goes
   back to `pending` after a pause (`RETRY_PAUSES`), with the same `X-Envhub-Delivery` id, and
   is failed for good once the pauses run out.

Recipients by role and scope: the provincial officers of the facility's province, the operators
of the facility, the data stewards and the leaders (the whole country); webhooks of those
people's organisations. Each person's preference for the kind (`preferences`) says whether it
reaches them at once, waits for their daily or weekly digest (`digests`: a `held` delivery), or
not at all, and whether by e-mail too.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import os
import smtplib
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

import orjson
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from envhub.compliance.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    EventStatus,
    ExceedanceEvent,
    Notification,
    NotificationKind,
    Webhook,
)
from envhub.core import site
from envhub.core.numbers import format_multiple, format_number
from envhub.core.timeutil import VN, local_iso

logger = logging.getLogger("envhub.alerts")

QUIET_AFTER = datetime.timedelta(days=2)
"""Events found in data older than this (a backfill after an outage) are recorded but not
announced: an alert about last month helps nobody at 3 a.m."""

WEBHOOK_TIMEOUT = 10

RETRY_PAUSES = (datetime.timedelta(minutes=1), datetime.timedelta(minutes=5),
                datetime.timedelta(minutes=30), datetime.timedelta(hours=2))
"""The pauses before each new attempt of an e-mail or webhook that surely did not arrive: about
2 h 36 min in all, long enough for a receiver's restart or a mail server's maintenance."""


class NotDelivered(Exception):
    """A failure after which the message was certainly not accepted: worth another attempt."""


def _fmt(moment: datetime.datetime) -> str:
    return moment.astimezone(VN).strftime("%H:%M %d/%m/%Y")


def _event_payload(event: ExceedanceEvent) -> dict:
    source = event.source
    return {
        "event": event.pk, "status": event.status, "source": source.pk,
        "source_code": source.code, "facility": source.facility_id,
        "facility_name": source.facility.name, "parameter": event.parameter.code,
        "start": local_iso(event.start), "end": local_iso(event.end),
        "peak_value": event.peak_value, "peak_multiple": event.peak_multiple,
        "band": event.band, "hours": event.hours, "limit": event.limit, "unit": event.unit,
    }


def _notify_event(event: ExceedanceEvent, kind: str) -> Notification | None:
    if timezone.now() - event.end > QUIET_AFTER:
        return None
    facility = event.source.facility
    notification = Notification(kind=kind, facility=facility, province_id=facility.province_id,
                                event=event, payload=_event_payload(event))
    return _save(notification)


def _save(notification: Notification) -> Notification | None:
    """Store it with its text in the site's language (what webhooks carry); each person reads
    it in their own (`wording`)."""
    subject, body = wording(notification, settings.LANGUAGE_CODE)
    notification.subject, notification.body = subject[:300], body
    try:
        with transaction.atomic():
            notification.save()
            return notification
    except IntegrityError:
        return None  # already announced (the event came back after a withdrawal; another worker)


# Notification kinds of the apps above compliance (a survey returned to its unit…): each
# registers how its text is written and who hears it (`register_kind`), as `jobs.py` does.
Writer = Callable[[Notification, dict], tuple[str, str]]
Audience = Callable[[Notification], Q]
_WRITERS: dict[str, Writer] = {}
_AUDIENCES: dict[str, Audience] = {}
_LABELS: dict[str, object] = {}


def register_kind(kind: str, writer: Writer, audience: Audience, label=None) -> None:
    """`label` names the kind on the preferences page (a lazy translation)."""
    _WRITERS[kind] = writer
    _AUDIENCES[kind] = audience
    _LABELS[kind] = label


def registered_kinds() -> dict[str, object]:
    return {kind: _LABELS.get(kind) for kind in _WRITERS}


def announce(kind: str, payload: dict, **fields) -> Notification | None:
    """Store a notification of a registered kind; the worker chooses its recipients."""
    return _save(Notification(kind=kind, payload=payload, **fields))


def wording(notification: Notification, language: str) -> tuple[str, str]:
    """The notification's subject and body in `language`, written from what it records (its
    kind and payload), so that each recipient reads it in their own language. A notification
    whose payload lacks what its text needs keeps the text it was stored with."""
    data = notification.payload or {}
    with translation.override(language):
        try:
            if notification.kind == NotificationKind.CONNECTIVITY:
                return _connectivity_text(notification, data)
            if notification.kind in (NotificationKind.EXCEEDANCE_OPENED,
                                     NotificationKind.EXCEEDANCE_CLOSED):
                return _exceedance_text(notification.kind, data)
            if notification.kind in _WRITERS:
                return _WRITERS[notification.kind](notification, data)
        except (KeyError, TypeError, ValueError):
            pass
    return notification.subject, notification.body


def page_of(notification: Notification) -> str:
    """The site path of the page behind a notification: its facility's compliance, the
    transmission page for a station, or the path its app recorded (a survey submission, a
    report); "" when none."""
    from django.urls import reverse

    if notification.facility_id:
        return reverse("facility-compliance", args=[notification.facility_id])
    if notification.kind == NotificationKind.CONNECTIVITY:
        return reverse("transmission")
    path = (notification.payload or {}).get("path")
    return path if isinstance(path, str) and site.is_site_path(path) else ""


def email_text(notification: Notification, language: str) -> tuple[str, str]:
    """What an e-mail says: the notification's words (`wording`) with every link on the site's
    address (`ENVHUB_SITE_URL`), ending with the page behind it when the words name none."""
    subject, body = wording(notification, language)
    body = site.absolute_lines(body)
    page = page_of(notification)
    if page and site.absolute(page) not in body.split("\n"):
        body = f"{body}\n\n{site.absolute(page)}"
    return subject, body


def _local(text: str) -> str:
    return _fmt(datetime.datetime.fromisoformat(text))


def _exceedance_text(kind: str, data: dict) -> tuple[str, str]:
    language = translation.get_language()
    values = {"facility": data["facility_name"], "source": data["source_code"],
              "parameter": data["parameter"], "start": _local(data["start"]),
              "end": _local(data["end"]), "unit": data["unit"],
              "hours": format_number(data["hours"], language),
              "peak": format_number(data["peak_value"], language, unit=data["unit"],
                                    against=data["limit"]),
              "multiple": format_multiple(data["peak_multiple"], language),
              "limit": format_number(data["limit"], language, decimals=6)}
    if kind == NotificationKind.EXCEEDANCE_OPENED:
        subject = _("Exceedance: %(parameter)s at %(facility)s (%(source)s)") % values
        body = _("%(parameter)s of source %(source)s at %(facility)s is over its limit of "
                 "%(limit)s %(unit)s since %(start)s: highest %(peak)s %(unit)s, "
                 "%(multiple)s the limit.") % values
    else:
        subject = _("Exceedance ended: %(parameter)s at %(facility)s (%(source)s)") % values
        body = _("%(parameter)s of source %(source)s at %(facility)s exceeded its limit of "
                 "%(limit)s %(unit)s from %(start)s to %(end)s (%(hours)s hours); highest "
                 "%(peak)s %(unit)s, %(multiple)s the limit.") % values
    return subject, body


def _connectivity_text(notification: Notification, data: dict) -> tuple[str, str]:
    from envhub.monitoring.models import Connectivity

    station = notification.station
    values = {"station": data["station_code"],
              "name": station.name if station is not None else data["station_code"],
              "previous": Connectivity(data["previous"]).label,
              "current": Connectivity(data["current"]).label, "at": _local(data["at"])}
    subject = _("Station %(station)s: %(current)s") % values
    body = _("Station %(station)s (%(name)s) went from “%(previous)s” to "
             "“%(current)s” at %(at)s.") % values
    return subject, body


def event_opened(event: ExceedanceEvent) -> Notification | None:
    return _notify_event(event, NotificationKind.EXCEEDANCE_OPENED)


def event_closed(event: ExceedanceEvent) -> Notification | None:
    if event.status != EventStatus.CLOSED:
        return None
    return _notify_event(event, NotificationKind.EXCEEDANCE_CLOSED)


def collect_connectivity(limit: int = 500) -> int:
    """Turn new `ConnectivityChange` rows into notifications: a station lost (offline) and a
    station back, and with ENVHUB_ANNOUNCE_LATE every change. Online ↔ late (a network
    hiccup, a slow datalogger) may come and go every few minutes: it is on the transmission
    page, and a station late for long turns offline. A station's first data (from "never")
    is no problem to act on either, and a new installation would send one per station. The
    changes not announced stay recorded."""
    from envhub.monitoring.models import Connectivity, ConnectivityChange

    made = 0
    changes = ConnectivityChange.objects.filter(
        notification__isnull=True, at__gte=timezone.now() - QUIET_AFTER).exclude(
            previous=Connectivity.NEVER)
    if not settings.ENVHUB_ANNOUNCE_LATE:
        changes = changes.filter(Q(previous=Connectivity.OFFLINE)
                                 | Q(current=Connectivity.OFFLINE))
    changes = changes.select_related("station", "station__facility").order_by("id")[:limit]
    for change in changes:
        station = change.station
        notification = Notification(
            kind=NotificationKind.CONNECTIVITY, station=station, facility=station.facility,
            province_id=station.province_id, connectivity_change=change,
            payload={"station": station.pk, "station_code": station.code,
                     "previous": change.previous, "current": change.current,
                     "at": local_iso(change.at)})
        if _save(notification) is not None:
            made += 1
    return made


# --- recipients ------------------------------------------------------------------------------

def recipients(notification: Notification):
    """Users who must hear of it: stewards and leaders; the provincial officers of its
    province; the operators of its facility. Each user once."""
    from envhub.accounts.models import Membership, Role, User
    from envhub.compliance import preferences

    # The one table of who hears of each kind bounds every audience below.
    memberships = Membership.objects.filter(active=True, user__is_active=True,
                                            role__in=preferences.receivers(notification.kind))
    if notification.kind in _AUDIENCES:
        chosen = memberships.filter(_AUDIENCES[notification.kind](notification))
        return (User.objects.filter(id__in=chosen.values("user_id")).order_by("id"),
                set(chosen.values_list("organisation_id", flat=True)))
    wanted = Q(role=Role.STEWARD) | Q(role=Role.LEADER)
    if notification.province_id:
        wanted |= Q(role=Role.PROVINCIAL_OFFICER, provinces=notification.province_id)
        wanted |= Q(role=Role.PROVINCIAL_OFFICER, provinces__isnull=True,
                    organisation__province_id=notification.province_id)
    if notification.facility_id:
        facility = notification.facility
        wanted |= Q(role=Role.FACILITY_OPERATOR, organisation_id=facility.operator_id,
                    facilities__isnull=True)
        wanted |= Q(role=Role.FACILITY_OPERATOR, organisation_id=facility.operator_id,
                    facilities=facility.pk)
    chosen = memberships.filter(wanted)
    user_ids = set(chosen.values_list("user_id", flat=True))
    organisation_ids = set(chosen.values_list("organisation_id", flat=True))
    return User.objects.filter(id__in=user_ids).order_by("id"), organisation_ids


def plan(limit: int = 200) -> int:
    """Choose the recipients of notifications that have none yet; returns deliveries made."""
    made = 0
    candidates = list(Notification.objects.filter(planned_at__isnull=True).order_by("id")
                      .values_list("id", flat=True)[:limit])
    for notification_id in candidates:
        with transaction.atomic():
            claimed = Notification.objects.filter(pk=notification_id, planned_at__isnull=True) \
                .update(planned_at=timezone.now())
            if not claimed:
                continue  # another worker has it
            notification = Notification.objects.select_related("facility").get(pk=notification_id)
            users, organisation_ids = recipients(notification)
            rows = _personal_deliveries(notification, list(users))
            for webhook in Webhook.objects.filter(active=True,
                                                  organisation_id__in=organisation_ids):
                if not webhook.kinds or notification.kind in webhook.kinds:
                    rows.append(Delivery(notification=notification,
                                         channel=DeliveryChannel.WEBHOOK, webhook=webhook))
            Delivery.objects.bulk_create(rows, ignore_conflicts=True)
            made += len(rows)
    return made


def _personal_deliveries(notification: Notification, users: list) -> list[Delivery]:
    """Each person's deliveries as they chose (`preferences`): in the application and maybe by
    e-mail now, one kept for their digest, or none."""
    from envhub.accounts.models import DeliveryMode
    from envhub.compliance import preferences

    choices = preferences.for_users([user.pk for user in users], notification.kind)
    rows = []
    for user in users:
        choice = choices[user.pk]
        if choice.mode == DeliveryMode.OFF:
            continue
        if choice.mode in preferences.DIGESTS:
            rows.append(Delivery(notification=notification, channel=choice.mode, user=user,
                                 status=DeliveryStatus.HELD))
            continue
        rows.append(Delivery(notification=notification, channel=DeliveryChannel.IN_APP,
                             user=user))
        if user.email and choice.email:
            rows.append(Delivery(notification=notification, channel=DeliveryChannel.EMAIL,
                                 user=user))
    return rows


# --- delivery --------------------------------------------------------------------------------

def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def deliver(limit: int = 100, worker: str | None = None,
            now: datetime.datetime | None = None) -> int:
    """Send the pending deliveries that are due; returns how many this worker sent."""
    worker = worker or _worker_id()
    now = now or timezone.now()
    sent = 0
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True)
                                              | Q(next_attempt_at__lte=now))
    pending = list(Delivery.objects.filter(due).order_by("id")
                   .values_list("id", flat=True)[:limit])
    for delivery_id in pending:
        claimed = Delivery.objects.filter(due, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_by=worker, claimed_at=now,
            attempts=F("attempts") + 1)
        if not claimed:
            continue
        delivery = Delivery.objects.select_related("notification", "user", "webhook").get(
            pk=delivery_id)
        try:
            _send(delivery)
        except Exception as error:  # noqa: BLE001 - recorded on the row
            logger.warning("delivery %s failed (attempt %d): %s", delivery_id,
                           delivery.attempts, error)
            again = isinstance(error, NotDelivered) and delivery.attempts <= len(RETRY_PAUSES)
            # The pause counts from the failure (sending the ones before may have taken long).
            failed_at = max(now, timezone.now())
            Delivery.objects.filter(pk=delivery_id).update(
                status=DeliveryStatus.PENDING if again else DeliveryStatus.FAILED,
                next_attempt_at=failed_at + RETRY_PAUSES[delivery.attempts - 1] if again
                else None,
                error=str(error)[:2000])
            continue
        Delivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.SENT,
                                                       sent_at=timezone.now())
        sent += 1
    return sent


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.channel == DeliveryChannel.IN_APP:
        return  # the row itself is the in-app notification
    if delivery.channel == DeliveryChannel.EMAIL:
        try:
            subject, body = email_text(notification, delivery.user.language_code)
            send_mail(subject, body, None, [delivery.user.email])
        except smtplib.SMTPResponseException as error:  # also a refused greeting
            if 400 <= error.smtp_code < 500:  # the server's "try again later"
                raise NotDelivered(f"SMTP {error.smtp_code}: {error.smtp_error!r}") from None
            raise
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _message in error.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):  # greylisting, a full box
                raise NotDelivered(f"SMTP {codes[0]} for the recipient") from None
            raise
        except (ConnectionRefusedError, socket.gaierror) as error:
            raise NotDelivered(f"SMTP server not reached: {error}") from None
        return
    body = orjson.dumps({"id": notification.pk, "kind": notification.kind,
                         "created_at": local_iso(notification.created_at),
                         "subject": notification.subject, "message": notification.body,
                         "data": notification.payload})
    request = urllib.request.Request(
        delivery.webhook.url, data=body, method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "envhub",
                 "X-Envhub-Delivery": str(delivery.pk),
                 "X-Envhub-Signature": "sha256=" + sign(delivery.webhook.secret, body)})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"HTTP {response.status}")
    except urllib.error.HTTPError as error:
        # Not taken: "later", a gateway that did not reach the receiver, "unavailable". (A
        # 500 or 504 may come after the receiver acted on it: not tried again.)
        if error.code in (429, 502, 503):
            raise NotDelivered(f"HTTP {error.code}") from None
        raise OSError(f"HTTP {error.code}") from None
    except urllib.error.URLError as error:
        # Never connected: nothing was sent. (A timeout or a reset may come after the receiver
        # took the message: not tried again.)
        if isinstance(error.reason, ConnectionRefusedError | socket.gaierror):
            raise NotDelivered(f"not reached: {error.reason}") from None
        raise


def sign(secret: str, body: bytes) -> str:
    """HMAC-SHA256 of the body, hex: what the receiver recomputes to trust the POST."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def run() -> None:
    """The worker's alert round."""
    collect_connectivity()
    plan()
    deliver()
