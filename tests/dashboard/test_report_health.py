"""`envhub check` on reports: WeasyPrint and the Noto fonts found; reports waiting long."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.dashboard import health
from envhub.dashboard.models import Report
from tests.said import Said

pytestmark = pytest.mark.django_db


def test_it_finds_weasyprint_and_the_fonts(reference):
    said = Said()
    health.reports_can_be_made(said)
    assert said == [("ok", "reports: WeasyPrint and the Noto fonts are there; none waiting "
                           "long")]


def test_it_names_missing_fonts_and_reports_waiting_long(reference, monkeypatch):
    monkeypatch.setattr(health, "FONTS", ("Noto Sans", "No Such Family"))
    Report.objects.create(period_kind="month", first_day=datetime.date(2026, 11, 1),
                          last_day=datetime.date(2026, 11, 30), requested_by="tests",
                          created_at=timezone.now() - datetime.timedelta(hours=1))
    said = Said()
    health.reports_can_be_made(said)
    assert said == [
        ("error", "reports: fonts not found: No Such Family; install the Debian package "
                  "fonts-noto-core (`scripts/system-deps.sh base`)."),
        ("warn", "reports waiting over 15 minutes: 1; is `envhub worker` running?")]
