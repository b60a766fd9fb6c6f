"""What `envhub check` says of monitoring's tables: the summaries kept by triggers (the
station-days and their months) have all their triggers."""

from __future__ import annotations

from envhub.core.health import Report, database_check


@database_check
def summaries_have_their_triggers(report: Report) -> None:
    from envhub.monitoring import station_days, summaries

    summaries.report_missing(report, [station_days.SUMMARY, station_days.MONTHS])
