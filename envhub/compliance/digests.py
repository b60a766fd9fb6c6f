"""Digests: the notifications a person chose to hear of once a day or once a week, in one
notification that counts them by province — exceedances that began and ended, stations that
went offline and came back — with links to the pages behind them.

When a notification's recipients are chosen (`alerts.plan`), a person whose preference for its
kind is a digest gets a `held` delivery on the channel `daily` or `weekly` instead of an in-app
one. From `ENVHUB_DIGEST_HOUR` (local time) the worker makes, for each person with held
deliveries, the digest of the day before (daily) or of the week before, Monday to Sunday
(weekly, on Mondays); also those of the two periods before, should the worker have been down.
One digest per person, frequency and period, whatever the number of workers: the `Digest` row's
unique constraint refuses the second. Nothing held, nothing sent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from envhub.compliance import alerts, preferences
from envhub.compliance.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Digest,
    Notification,
    NotificationKind,
)
from envhub.core.numbers import format_number
from envhub.core.timeutil import VN

FREQUENCIES = (DeliveryChannel.DAILY, DeliveryChannel.WEEKLY)
CATCH_UP = 3  # periods looked at each round: the last due one and the two before
LISTED = 30  # notifications named one by one in a digest's text; the rest are counted
KEPT = 500  # notification ids a digest remembers (for its page)
COUNTS = ("opened", "closed", "offline", "back", "other")


def due_periods(now: datetime.datetime, hour: int,
                frequency: str) -> list[tuple[datetime.date, datetime.date]]:
    """The periods (first and last local day) whose digest is due at `now`, newest first."""
    local = now.astimezone(VN)
    last_due = local.date() - datetime.timedelta(days=1 if local.hour >= hour else 2)
    if frequency == DeliveryChannel.DAILY:
        return [(day, day) for day in
                (last_due - datetime.timedelta(days=back) for back in range(CATCH_UP))]
    sunday = last_due - datetime.timedelta(days=(last_due.weekday() + 1) % 7)
    ends = [sunday - datetime.timedelta(days=7 * back) for back in range(CATCH_UP)]
    return [(end - datetime.timedelta(days=6), end) for end in ends]


def next_sending(now: datetime.datetime, hour: int, frequency: str) -> datetime.datetime:
    """When the next digest of `frequency` goes out (local time): the next `hour` o'clock, on a
    Monday for the weekly one."""
    local = now.astimezone(VN)
    moment = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if moment <= local:
        moment += datetime.timedelta(days=1)
    if frequency == DeliveryChannel.WEEKLY:
        moment += datetime.timedelta(days=(7 - moment.weekday()) % 7)
    return moment


def waiting(user_id: int, now: datetime.datetime | None = None) -> list[dict]:
    """What a person's next digests will hold so far: per frequency, the count of notifications
    kept, their counts by province and when the digest goes out."""
    now = now or timezone.now()
    found = []
    for frequency in FREQUENCIES:
        held = Delivery.objects.filter(user_id=user_id, status=DeliveryStatus.HELD,
                                       channel=frequency)
        count = held.count()
        if not count:
            continue
        notifications = [delivery.notification for delivery in held.select_related(
            "notification", "notification__province").order_by("-id")[:KEPT]]
        found.append({"frequency": frequency, "count": count,
                      "label": DeliveryChannel(frequency).label,
                      "at": next_sending(now, settings.ENVHUB_DIGEST_HOUR, frequency),
                      "provinces": summary(notifications, frequency, now.date(),
                                           now.date())["provinces"]})
    return found


def _bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, ...]:
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=VN)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=VN)
    return start, end


def run(now: datetime.datetime | None = None) -> int:
    """The worker's round: every due digest not made yet. Returns how many were made."""
    now = now or timezone.now()
    made = 0
    for frequency in FREQUENCIES:
        for first, last in due_periods(now, settings.ENVHUB_DIGEST_HOUR, frequency):
            made += build(frequency, first, last, now=now)
    return made


def _held(frequency: str, first: datetime.date, last: datetime.date):
    start, end = _bounds(first, last)
    return Delivery.objects.filter(status=DeliveryStatus.HELD, channel=frequency,
                                   notification__created_at__gte=start,
                                   notification__created_at__lt=end)


def build(frequency: str, first: datetime.date, last: datetime.date,
          now: datetime.datetime | None = None) -> int:
    """Make the digests of one period for everyone with notifications kept for it."""
    now = now or timezone.now()
    user_ids = sorted(set(_held(frequency, first, last).values_list("user_id", flat=True)))
    made = 0
    for user_id in user_ids:
        try:
            with transaction.atomic():
                made += _one(user_id, frequency, first, last, now)
        except IntegrityError:
            continue  # another worker made this person's digest first
    return made


def _one(user_id: int, frequency: str, first: datetime.date, last: datetime.date,
         now: datetime.datetime) -> int:
    from envhub.accounts.models import User

    if Digest.objects.filter(user_id=user_id, frequency=frequency, period_start=first).exists():
        return 0
    held = list(_held(frequency, first, last).filter(user_id=user_id)
                .select_related("notification", "notification__province")
                .order_by("notification__created_at", "notification_id"))
    if not held:
        return 0
    notifications = [delivery.notification for delivery in held]
    notification = Notification(kind=NotificationKind.DIGEST, planned_at=now,
                                payload=summary(notifications, frequency, first, last))
    notification.subject, notification.body = alerts.wording(notification, settings.LANGUAGE_CODE)
    notification.subject = notification.subject[:300]
    notification.save()
    Digest.objects.create(user_id=user_id, frequency=frequency, period_start=first,
                          period_end=last, notification=notification)
    user = User.objects.get(pk=user_id)
    rows = [Delivery(notification=notification, channel=DeliveryChannel.IN_APP, user=user)]
    kinds = {item.kind for item in notifications}
    if user.email and any(preferences.for_users([user_id], kind)[user_id].email
                          for kind in kinds):
        rows.append(Delivery(notification=notification, channel=DeliveryChannel.EMAIL,
                             user=user))
    Delivery.objects.bulk_create(rows)
    Delivery.objects.filter(pk__in=[delivery.pk for delivery in held]).update(
        status=DeliveryStatus.SENT, sent_at=now)
    return 1


def _bucket(notification: Notification) -> str:
    if notification.kind == NotificationKind.EXCEEDANCE_OPENED:
        return "opened"
    if notification.kind == NotificationKind.EXCEEDANCE_CLOSED:
        return "closed"
    if notification.kind == NotificationKind.CONNECTIVITY:
        data = notification.payload or {}
        if data.get("current") == "offline":
            return "offline"
        if data.get("previous") == "offline":
            return "back"
    return "other"


def summary(notifications: list[Notification], frequency: str, first: datetime.date,
            last: datetime.date) -> dict:
    """What a digest records: its period, the counts in all and by province, and which
    notifications it holds."""
    totals = dict.fromkeys(COUNTS, 0)
    provinces: dict[str, dict] = {}
    for item in notifications:
        bucket = _bucket(item)
        totals[bucket] += 1
        province = item.province
        code = province.code if province is not None else ""
        row = provinces.setdefault(code, {"code": code, "name": province.name if province
                                          else "", **dict.fromkeys(COUNTS, 0)})
        row[bucket] += 1
    return {"frequency": frequency, "first": first.isoformat(), "last": last.isoformat(),
            "count": len(notifications), "totals": totals,
            "provinces": sorted(provinces.values(), key=lambda row: (row["name"] == "",
                                                                    row["name"])),
            "notifications": [item.pk for item in notifications[:KEPT]]}


def contents(notification: Notification, language: str) -> dict:
    """A digest as its page shows it: the provinces with their counts and links, and the
    notifications it holds, each in `language` with a link."""
    data = notification.payload or {}
    month = data.get("first", "")[:7]
    rows = []
    for row in data.get("provinces", []):
        # Survey submissions and the like belong to no province: nothing to link.
        link = (reverse("province-compliance", args=[row["code"]]) + f"?month={month}"
                if row["code"] else "")
        rows.append({**row, "url": link})
    ids = data.get("notifications", [])
    held = Notification.objects.filter(pk__in=ids).select_related("station").order_by(
        "created_at", "id")
    items = []
    for item in held:
        subject = alerts.wording(item, language)[0]
        items.append({"subject": subject, "url": alerts.page_of(item), "at": item.created_at})
    return {"provinces": rows, "items": items, "count": data.get("count", len(items))}


def _day(text: str) -> str:
    return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")


def _text(notification: Notification, data: dict) -> tuple[str, str]:
    language = translation.get_language()
    totals = {key: format_number(value, language) for key, value in data["totals"].items()}
    names = {**totals, "first": _day(data["first"]), "last": _day(data["last"])}
    if data["frequency"] == DeliveryChannel.DAILY:
        subject = _("Daily digest of %(first)s: %(opened)s exceedances began, %(closed)s "
                    "ended, %(offline)s stations went offline") % names
    else:
        subject = _("Weekly digest %(first)s–%(last)s: %(opened)s exceedances began, "
                    "%(closed)s ended, %(offline)s stations went offline") % names
    lines = []
    for row in data["provinces"]:
        values = {key: format_number(row[key], language) for key in COUNTS}
        values["province"] = row["name"] or _("No province")
        lines.append(_("%(province)s — exceedances began: %(opened)s, ended: %(closed)s; "
                       "stations offline: %(offline)s, back online: %(back)s; other: "
                       "%(other)s") % values)
    if notification.pk is not None or data.get("notifications"):
        listed = contents(notification, language)["items"]
        if listed:
            lines.append("")
            lines.append(_("In this digest:"))
            lines.extend(f"- {item['subject']}" for item in listed[:LISTED])
            more = data["count"] - min(len(listed), LISTED)
            if more > 0:
                lines.append(_("… and %(more)s more.") % {
                    "more": format_number(more, language)})
    lines.append("")
    lines.append(reverse("notifications"))
    return subject, "\n".join(lines)


alerts.register_kind(NotificationKind.DIGEST, _text, lambda notification: Q(pk__in=[]),
                     label=NotificationKind.DIGEST.label)
