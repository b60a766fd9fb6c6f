"""`envhub check` names the summaries whose triggers are missing (their figures would drift
from the rows) and says how to put them back; once `ensure` (what `migrate` runs) has put
them back, the check is clean again."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from envhub.airquality import province_days
from envhub.compliance import daily_tallies
from envhub.monitoring import station_days, summaries

pytestmark = pytest.mark.django_db

KEPT = [station_days.SUMMARY, station_days.MONTHS, daily_tallies.SUMMARY, daily_tallies.MONTHS,
        province_days.SUMMARY, province_days.MOVES]


def check() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("envhub_check", stdout=out, stderr=err)
    except SystemExit:
        pass  # other checks may fail in a test installation; the lines below are ours
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("summary", KEPT,
                         ids=lambda summary: f"{summary.table}-{summary.source}")
def test_it_reports_a_summary_without_its_triggers(summary):
    out, err = check()
    assert f"{summary.table}: kept by its triggers on {summary.source}" in out
    assert "triggers missing" not in err
    lost = sorted(summary.triggers(summary_vendor()))[0]
    _drop(summary, lost)
    out, err = check()
    assert f"ERROR  {summary.table}: triggers missing ({lost})" in err
    assert "envhub migrate" in err
    assert f"{summary.table}: kept by its triggers on {summary.source}" not in out
    others = [other for other in KEPT if other is not summary]
    assert all(f"{other.table}: kept by its triggers on {other.source}" in out
               for other in others)
    assert summaries.ensure(summary)
    out, err = check()
    assert "triggers missing" not in err
    assert f"{summary.table}: kept by its triggers on {summary.source}" in out


def summary_vendor() -> str:
    from django.db import connection

    return connection.vendor


def _drop(summary, name: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f'DROP TRIGGER {name} ON "{summary.source}"')
        else:
            cursor.execute(f"DROP TRIGGER {name}")
