"""Judging compliance as the worker does it: the cost of a judged source-hour.

A fleet of stack and outfall stations (the demo country copied, `bench.fleet`) with a day of
history; then every source's newest `--hours` hours are queued again and `assess.process_queue`
judges them with the worker's claim size, as when live files arrive (one hour a source a claim)
or when a day comes late (`--hours 24`). Printed: milliseconds and queries a source-hour (mean,
p95 and max of a source's hours judged together), the share of the time in `rebuild_events`
and `limits_of`.

The baseline is the code before: the same script runs on an earlier commit (docs/benchmarks.md
holds both). Run: python -m bench.judging [--vendor sqlite|postgresql] [--stations 120]
[--hours 1]. `--summaries-cost [--turns 3]` judges the same hours with and without the
triggers that keep the dashboard's daily summary of judged windows, in turn.
"""

from __future__ import annotations

import argparse
import time

from bench import common, fleet


def _queue_newest_hours(hours: int) -> int:
    """Queue each judged source's newest `hours` hours (those with rollups), as arrivals would."""
    from collections import defaultdict

    from django.db import connection

    from envhub.core import queues
    from envhub.monitoring.models import HourlyRollup

    by_source = defaultdict(set)
    for source_id, hour in HourlyRollup.objects.filter(
            series__station__source__permits__isnull=False).values_list(
                "series__station__source_id", "hour_end").distinct():
        by_source[source_id].add(hour)
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "compliance_compliancequeue"')
    rows = {(source_id, hour) for source_id, found in by_source.items()
            for hour in sorted(found)[-hours:]}
    queues.add("compliance_compliancequeue", "source_id", rows)
    return len(rows)


class _Counter:
    def __init__(self):
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)


def run(vendor: str, args) -> dict:
    common.prepare_environment(vendor)
    common.setup_django()
    from django.db import connection

    from envhub.compliance import assess
    from envhub.monitoring import rollups

    fleet.build(args.stations, history_hours=args.history, live_steps=1)
    rollups.process_queue()
    assess.process_queue()
    queued = _queue_newest_hours(args.hours)

    spent = {"rebuild_events": 0.0, "limits_of": 0.0}

    def timed(name, function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                spent[name] += time.perf_counter() - started
        return wrapper

    claims = []  # (hours, seconds, queries) of each source judged
    counter = _Counter()
    judge = assess.judge

    def judge_timed(source_id, hours, run=None):
        before, started = counter.queries, time.perf_counter()
        try:
            return judge(source_id, hours, run) if run is not None else judge(source_id, hours)
        finally:
            claims.append((len(hours), time.perf_counter() - started,
                           counter.queries - before))

    originals = assess.rebuild_events, assess.limits_of, assess.judge
    assess.rebuild_events = timed("rebuild_events", assess.rebuild_events)
    assess.limits_of = timed("limits_of", assess.limits_of)
    assess.judge = judge_timed
    try:
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            judged = assess.process_queue(limit=args.claim)  # as the worker: until empty
            elapsed = time.perf_counter() - started
    finally:
        assess.rebuild_events, assess.limits_of, assess.judge = originals
    total_hours, total_time = judged, elapsed
    per_hour = [seconds / hours * 1000 for hours, seconds, _q in claims if hours]
    return {"vendor": vendor, "queued": queued, "judged": total_hours,
            "ms": total_time / total_hours * 1000 if total_hours else 0,
            "p95": common.percentile(per_hour, 0.95) if per_hour else 0,
            "max": max(per_hour, default=0),
            "queries": counter.queries / total_hours if total_hours else 0,
            "shares": {name: value / total_time for name, value in spent.items()}
            if total_time else {}}


def summaries_cost(vendor: str, args) -> list[tuple[str, float]]:
    """The judging's cost of keeping the daily summary (`compliance.DailyTally`, by triggers):
    the newest `--hours` of every source judged again `--turns` times, with and without the
    triggers in turn (the summary is recounted after). Returns (label, ms a source-hour)."""
    common.prepare_environment(vendor)
    common.setup_django()
    from envhub.compliance import assess, daily_tallies
    from envhub.monitoring import rollups, summaries

    fleet.build(args.stations, history_hours=args.history, live_steps=1)
    rollups.process_queue()
    assess.process_queue()
    found = []
    for turn in range(args.turns * 2):
        kept = turn % 2 == 0
        if not kept:
            summaries.drop_triggers(daily_tallies.SUMMARY)
        queued = _queue_newest_hours(args.hours)
        started = time.perf_counter()
        judged = assess.process_queue(limit=args.claim)
        elapsed = time.perf_counter() - started
        if not kept:
            summaries.install(daily_tallies.SUMMARY)
        found.append(("with the summary" if kept else "without", elapsed / max(judged, 1)
                      * 1000, queued))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--stations", type=int, default=120)
    parser.add_argument("--history", type=float, default=24, help="hours of history")
    parser.add_argument("--hours", type=int, default=1, help="newest hours queued a source")
    parser.add_argument("--claim", type=int, default=5, help="source-hours a claim (worker: 5)")
    parser.add_argument("--summaries-cost", action="store_true",
                        help="judge with and without the daily summary's triggers in turn")
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()
    print(common.machine(), f"load {common.load_average()}")
    if args.summaries_cost:
        for label, ms, queued in summaries_cost(args.vendor, args):
            print(f"  {label}: {ms:.1f} ms a source-hour ({queued} queued)")
        print(f"  machine load at the end {common.load_average()}")
        return
    result = run(args.vendor, args)
    print(f"{result['vendor']}: {result['judged']} source-hours judged of {result['queued']} "
          f"queued, claims of {args.claim}")
    print(f"  per source-hour: {result['ms']:.1f} ms mean, p95 {result['p95']:.1f} ms, "
          f"max {result['max']:.1f} ms (a source's hours judged together), "
          f"{result['queries']:.1f} queries (the claims' included)")
    for name, share in result["shares"].items():
        print(f"  {name}: {share:.0%} of the time")
    print(f"  machine load at the end {common.load_average()}")


if __name__ == "__main__":
    main()
