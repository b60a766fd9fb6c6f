"""Keeping the stored rollups true to the completeness rule.

Each hourly and daily rollup records whether it is valid (`core.completeness` with the
installation's shares, `ENVHUB_HOUR_COVERAGE` and `ENVHUB_PERIOD_COVERAGE`). When the rule
changes — the upgrade that brought the flags (days before it averaged every hour that had a
value), or new settings — the stored rows no longer say what the rule says. The worker's
`revalidate-rollups` job then walks the series, a slice per run:

1. each hour's flag is set by the rule (one statement per reporting interval);
2. the hours whose validity differs from the rule their consumers used until then (the previous
   rule; before any was recorded, 75 %, which the VN_AQI and compliance already applied) go to
   the rollup listeners, which queue them for the VN_AQI and for compliance; all the days go too
   when the period share changed, since the daily VN_AQI depends on it;
3. the series' days are recomputed from its hours (valid hours, mean, validity).

Its progress is a `core.ReferenceVersion` row, so a restarted worker goes on where it stopped;
live rollups go on meanwhile in their own job, each series locked as the rollup worker locks it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from envhub.core import completeness
from envhub.core.timeutil import day_bounds
from envhub.monitoring import rollups

logger = logging.getLogger("envhub.rollups")

MARKER = "rollup-completeness"
SERIES_PER_RUN = 50
BEFORE_FLAGS = completeness.DEFAULT
"""The rule the VN_AQI and compliance applied before rollups recorded their validity."""


@dataclass(frozen=True)
class Progress:
    """The marker's text: "75/75" once the rollups follow that rule; "75/80 from 75/75 after
    1234" while they are being moved from one rule to the other, series 1 … 1234 done."""

    target: completeness.Rule | None
    previous: completeness.Rule
    after_series: int = 0
    done: bool = False

    @staticmethod
    def parse(text: str | None) -> Progress:
        if not text:
            return Progress(None, BEFORE_FLAGS)
        words = text.split()
        if len(words) == 1:
            return Progress(_rule(words[0]), _rule(words[0]), done=True)
        return Progress(_rule(words[0]), _rule(words[2]), int(words[4]))

    def text(self) -> str:
        target = _text(self.target)
        if self.done:
            return target
        return f"{target} from {_text(self.previous)} after {self.after_series}"


def _rule(text: str) -> completeness.Rule:
    hour, period = text.split("/")
    return completeness.Rule(float(hour), float(period))


def _text(rule: completeness.Rule) -> str:
    return f"{rule.hour_share:g}/{rule.period_share:g}"


def _start(stored: Progress, rule: completeness.Rule) -> Progress | None:
    """Where this run begins, or None when the rollups already follow `rule`."""
    if stored.target == rule:
        return None if stored.done else stored
    # A new rule (or the first): consumers still follow the last rule completed, or the one a
    # walk interrupted by this change was leaving (a few hours may be queued twice).
    previous = stored.target if stored.done else stored.previous
    return Progress(rule, previous)


def run(limit: int = SERIES_PER_RUN) -> int:
    """Revalidate the next `limit` series if the rule changed; returns how many were done."""
    from envhub.core.models import ReferenceVersion
    from envhub.monitoring.models import Series

    rule = rollups.rule()
    with transaction.atomic():
        marker = ReferenceVersion.objects.select_for_update().filter(name=MARKER).first()
        progress = _start(Progress.parse(marker.checksum if marker else None), rule)
        if progress is None:
            return 0
        series_ids = list(Series.objects.filter(id__gt=progress.after_series).order_by("id")
                          .values_list("id", flat=True)[:limit])
        if series_ids:
            _revalidate(series_ids, rule, progress.previous)
            progress = Progress(rule, progress.previous, series_ids[-1])
        else:
            progress = Progress(rule, rule, done=True)
            logger.info("rollups follow the completeness rule %s", rule.signature)
        ReferenceVersion.objects.update_or_create(
            name=MARKER, defaults={"checksum": progress.text(), "applied_at": timezone.now()})
    return len(series_ids)


def _revalidate(series_ids: list[int], rule: completeness.Rule,
                previous: completeness.Rule) -> None:
    from envhub.monitoring.models import DailyRollup, HourlyRollup

    rollups.lock_series(series_ids)
    hours = HourlyRollup.objects.filter(series_id__in=series_ids)
    changed: list[tuple] = []
    for expected in hours.values_list("expected_count", flat=True).distinct():
        now_needed = completeness.needed(expected, rule.hour_share)
        before_needed = completeness.needed(expected, previous.hour_share)
        _set_flags(series_ids, expected, now_needed)
        if now_needed != before_needed:
            changed += hours.filter(
                expected_count=expected, valid_count__gte=min(now_needed, before_needed),
                valid_count__lt=max(now_needed, before_needed)).values_list(
                    "series_id", "hour_end")
    days = set(DailyRollup.objects.filter(series_id__in=series_ids).values_list(
        "series_id", "day"))
    if rule.period_share != previous.period_share:
        changed += [(series_id, day_bounds(day)[1]) for series_id, day in days]
    rollups.compute_days(days)
    if changed:
        for listener in rollups.HOUR_LISTENERS:
            listener(changed)


def _set_flags(series_ids: list[int], expected: int, needed: int) -> None:
    marks = ", ".join(["%s"] * len(series_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "monitoring_hourlyrollup" SET "valid" = ("valid_count" >= %s) '
            f'WHERE "series_id" IN ({marks}) AND "expected_count" = %s '
            'AND "valid" <> ("valid_count" >= %s)', [needed, *series_ids, expected, needed])
