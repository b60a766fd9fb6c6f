"""Every e-mail envhub sends links to its page on the site's address (`ENVHUB_SITE_URL`):
exceedances and outages, survey submissions, reports ready and digests; without the setting
the links stay the site's paths (nothing invented)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from envhub.compliance import alerts, digests
from envhub.compliance.models import NotificationKind
from tests.compliance.notify_helpers import announce
from tests.compliance.test_digests import MORNING_AFTER

pytestmark = pytest.mark.django_db

SITE = "https://envhub.example.gov.vn"


def _with_address(world, *personas):
    for persona in personas:
        user = world.users[persona]
        user.email = f"{persona}@example.vn"
        user.save()


def _mail_to(persona) -> list:
    return [message for message in mail.outbox if message.to == [f"{persona}@example.vn"]]


def _last_line(message) -> str:
    return message.body.rstrip("\n").split("\n")[-1]


@pytest.fixture
def site(settings):
    settings.ENVHUB_SITE_URL = SITE
    mail.outbox = []
    return SITE


def test_an_exceedance_e_mail_links_to_its_facility_on_the_site(world, site):
    _with_address(world, "officer")
    announce(world, "hn")
    alerts.deliver()
    [message] = _mail_to("officer")
    facility = world.stack_hn.facility_id
    assert _last_line(message) == SITE + reverse("facility-compliance", args=[facility])


def test_a_survey_e_mail_s_path_becomes_an_address(world, site):
    _with_address(world, "steward", "survey")
    alerts.announce(NotificationKind.SURVEY, {
        "event": "load_failed", "submission": 12, "organisation": world.survey_unit.pk,
        "unit": world.survey_unit.name, "campaign": "Điều tra 2026", "kind_vi": "Khí thải",
        "kind_en": "Emissions", "comment": "", "by": "",
        "path": reverse("survey-submission", args=[12])})
    alerts.plan()
    alerts.deliver()
    expected = SITE + reverse("survey-submission", args=[12])
    for persona in ("steward", "survey"):
        [message] = _mail_to(persona)
        lines = message.body.split("\n")
        assert expected in lines
        assert reverse("survey-submission", args=[12]) not in lines  # not also as a bare path


def test_a_report_e_mail_links_to_the_report_on_the_site(world, site):
    _with_address(world, "leader")
    alerts.announce(NotificationKind.REPORT_READY, {
        "report": 7, "province": "01", "province_name": world.hanoi.name,
        "period_kind": "month", "first": "2026-11-01", "last": "2026-11-30",
        "path": reverse("dashboard-reports") + "#report-7"}, province_id=world.hanoi.pk)
    alerts.plan()
    alerts.deliver()
    [message] = _mail_to("leader")
    assert _last_line(message) == SITE + reverse("dashboard-reports") + "#report-7"


def test_a_digest_e_mail_links_to_the_notifications_on_the_site(world, site):
    _with_address(world, "leader")
    announce(world, "hn")
    digests.run(now=MORNING_AFTER)
    alerts.deliver()
    [message] = _mail_to("leader")
    assert _last_line(message) == SITE + reverse("notifications")


def test_without_the_setting_the_links_stay_paths(world, settings):
    settings.ENVHUB_SITE_URL = ""
    mail.outbox = []
    _with_address(world, "officer")
    announce(world, "hn")
    alerts.deliver()
    [message] = _mail_to("officer")
    assert _last_line(message) == reverse("facility-compliance",
                                          args=[world.stack_hn.facility_id])
    assert "http" not in message.body


def test_the_in_app_text_keeps_the_path(world, site):
    """The page shows the notification on the site itself: its stored text keeps the path."""
    notification = alerts.announce(NotificationKind.REPORT_READY, {
        "report": 7, "province": "", "province_name": "", "period_kind": "month",
        "first": "2026-11-01", "last": "2026-11-30",
        "path": reverse("dashboard-reports") + "#report-7"})
    assert notification.body.endswith("\n" + reverse("dashboard-reports") + "#report-7")
    assert SITE not in notification.body
