"""What `envhub check` says of compliance's tables: the summaries kept by triggers (the judged
windows per source and day, and per month) have all their triggers."""

from __future__ import annotations

from envhub.core.health import Report, database_check


@database_check
def summaries_have_their_triggers(report: Report) -> None:
    from envhub.compliance import daily_tallies
    from envhub.monitoring import summaries

    summaries.report_missing(report, [daily_tallies.SUMMARY, daily_tallies.MONTHS])
