"""What `envhub check` says of air quality's tables: the daily indices' summary per province
(`province_days`) has all its triggers, on the indices and on the stations."""

from __future__ import annotations

from envhub.core.health import Report, database_check


@database_check
def summaries_have_their_triggers(report: Report) -> None:
    from envhub.airquality import province_days
    from envhub.monitoring import summaries

    summaries.report_missing(report, [province_days.SUMMARY, province_days.MOVES])
