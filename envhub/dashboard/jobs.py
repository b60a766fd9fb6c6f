"""The worker's periodic jobs for reports: the month's scheduled reports, and making the
waiting ones (returns at once when none waits)."""

import datetime

from envhub.core.periodic import periodic


@periodic("reports-monthly", every=datetime.timedelta(minutes=10))
def monthly_reports():
    """From the 1st of each month (Viet Nam time), the month before's reports exist: checked
    every few minutes, so a worker down at midnight makes them when it is back."""
    from envhub.dashboard import reports

    return reports.ensure_monthly()


@periodic("reports", every=datetime.timedelta(seconds=5),
          max_run=datetime.timedelta(minutes=30))
def make_reports():
    from envhub.dashboard import reports

    return reports.run()
