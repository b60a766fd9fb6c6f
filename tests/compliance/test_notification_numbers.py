"""Notifications and their e-mails write numbers by the site's one rule (core/numbers.py): a
Vietnamese reader gets "gấp 1,73 lần giới hạn", never "1.734" (one thousand seven hundred and
thirty-four to them), and a peak just over the limit is never rounded onto it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.registry.models import Parameter

pytestmark = pytest.mark.django_db


def _event(world, peak, multiple, limit=500.0):
    end = timezone.now() - datetime.timedelta(hours=1)
    return ExceedanceEvent.objects.create(
        source=world.stack_hn, parameter=Parameter.objects.get(medium="emission", code="SO2"),
        start=end - datetime.timedelta(hours=2), end=end, peak_value=peak,
        peak_multiple=multiple, peak_at=end, band="2", hours=2, limit=limit, unit="mg/Nm3",
        status=EventStatus.OPEN)


def test_a_notification_writes_the_multiple_the_vietnamese_way(world):
    world.users["steward"].email = "steward@example.vn"
    world.users["steward"].save()
    notification = alerts.event_opened(_event(world, 1234.5678, 1234.5678 / 500))
    assert "giới hạn 500 mg/Nm3" in notification.body
    assert "cao nhất 1.234,57 mg/Nm3" in notification.body
    assert "gấp 2,47 lần giới hạn." in notification.body
    mail.outbox = []
    alerts.plan()
    alerts.deliver()
    assert mail.outbox and all("gấp 2,47 lần giới hạn." in m.body for m in mail.outbox)


def test_a_peak_just_over_the_limit_never_reads_as_the_limit(world):
    notification = alerts.event_opened(_event(world, 500.004, 500.004 / 500))
    assert "cao nhất 500,004 mg/Nm3" in notification.body
    assert "gấp 1,00001 lần" in notification.body


def test_in_english_the_marks_are_the_other_way(world, settings):
    settings.LANGUAGE_CODE = "en"
    notification = alerts.event_opened(_event(world, 867.0, 1.734))
    assert "highest 867 mg/Nm3, 1.73 times the limit." in notification.body
