"""The monthly job: on the 1st (Viet Nam time) the month before's reports exist, one per scope
— the country and each of the 34 provinces — however often and by however many workers it runs."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from envhub.core import periodic
from envhub.dashboard import reports
from envhub.dashboard.models import Report, ReportStatus

pytestmark = pytest.mark.django_db

DECEMBER_1ST = datetime.date(2026, 12, 1)


def test_it_stores_one_report_per_scope_even_run_twice(reference):
    assert reports.ensure_monthly(today=DECEMBER_1ST) == 35
    assert reports.ensure_monthly(today=DECEMBER_1ST) == 0
    scheduled = Report.objects.filter(scheduled=True)
    assert scheduled.count() == 35
    assert scheduled.filter(province__isnull=True).count() == 1
    assert {(r.first_day, r.last_day, r.period_kind, r.status) for r in scheduled} == {
        (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), "month", ReportStatus.QUEUED)}
    # Later in the month: still the same reports, nothing more.
    assert reports.ensure_monthly(today=datetime.date(2026, 12, 17)) == 0
    # The next month's 1st: the next set.
    assert reports.ensure_monthly(today=datetime.date(2027, 1, 1)) == 35


def test_it_refuses_a_second_scheduled_report_of_a_scope_in_the_database(reference):
    """What keeps two workers racing past the existence check to one report each scope."""
    reports.ensure_monthly(today=DECEMBER_1ST)
    for province in (None, reference["01"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(province=province, period_kind="month",
                                  first_day=datetime.date(2026, 11, 1),
                                  last_day=datetime.date(2026, 11, 30), scheduled=True,
                                  requested_by="another worker")


def test_it_runs_as_a_periodic_job_of_the_worker(reference, monkeypatch):
    jobs = periodic.discover()
    assert {"reports-monthly", "reports"} <= set(jobs)
    monkeypatch.setattr(reports, "ensure_monthly", lambda: 35)
    assert jobs["reports-monthly"].function() == 35


def test_it_leaves_an_asked_for_report_beside_the_scheduled_one(world):
    reports.ensure_monthly(today=DECEMBER_1ST)
    asked = reports.request(world.actor("leader"), {"period": "month", "at": "2026-11-05"})
    assert not asked.scheduled and asked.province is None
    assert Report.objects.filter(first_day=datetime.date(2026, 11, 1),
                                 province__isnull=True).count() == 2
