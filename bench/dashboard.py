"""The dashboard at national scale (issue 17): `/dashboard/` and `/api/v1/dashboard` for the
whole country and for one province, read as a signed-in leader through Django's test client
while a writer thread upserts rollups and latest values as the worker does, beside a baseline
— the same headline figures computed by hand-written SQL — in the same run.

    python -m bench.dashboard [--vendor sqlite|postgresql|both] [--requests 20]
                              [--stations 3000] [--hourly-days 31 | --full-year]
                              [--keep DIR] [--reuse] [--no-rows-baseline]

The database comes from `bench.national` (3,000 stations, 10 parameters, a year of daily
rollups, the newest `--hourly-days` of hourly rollups and judged hours, 20,000 events). The
dashboard's "now" is fixed at the end of the generated data's last day and the period asked
for is its month (`?period=month&at=...`). PostgreSQL: the database BENCH_POSTGRES names.
`--keep DIR` keeps the SQLite installation in DIR and `--reuse` reads an existing one (or the
PostgreSQL database as it is) instead of generating it again.

Baselines timed in turn with each request: the figures by hand-written SQL over the rows
(judged windows, daily rollups), the same over the daily summaries envhub keeps (`DailyTally`,
`StationDay`: the day a period's "now" cuts less its windows after the cut), and for the page
that plus the trends and rankings it shows over the monthly summaries (`page_extras`).

Target: p95 under 300 ms for the country on both databases, and within 2× of the baseline.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import common

VN = datetime.timezone(datetime.timedelta(hours=7))
PROVINCE = "01"  # Hà Nội: one of the main cities (its AQI days are read too)


# --- the installation -------------------------------------------------------------------------

def _environment(vendor: str, keep: str | None, reuse: bool) -> None:
    if vendor == "postgresql" and reuse:
        os.environ["ENVHUB_VAR_DIR"] = keep or "/tmp/envhub-bench-dashboard-pg"
        os.environ["DJANGO_SETTINGS_MODULE"] = "envhub.settings"
        os.environ["DATABASE_URL"] = common.PG_URL
        return
    if vendor == "sqlite" and keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        os.environ["ENVHUB_VAR_DIR"] = keep
        os.environ["DJANGO_SETTINGS_MODULE"] = "envhub.settings"
        os.environ.pop("DATABASE_URL", None)
        return
    common.prepare_environment(vendor)


def _leader():
    from envhub.accounts.models import Membership, Role, User
    from envhub.registry.models import Organisation, OrganisationKind

    user = User.objects.filter(username="bench-leader").first()
    if user is None:
        ministry = Organisation.objects.create(name="Bộ thử (lãnh đạo)",
                                               kind=OrganisationKind.MINISTRY_UNIT)
        user = User.objects.create(username="bench-leader", full_name="Lãnh đạo thử")
        Membership.objects.create(user=user, organisation=ministry, role=Role.LEADER)
    return user


def prepare(args) -> dict | None:
    """Generate the data unless it is there and `--reuse` says to read it."""
    from bench import national

    common.setup_django(migrate=not args.reuse)
    from envhub.monitoring.models import DailyRollup

    if args.reuse and DailyRollup.objects.exists():
        return None
    if args.reuse:
        common.setup_django(migrate=True)
    scale = national.Scale(stations=args.stations, events=args.events,
                           hourly_days=365 if args.full_year else args.hourly_days)
    return national.build(scale)


# --- the writer beside the readers ------------------------------------------------------------

class Writer(threading.Thread):
    """Upserts, `rate` stations a second, each station's hourly and daily rollups, latest values
    and status, as the rollup worker does after a file (one transaction per station)."""

    def __init__(self, now: datetime.datetime, rate: float = 10):
        super().__init__(daemon=True)
        self.now, self.rate, self.stop, self.written, self.errors = now, rate, False, 0, 0

    def run(self) -> None:
        from django.db import connection, transaction

        from envhub.monitoring.models import (
            DailyRollup,
            HourlyRollup,
            LatestValue,
            Series,
            StationStatus,
        )

        by_station: dict[int, list[int]] = {}
        for series_id, station_id in Series.objects.order_by("id").values_list("id",
                                                                               "station_id"):
            by_station.setdefault(station_id, []).append(series_id)
        stations = sorted(by_station)
        hour_end = self.now.replace(minute=0, second=0, microsecond=0)
        day = self.now.astimezone(VN).date()
        index = 0
        while not self.stop:
            started = time.perf_counter()
            station_id = stations[index % len(stations)]
            index += 1
            value = float(index % 97)
            try:
                with transaction.atomic():
                    ids = by_station[station_id]
                    HourlyRollup.objects.bulk_create(
                        [HourlyRollup(series_id=pk, hour_end=hour_end, count=12, valid_count=12,
                                      expected_count=12, total=value * 12, mean=value,
                                      minimum=value, maximum=value, coverage=100.0, valid=True)
                         for pk in ids], update_conflicts=True,
                        unique_fields=["series", "hour_end"],
                        update_fields=["count", "valid_count", "total", "mean", "computed_at"])
                    DailyRollup.objects.bulk_create(
                        [DailyRollup(series_id=pk, day=day, count=240, valid_count=240,
                                     expected_count=288, total=value * 240, mean=value,
                                     minimum=value, maximum=value, coverage=83.3,
                                     valid_hours=20, valid=True) for pk in ids],
                        update_conflicts=True, unique_fields=["series", "day"],
                        update_fields=["count", "valid_count", "total", "mean", "valid_hours",
                                       "computed_at"])
                    LatestValue.objects.bulk_create(
                        [LatestValue(series_id=pk, station_id=station_id, time=self.now,
                                     value=value, status=0) for pk in ids],
                        update_conflicts=True, unique_fields=["series"],
                        update_fields=["time", "value", "status"])
                    StationStatus.objects.filter(station_id=station_id).update(
                        last_data_at=self.now, last_received_at=self.now)
                self.written += 1
            except Exception:  # noqa: BLE001 — counted and shown: a locked database under load
                self.errors += 1
            pause = 1 / self.rate - (time.perf_counter() - started)
            if pause > 0:
                time.sleep(pause)
        connection.close()


# --- the baseline: the headline figures in hand-written SQL -----------------------------------

def _tables():
    from envhub.airquality.models import DailyAqi
    from envhub.compliance.models import (
        Assessment,
        DailyTally,
        ExceedanceEvent,
        Permit,
        SourceMonth,
    )
    from envhub.monitoring.models import (
        DailyRollup,
        Series,
        StationDay,
        StationMonth,
        StationStatus,
    )
    from envhub.registry.models import Facility, Province, Source, Station

    return {name: model._meta.db_table for name, model in (
        ("aqi", DailyAqi), ("assessment", Assessment), ("event", ExceedanceEvent),
        ("permit", Permit), ("daily", DailyRollup), ("series", Series),
        ("status", StationStatus), ("facility", Facility), ("province", Province),
        ("source", Source), ("station", Station), ("tally", DailyTally),
        ("station_day", StationDay), ("source_month", SourceMonth),
        ("station_month", StationMonth))}


def baseline(province_id: int | None, first: datetime.date, last: datetime.date,
             start: datetime.datetime, end: datetime.datetime,
             now: datetime.datetime, cities: tuple[str, ...], summaries: bool = False) -> dict:
    """The headline figures of one period, one statement each, by the rules of figures.py:
    stations, reporting ones and valid hours from the daily rollups; states now; hours over
    the limit, judged windows and facilities over from the assessments; open events by band;
    the cities' days by their worst station's AQI. With `summaries`, the rollups and judged
    windows are read from their daily summaries as envhub does (`_summed`)."""
    from django.db import connection

    t = _tables()
    cut = min(end, now)
    start, end, now = (connection.ops.adapt_datetimefield_value(moment)
                       for moment in (start, end, now))  # as the ORM would send them
    where_station = "AND st.province_id = %s" if province_id else ""
    where_facility = "AND f.province_id = %s" if province_id else ""
    scope = [province_id] if province_id else []
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {t['series']} se JOIN {t['station']} st ON st.id = se.station_id"
            f" WHERE st.active AND st.kind <> 'periodic' {where_station}", scope)
        out["series"] = cursor.fetchone()[0]
        if summaries:
            cursor.execute(
                f"SELECT COUNT(DISTINCT CASE WHEN d.reporting > 0 THEN d.station_id END),"
                f" COALESCE(SUM(d.valid_hours), 0), COALESCE(SUM(d.rollups), 0)"
                f" FROM {t['station_day']} d JOIN {t['station']} st ON st.id = d.station_id"
                f" WHERE d.day >= %s AND d.day <= %s AND st.active AND st.kind <> 'periodic'"
                f" {where_station}", [first, last, *scope])
        else:
            cursor.execute(
                f"SELECT COUNT(DISTINCT CASE WHEN d.valid_hours > 0 THEN se.station_id END),"
                f" COALESCE(SUM(d.valid_hours), 0), COUNT(*)"
                f" FROM {t['daily']} d JOIN {t['series']} se ON se.id = d.series_id"
                f" JOIN {t['station']} st ON st.id = se.station_id"
                f" WHERE d.day >= %s AND d.day <= %s AND st.active AND st.kind <> 'periodic'"
                f" {where_station}", [first, last, *scope])
        out["reporting"], out["valid_hours"], out["rollup_days"] = cursor.fetchone()
        cursor.execute(
            f"SELECT COALESCE(ss.state, 'never'), COUNT(*) FROM {t['station']} st"
            f" LEFT JOIN {t['status']} ss ON ss.station_id = st.id"
            f" WHERE st.active AND st.kind <> 'periodic' {where_station}"
            f" GROUP BY COALESCE(ss.state, 'never')", scope)
        out["states"] = dict(cursor.fetchall())
        stop = min(end, now)
        if summaries:
            _summed(cursor, t, where_facility, scope, first, cut)
        else:
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN a.state <> 'unknown' THEN 1 ELSE 0 END),"
                f" SUM(CASE WHEN a.state = 'exceeds' THEN a.window_hours ELSE 0 END),"
                f" COUNT(DISTINCT CASE WHEN a.state = 'exceeds' THEN s.facility_id END)"
                f" FROM {t['assessment']} a JOIN {t['source']} s ON s.id = a.source_id"
                f" JOIN {t['facility']} f ON f.id = s.facility_id"
                f" WHERE a.window_end > %s AND a.window_end <= %s {where_facility}",
                [start, stop, *scope])
        out["judged"], out["valid"], out["hours_over"], out["facilities_over"] = \
            cursor.fetchone()
        cursor.execute(
            f"SELECT e.band, COUNT(*) FROM {t['event']} e JOIN {t['source']} s"
            f" ON s.id = e.source_id JOIN {t['facility']} f ON f.id = s.facility_id"
            f" WHERE e.start <= %s AND (e.status = 'open' OR (e.status <> 'withdrawn' AND"
            f" e.closed_at > %s)) {where_facility} GROUP BY e.band",
            [stop, stop, *scope])
        out["events"] = dict(cursor.fetchall())
        marks = ", ".join("%s" for _ in cities)
        cursor.execute(
            f"SELECT p.code, q.day, MAX(q.aqi) FROM {t['aqi']} q"
            f" JOIN {t['station']} st ON st.id = q.station_id"
            f" JOIN {t['province']} p ON p.id = st.province_id"
            f" WHERE p.code IN ({marks}) AND q.aqi IS NOT NULL AND q.day >= %s AND q.day <= %s"
            f" GROUP BY p.code, q.day", [*cities, first, last])
        out["aqi_days"] = len(cursor.fetchall())
    return out


def _summed(cursor, t: dict, where_facility: str, scope: list, first: datetime.date,
            cut: datetime.datetime) -> None:
    """Judged windows from the day `first` to `cut` (a period starting at a day's start): the
    summary's whole days up to the day of `cut`, less the windows of that day after it."""
    from django.db import connection

    from envhub.core.timeutil import day_bounds, local_day

    last = local_day(cut)
    after, until = (connection.ops.adapt_datetimefield_value(moment)
                    for moment in (cut, day_bounds(last)[1]))
    cursor.execute(
        f"SELECT SUM(w), SUM(v), SUM(h), SUM(CASE WHEN h > 0 THEN 1 ELSE 0 END) FROM ("
        f" SELECT s.facility_id, SUM(x.w) AS w, SUM(x.v) AS v, SUM(x.h) AS h FROM ("
        f"  SELECT source_id, with_data AS w, valid AS v, exceeded_hours AS h"
        f"  FROM {t['tally']} WHERE day >= %s AND day <= %s"
        f"  UNION ALL SELECT source_id, -1, CASE WHEN state <> 'unknown' THEN -1 ELSE 0 END,"
        f"  CASE WHEN state = 'exceeds' THEN -window_hours ELSE 0 END FROM {t['assessment']}"
        f"  WHERE window_end > %s AND window_end <= %s) x"
        f" JOIN {t['source']} s ON s.id = x.source_id"
        f" JOIN {t['facility']} f ON f.id = s.facility_id WHERE 1 = 1 {where_facility}"
        f" GROUP BY s.facility_id) y", [first, last, after, until, *scope])


def page_extras(province_id: int | None, view, cities: tuple[str, ...]) -> dict:
    """What the page shows beyond the figures, by hand-written SQL over the summaries: the
    twelve months' hours over the limit by province and by sector and the cities' AQI days
    (`SourceMonth`, `DailyAqi`), and the rankings — facilities by hours over the limit with
    their events, stations by missing hours (`StationMonth`) — for a view of whole months."""
    from django.db import connection

    from envhub.dashboard import periods

    t = _tables()
    months = periods.months_back(view.period.last, 12)
    first_month, last_month = months[0].first, months[-1].first
    where_station = "AND st.province_id = %s" if province_id else ""
    where_facility = "AND f.province_id = %s" if province_id else ""
    scope = [province_id] if province_id else []
    start, end = (connection.ops.adapt_datetimefield_value(moment)
                  for moment in view.utc_bounds())
    out = {}
    with connection.cursor() as cursor:
        for by in ("f.province_id", "f.sector"):
            cursor.execute(
                f"SELECT {by}, m.month, SUM(m.exceeded_hours) FROM {t['source_month']} m"
                f" JOIN {t['source']} s ON s.id = m.source_id"
                f" JOIN {t['facility']} f ON f.id = s.facility_id"
                f" WHERE m.month >= %s AND m.month <= %s AND m.exceeded > 0 {where_facility}"
                f" GROUP BY {by}, m.month", [first_month, last_month, *scope])
            out[f"trend {by}"] = len(cursor.fetchall())
        marks = ", ".join("%s" for _ in cities)
        cursor.execute(
            f"SELECT p.code, q.day, MAX(q.aqi) FROM {t['aqi']} q"
            f" JOIN {t['station']} st ON st.id = q.station_id"
            f" JOIN {t['province']} p ON p.id = st.province_id"
            f" WHERE p.code IN ({marks}) AND q.aqi IS NOT NULL AND q.day >= %s AND q.day <= %s"
            f" GROUP BY p.code, q.day", [*cities, months[0].first, months[-1].last])
        out["trend aqi"] = len(cursor.fetchall())
        cursor.execute(
            f"SELECT s.facility_id, SUM(m.exceeded_hours), SUM(m.exceeded)"
            f" FROM {t['source_month']} m JOIN {t['source']} s ON s.id = m.source_id"
            f" JOIN {t['facility']} f ON f.id = s.facility_id"
            f" WHERE m.month >= %s AND m.month <= %s AND m.exceeded > 0 {where_facility}"
            f" GROUP BY s.facility_id", [view.period.first, view.period.last, *scope])
        out["facilities"] = len(cursor.fetchall())
        cursor.execute(
            f"SELECT s.facility_id, COUNT(*), SUM(CASE WHEN e.status = 'open' THEN 1 ELSE 0"
            f" END), MAX(e.band) FROM {t['event']} e JOIN {t['source']} s ON s.id = e.source_id"
            f" JOIN {t['facility']} f ON f.id = s.facility_id WHERE e.\"end\" > %s"
            f" AND e.start < %s AND e.status <> 'withdrawn' {where_facility}"
            f" GROUP BY s.facility_id", [start, end, *scope])
        out["facility events"] = len(cursor.fetchall())
        cursor.execute(
            f"SELECT st.id, st.code, n.series, COALESCE(v.hours, 0) FROM {t['station']} st"
            f" JOIN (SELECT station_id, COUNT(*) AS series FROM {t['series']}"
            f" GROUP BY station_id) n ON n.station_id = st.id"
            f" LEFT JOIN (SELECT station_id, SUM(valid_hours) AS hours"
            f" FROM {t['station_month']} WHERE month >= %s AND month <= %s"
            f" GROUP BY station_id) v ON v.station_id = st.id"
            f" WHERE st.active AND st.kind <> 'periodic' {where_station}"
            f" ORDER BY n.series * %s - COALESCE(v.hours, 0) DESC, st.code LIMIT 10",
            [view.period.first, view.period.last, *scope, _hours(view)])
        out["stations"] = len(cursor.fetchall())
    return out


def _hours(view) -> int:
    from envhub.dashboard import filters

    start, end = view.utc_bounds()
    return max(0, int((min(end, filters.clock()) - start).total_seconds() // 3600))


def _province_id(view) -> int | None:
    from envhub.registry.models import Province

    return Province.objects.get(code=view.province).id if view.province else None


def baseline_both(view, now, cities, summaries: bool = False) -> dict:
    """This period's figures and the period before's, as the dashboard shows both."""
    province_id = _province_id(view)
    found = {}
    for key, part in (("now", view), ("before", view.previous())):
        start, end = part.utc_bounds()
        found[key] = baseline(province_id, part.period.first, part.period.last, start, end,
                              now, cities, summaries)
    return found


# --- measuring --------------------------------------------------------------------------------

def _timed(function, count: int) -> list[float]:
    samples = []
    for _n in range(count):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def measure(args, now: datetime.datetime, at: datetime.date) -> list[tuple]:
    from django.conf import settings
    from django.test import Client

    from envhub.core.permissions import actor_for_user as actor_for
    from envhub.dashboard import figures, filters, links, trend_views

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    filters.clock = lambda: now
    client = Client()
    user = _leader()
    client.force_login(user)
    actor = actor_for(user)
    cities = figures.main_cities()
    rows = []
    for label, extra in (("country", {}), ("province", {"province": PROVINCE})):
        params = {"period": "month", "at": at.isoformat(), **extra}
        view = filters.view_from(actor, params, today=at)
        for path in ("/dashboard/", "/api/v1/dashboard"):
            response = client.get(path, params)
            if response.status_code != 200:
                raise SystemExit(f"{path} {params}: HTTP {response.status_code} "
                                 f"{response.content[:300]!r}")
            envhub, base, summed, page = [], [], [], []
            province_id = _province_id(view)
            for _n in range(args.requests):  # in turn, so that all see the same load
                envhub += _timed(lambda path=path, params=params: client.get(path, params), 1)
                if not args.no_rows_baseline:
                    base += _timed(lambda view=view: baseline_both(view, now, cities), 1)
                summed += _timed(lambda view=view: baseline_both(view, now, cities, True), 1)
                if path == "/dashboard/":  # the page also shows trends and rankings
                    page += _timed(lambda view=view, province_id=province_id: (
                        baseline_both(view, now, cities, True),
                        page_extras(province_id, view, cities)), 1)
            rows.append((f"{label} {path}", envhub, base, summed, page))
        link = links.for_view(view)
        parts = {
            "figures": lambda view=view, link=link: figures.dashboard(actor, view, link, now),
            "trends": lambda view=view: trend_views.trends_context(view),
            "rankings": lambda view=view: trend_views.rankings_context(view),
        }
        for name, function in parts.items():
            rows.append((f"{label} part: {name}", _timed(function, max(3, args.requests // 2)),
                         [], [], []))
    return rows


def agreement(now, at, extra: dict | None = None, rows: bool = True) -> list[str]:
    """The dashboard's headline figures beside the baseline's, for the country or the view
    `extra` asks for (they must be the same numbers)."""
    from envhub.core.permissions import actor_for_user as actor_for
    from envhub.dashboard import figures, filters, links

    actor = actor_for(_leader())
    view = filters.view_from(actor, {"period": "month", "at": at.isoformat(), **(extra or {})},
                             today=at)
    board = figures.dashboard(actor, view, links.for_view(view), now)
    lines = []
    for kind, summaries in (("rows", False), ("summaries", True))[0 if rows else 1:]:
        mine = baseline_both(view, now, figures.main_cities(), summaries)["now"]
        pairs = [
            ("stations reporting", board.figure("stations_reporting").value, mine["reporting"]),
            ("stations offline", board.figure("stations_offline").value,
             mine["states"].get("offline", 0)),
            ("hours over a limit", board.figure("hours_over").value, mine["hours_over"]),
            ("facilities over a limit", board.figure("facilities_over").value,
             mine["facilities_over"]),
            ("open events", board.figure("events_open").value, sum(mine["events"].values()))]
        lines += [f"{name}: envhub {ours} / baseline ({kind}) {theirs}"
                  + ("" if ours == theirs else "  DIFFER") for name, ours, theirs in pairs]
    return lines


def run(vendor: str, args) -> None:
    _environment(vendor, args.keep, args.reuse)
    counts = prepare(args)
    from bench import national

    scale = national.Scale()
    at = scale.today
    now = datetime.datetime.combine(at, datetime.time(23, 30), tzinfo=VN).astimezone(
        datetime.UTC)
    print(f"\n== {vendor} ==  {common.machine()}  {common.load_average()}")
    if counts:
        print("generated: " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))
    for line in agreement(now, at, rows=not args.no_rows_baseline):
        print("  " + line)
    writer = Writer(now, rate=args.writer_rate)
    if args.writer_rate > 0:
        writer.start()
    try:
        rows = measure(args, now, at)
    finally:
        writer.stop = True
        if writer.is_alive():
            writer.join()
    for label, envhub, base, summed, page in rows:
        mine = common.Latency.of(envhub)
        line = f"  {label.ljust(32)} {mine}"
        for name, samples in (("baseline (SQL, rows)", base),
                              ("baseline (SQL, summaries)", summed),
                              ("page baseline (+ trends, rankings)", page)):
            if samples:
                theirs = common.Latency.of(samples)
                line += (f"\n  {('  ' + name).ljust(32)} {theirs}   ratio p50 "
                         f"{mine.p50 / theirs.p50:.1f}, p95 {mine.p95 / theirs.p95:.1f}")
        print(line)
    print(f"  writer: {writer.written} stations written, {writer.errors} failed;  "
          f"{common.load_average()}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--hourly-days", type=int, default=31)
    parser.add_argument("--full-year", action="store_true",
                        help="a year of hourly rollups and judged hours (263 M rows)")
    parser.add_argument("--writer-rate", type=float, default=10, help="stations a second")
    parser.add_argument("--keep", help="SQLite: keep the installation in this folder")
    parser.add_argument("--reuse", action="store_true", help="read the data already there")
    parser.add_argument("--no-rows-baseline", action="store_true",
                        help="time only the baseline over the summaries (the one over the rows "
                             "takes minutes a request on SQLite at national scale)")
    args = parser.parse_args()
    if args.vendor == "both":
        for vendor in ("sqlite", "postgresql"):  # Django is set up once a process
            subprocess.run([sys.executable, "-m", "bench.dashboard", *sys.argv[1:],
                            "--vendor", vendor], check=True, cwd=common.ROOT)
        return
    run(args.vendor, args)


if __name__ == "__main__":
    main()
