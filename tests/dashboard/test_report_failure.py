"""A report that cannot be made is kept as failed with its reason; a stopped worker's report is
taken over; rendering reads nothing from the network; a ready report is announced once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.compliance import alerts
from envhub.compliance.models import Delivery, DeliveryChannel, Notification
from envhub.dashboard import render, reports
from envhub.dashboard.models import Report, ReportStatus

pytestmark = pytest.mark.django_db

NOVEMBER = {"period_kind": "month", "first_day": datetime.date(2026, 11, 1),
            "last_day": datetime.date(2026, 11, 30), "requested_by": "tests"}


def test_it_keeps_a_failed_report_with_its_reason(world, report_storage, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("Pango could not load a font")

    monkeypatch.setattr(render, "pdf", broken)
    report = Report.objects.create(**NOVEMBER)
    after = Report.objects.create(**NOVEMBER, province=world.hanoi)
    monkeypatch.setattr(render, "pdf", broken)
    assert reports.run() == 2  # the worker goes on with the next one
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error == "RuntimeError: Pango could not load a font"
    assert report.finished_at is not None and not report.pdf_name
    after.refresh_from_db()
    assert after.status == ReportStatus.FAILED
    response = world.client("leader").get("/dashboard/reports/")
    assert "Pango could not load a font" in response.content.decode()
    assert reports.run() == 0  # a failed report is not tried again by itself


def test_it_takes_over_a_report_whose_worker_stopped(world, report_storage):
    report = Report.objects.create(**NOVEMBER)
    now = timezone.now()
    assert reports.claim("worker-a", now=now).pk == report.pk
    assert reports.claim("worker-b", now=now + datetime.timedelta(minutes=1)) is None
    taken = reports.claim("worker-b", now=now + reports.STALE + datetime.timedelta(seconds=1))
    assert taken.pk == report.pk and taken.claimed_by == "worker-b"


def test_it_fetches_nothing_from_the_network_while_rendering():
    page = ('<html><body><img src="http://example.invalid/logo.png">'
            '<link rel="stylesheet" href="https://example.invalid/x.css">'
            '<img src="file:///etc/passwd"><p>Báo cáo</p></body></html>')
    pdf, refused = render.pdf_from_html(page)
    assert pdf.startswith(b"%PDF")
    assert set(refused) == {"http://example.invalid/logo.png",
                            "https://example.invalid/x.css", "file:///etc/passwd"}


def test_it_tells_the_leaders_and_the_provinces_officers_once(world, report_storage,
                                                              monkeypatch):
    monkeypatch.setattr(render, "pdf", lambda *a, **k: b"%PDF-1.7 stub")
    report = Report.objects.create(**NOVEMBER, province=world.hanoi)
    assert reports.run() == 1
    report.refresh_from_db()
    reports.announce(report)  # again: nothing more
    notifications = Notification.objects.filter(kind=reports.NOTIFICATION_KIND)
    assert notifications.count() == 1
    alerts.plan()
    told = set(Delivery.objects.filter(notification__in=notifications,
                                       channel=DeliveryChannel.IN_APP)
               .values_list("user__username", flat=True))
    assert told == {"leader", "officer"}
    subject, body = alerts.wording(notifications.get(), "vi")
    assert subject == "Báo cáo đã sẵn sàng: Thành phố Hà Nội, Tháng 11/2026"
    assert f"#report-{report.pk}" in body
    english, _body = alerts.wording(notifications.get(), "en")
    assert english == "Report ready: Thành phố Hà Nội, Month 11/2026"


def test_it_tells_only_the_leaders_of_a_national_report(world, report_storage, monkeypatch):
    monkeypatch.setattr(render, "pdf", lambda *a, **k: b"%PDF-1.7 stub")
    Report.objects.create(**NOVEMBER)
    reports.run()
    alerts.plan()
    told = set(Delivery.objects.filter(channel=DeliveryChannel.IN_APP).values_list("user__username",
                                                                      flat=True))
    assert told == {"leader"}
