"""Each person reads a notification in their language: its e-mail in the recipient's own
(`User.language`, else the site's, Vietnamese), on the page and in the API in the language of
the request; the stored text (what webhooks carry) is in the site's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.monitoring import connectivity
from envhub.monitoring.models import StationStatus
from envhub.registry.models import Parameter

pytestmark = pytest.mark.django_db

ENGLISH = "highest 867 mg/Nm3, 1.73 times the limit."
VIETNAMESE = "cao nhất 867 mg/Nm3, gấp 1,73 lần giới hạn."


@pytest.fixture
def readers(world):
    """The steward reads English; the officer has no language of their own."""
    steward, officer = world.users["steward"], world.users["officer"]
    steward.email, steward.language = "steward@example.vn", "en"
    officer.email, officer.language = "officer@example.vn", ""
    steward.save()
    officer.save()
    return steward, officer


def _event(world):
    end = timezone.now() - datetime.timedelta(hours=1)
    return ExceedanceEvent.objects.create(
        source=world.stack_hn, parameter=Parameter.objects.get(medium="emission", code="SO2"),
        start=end - datetime.timedelta(hours=2), end=end, peak_value=867.0, peak_multiple=1.734,
        peak_at=end, band="2", hours=2, limit=500.0, unit="mg/Nm3", status=EventStatus.OPEN)


def _mails() -> dict[str, mail.EmailMessage]:
    alerts.plan()
    alerts.deliver()
    return {message.to[0]: message for message in mail.outbox}


def test_each_recipient_s_e_mail_is_in_their_language(world, readers):
    notification = alerts.event_opened(_event(world))
    assert VIETNAMESE in notification.body  # stored in the site's language
    mail.outbox = []
    sent = _mails()
    assert ENGLISH in sent["steward@example.vn"].body
    assert sent["steward@example.vn"].subject.startswith("Exceedance: SO2 at ")
    assert VIETNAMESE in sent["officer@example.vn"].body
    assert "SO2" in sent["officer@example.vn"].subject
    assert "Exceedance" not in sent["officer@example.vn"].subject


def test_a_station_s_change_is_written_in_each_recipient_s_language(world, readers):
    station = world.station_stack_hn
    StationStatus.objects.create(station=station, state="online",
                                 last_received_at=timezone.now() - datetime.timedelta(hours=5),
                                 state_since=timezone.now() - datetime.timedelta(days=1))
    connectivity.evaluate()
    assert alerts.collect_connectivity() == 1
    mail.outbox = []
    sent = _mails()
    english, vietnamese = sent["steward@example.vn"].body, sent["officer@example.vn"].body
    assert english.startswith(f"Station {station.code} ({station.name}) went from “Online” to “")
    assert vietnamese != english and station.code in vietnamese and "went from" not in vietnamese


def test_the_site_s_language_for_a_person_without_one(world, readers, settings):
    steward, officer = readers
    assert (steward.language_code, officer.language_code) == ("en", "vi")
    settings.LANGUAGE_CODE = "en"
    assert officer.language_code == "en"


@pytest.mark.parametrize("language, expected", [("en", ENGLISH), ("vi", VIETNAMESE)])
def test_the_page_and_the_api_speak_the_request_s_language(world, readers, client, settings,
                                                           language, expected):
    alerts.event_opened(_event(world))
    alerts.plan()
    client.force_login(world.users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("notifications"))
    assert expected in page.content.decode()
    api = client.get(reverse("api:list_notifications"))
    assert expected in api.json()["results"][0]["message"]
