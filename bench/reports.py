"""The national monthly report on a generated country: seconds and peak memory of its figures'
queries, of the XLSX and of the PDF, each from the same figures, and their ratios. The figures'
queries alone are the baseline: what making the files adds to reading the data.

    python -m bench.reports [--stations 3000] [--events 20000] [--vendor postgresql]

The country: `--stations` automatic stations, half of them stacks of as many facilities (a stack
each, two series each), half ambient air stations (daily VN_AQI); one month (November 2026) of
daily rollups of every series, the month's share (a twelfth) of `--events` exceedance events a
year with their judged windows, and a few hundred outages. Peak memory is Python's (tracemalloc)
for each step, and the process's resident high-water mark at the end (Pango and cairo's own
allocations are outside tracemalloc: the RSS says them).
"""

from __future__ import annotations

import argparse
import datetime
import random
import resource
import time
import tracemalloc
from functools import partial

from bench import common

MONTH_FIRST = datetime.date(2026, 11, 1)
MONTH_LAST = datetime.date(2026, 11, 30)
BATCH = 5000


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    from envhub.core.timeutil import VN

    return datetime.datetime.combine(day, datetime.time(0), tzinfo=VN).astimezone(
        datetime.UTC) + datetime.timedelta(hours=hour)


def generate(stations: int, events_a_year: int, seed: int = 7) -> dict:
    from envhub.airquality.models import DailyAqi
    from envhub.airquality.vn_aqi import category_for
    from envhub.compliance.models import Assessment, ExceedanceEvent, State
    from envhub.monitoring.models import Connectivity, ConnectivityChange, DailyRollup, Series
    from envhub.registry.models import (
        Facility,
        Organisation,
        Parameter,
        Province,
        Sector,
        Source,
        Station,
    )

    rng = random.Random(seed)
    provinces = list(Province.objects.order_by("code"))
    wards = {p.pk: p.wards.order_by("code").first() for p in provinces}
    operators = Organisation.objects.bulk_create([
        Organisation(name=f"Doanh nghiệp {p.code}", kind="enterprise", province=p)
        for p in provinces])
    sectors = [value for value in Sector.values if value != Sector.OTHER]
    half = stations // 2
    facilities = Facility.objects.bulk_create([
        Facility(name=f"Nhà máy thử {n:05d}", abbreviation=f"F{n:05d}", tax_code=f"{n:010d}",
                 address="Khu công nghiệp", province=provinces[n % 34],
                 ward=wards[provinces[n % 34].pk], sector=sectors[n % len(sectors)],
                 operator=operators[n % 34], latitude=10 + (n % 100) * 0.12,
                 longitude=104.5 + (n % 30) * 0.1) for n in range(half)], batch_size=BATCH)
    sources = Source.objects.bulk_create([
        Source(facility=f, kind="stack", code="OK1", name="Ống khói", design_flow_m3h=50000,
               stack_height_m=60, stack_diameter_m=2) for f in facilities], batch_size=BATCH)
    rows = [Station(code=f"S{n:05d}", name=f"Trạm ống khói {n}", kind="auto_emission",
                    medium="emission", source=s, facility=s.facility,
                    province=s.facility.province) for n, s in enumerate(sources)]
    rows += [Station(code=f"A{n:05d}", name=f"Trạm không khí {n}", kind="auto_air",
                     medium="air", province=provinces[n % 34],
                     latitude=10 + (n % 100) * 0.12, longitude=105 + (n % 20) * 0.1)
             for n in range(stations - half)]
    made = Station.objects.bulk_create(rows, batch_size=BATCH)
    so2 = Parameter.objects.get(code="SO2", medium="emission")
    nox = Parameter.objects.get(code="NOx", medium="emission")
    pm25 = Parameter.objects.get(code="PM2_5", medium="air")
    pm10 = Parameter.objects.get(code="PM10", medium="air")
    series = Series.objects.bulk_create([
        Series(station=station, parameter=parameter) for station in made
        for parameter in ((so2, nox) if station.kind == "auto_emission" else (pm25, pm10))],
        batch_size=BATCH)
    days = [MONTH_FIRST + datetime.timedelta(days=n) for n in range(30)]
    rollups = []
    for item in series:
        for day in days:
            valid = rng.choice((24, 24, 24, 23, 20, 12, 0))
            rollups.append(DailyRollup(series=item, day=day, count=valid, valid_count=valid,
                                       expected_count=24, coverage=valid * 100 / 24,
                                       valid_hours=valid, valid=valid >= 18))
        if len(rollups) >= BATCH:
            DailyRollup.objects.bulk_create(rollups)
            rollups = []
    DailyRollup.objects.bulk_create(rollups)
    aqi = []
    for station in made:
        if station.kind != "auto_air":
            continue
        for day in days:
            index = rng.randint(20, 220)
            aqi.append(DailyAqi(station=station, day=day, aqi=index,
                                category=category_for(index).code))
    DailyAqi.objects.bulk_create(aqi, batch_size=BATCH)
    events, windows = [], []
    for _ in range(events_a_year // 12):
        source = rng.choice(sources)
        day = rng.choice(days)
        start, hours = rng.randint(1, 12), rng.randint(1, 12)
        events.append(ExceedanceEvent(
            source=source, parameter=so2, start=_at(day, start), end=_at(day, start + hours),
            peak_value=700, peak_multiple=1.4, peak_at=_at(day, start), band="1-2",
            hours=hours, limit=500, unit="mg/Nm3", status="closed"))
        windows += [Assessment(source=source, parameter=so2, window_end=_at(day, start + h),
                               measured=650, value=650, limit=500, multiple=1.3, coverage=100,
                               state=State.EXCEEDS, band="1-2") for h in range(hours)]
    ExceedanceEvent.objects.bulk_create(events, batch_size=BATCH)
    Assessment.objects.bulk_create(windows, batch_size=BATCH, ignore_conflicts=True)
    ConnectivityChange.objects.bulk_create([
        ConnectivityChange(station=rng.choice(made), at=_at(rng.choice(days), 9),
                           previous=Connectivity.ONLINE, current=Connectivity.OFFLINE)
        for _ in range(stations // 10)], batch_size=BATCH)
    return {"stations": len(made), "series": len(series), "rollups": len(series) * 30,
            "events": len(events), "windows": len(windows), "aqi days": len(aqi)}


def _measured(step, traced: bool):
    """(result, seconds, Python's peak bytes): tracing slows allocation-heavy code several
    times, so the timed runs are not traced and one more run gives the peak."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    return result, seconds, peak


def measure(repeat: int) -> dict[str, list[tuple[float, int]]]:
    from envhub.dashboard import periods, render
    from envhub.dashboard.report_data import collect

    month = periods.Period(periods.MONTH, MONTH_FIRST, MONTH_LAST)
    spent: dict[str, list[float]] = {"figures (queries)": [], "XLSX": [], "PDF": []}
    peaks: dict[str, int] = {}
    pdf = b""
    for run in range(repeat + 1):
        traced = run == repeat
        data, seconds, peak = _measured(partial(collect, None, month), traced)
        steps = {"figures (queries)": (seconds, peak)}
        _xlsx, seconds, peak = _measured(partial(render.xlsx, data, "vi"), traced)
        steps["XLSX"] = (seconds, peak)
        pdf, seconds, peak = _measured(partial(render.pdf, data, "vi"), traced)
        steps["PDF"] = (seconds, peak)
        for name, (seconds, peak) in steps.items():
            if traced:
                peaks[name] = peak
            else:
                spent[name].append(seconds)
    return spent, peaks, len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=3000)
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--vendor", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    common.prepare_environment(options.vendor)
    common.setup_django()
    started = time.perf_counter()
    sizes = generate(options.stations, options.events)
    print(f"generated in {time.perf_counter() - started:.0f} s: "
          + ", ".join(f"{value:,} {name}" for name, value in sizes.items()))
    spent, peaks, pdf_size = measure(options.repeat)
    best = {name: min(runs) for name, runs in spent.items()}
    baseline = best["figures (queries)"]
    rows = [(name, f"best {seconds:6.2f} s ({', '.join(f'{s:.2f}' for s in spent[name])}); "
                   f"Python peak {peaks[name] / 2**20:6.1f} MiB; "
                   f"×{seconds / baseline:.1f} the queries")
            for name, seconds in best.items()]
    rows.append(("whole report (figures + PDF + XLSX)", f"{sum(best.values()):.2f} s"))
    rows.append(("PDF size", f"{pdf_size / 1024:.0f} KiB"))
    rows.append(("process peak RSS",
                 f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))
    rows.append(("machine", f"{common.machine()}; {common.load_average()}"))
    common.report(f"National monthly report, {options.vendor}", rows)


if __name__ == "__main__":
    main()
