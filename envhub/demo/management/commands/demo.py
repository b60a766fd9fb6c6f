"""`envhub demo [--seed N] [--days N] [--write-files DIR] [--no-data] [--no-library]`: build the
demo country and its accounts, load the demo library and recent monitoring data, then show what
there is.

The monitoring data comes from `envhub.demo.tt10`: the files the demo stations' dataloggers
would have sent over the last `--days` days, ingested through the one ingestion service (folder
channel, system actor) as if each had arrived when it was due. A rerun adds only the 5-minute
periods after each station's newest value, so `make run` stays fast day after day.
"""

from __future__ import annotations

import datetime
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from envhub.airquality import services as air_quality
from envhub.catalog import services as catalog
from envhub.compliance import assess
from envhub.compliance.models import EventStatus, ExceedanceEvent
from envhub.core.permissions import system_actor
from envhub.core.timeutil import local_to_utc, parse_moment
from envhub.demo import accounts as demo_accounts
from envhub.demo import country
from envhub.demo import library as demo_library
from envhub.demo import permits as demo_permits
from envhub.demo import surveys as demo_surveys
from envhub.demo import tt10 as demo_files
from envhub.monitoring import connectivity, ingest, rollups
from envhub.monitoring.models import BatchStatus, Channel, Connectivity, StationStatus
from envhub.registry import services as registry
from envhub.registry.models import Station

DEFAULT_DAYS = 2.0
CHUNK_FILES = 500  # files per ingestion call (one transaction each)
# The last hours are ingested one reporting period at a time, each "received" just after it was
# due, so that the stations that stopped sending look late or offline on the transmission page.
REAL_TIME_HOURS = 2
ARRIVAL_DELAY = datetime.timedelta(seconds=40)
# Rollup slice: larger than the worker's, since a slice recomputes the days and latest values of
# every series it touches, and a backfill touches every series in every slice.
ROLLUP_SLICE = 5000


class Command(BaseCommand):
    help = ("Create the demo country (facilities, sources, stations, organisations), one demo "
            "account per role and recent monitoring data from every automatic station; the "
            "country and accounts are made once, the data is topped up on every run.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=country.DEFAULT_SEED,
            help=f"Seed of the generator; the same seed gives the same country and data "
                 f"(default {country.DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--days", type=float, default=DEFAULT_DAYS,
            help=f"How many days of monitoring data up to now (default {DEFAULT_DAYS:g}; "
                 "fractions allowed, 0.25 is six hours).",
        )
        parser.add_argument(
            "--write-files", metavar="DIR",
            help="Write the TT10 files into DIR/station/yyyy/MM/dd/ instead of loading them "
                 "(to try `envhub ingest DIR` or an FTP upload).",
        )
        parser.add_argument("--no-data", action="store_true",
                            help="Skip the monitoring data and the library's documents.")
        parser.add_argument("--no-library", action="store_true",
                            help="Skip the library's sample documents (and their OCR).")
        parser.add_argument(
            "--until", metavar="TIME",
            help="Pretend it is this time (ISO 8601; without an offset, Viet Nam time) instead "
                 "of now: reproducible files, and tests.",
        )

    def handle(self, *args, seed: int, days: float, write_files: str | None, no_data: bool,
               until: str | None, verbosity: int = 1, no_library: bool = False, **options):
        if not 0 < days <= 366:
            raise CommandError("--days must be more than 0 and at most 366.")
        try:
            present = parse_moment(until) if until else timezone.now()
        except ValueError:
            raise CommandError(f"--until {until!r} is not a date and time.") from None

        actor = system_actor("envhub demo")
        started = time.perf_counter()
        try:
            report = country.build_country(actor, seed=seed)
            accounts = demo_accounts.ensure_accounts(actor)
            permits = demo_permits.ensure_permits(actor, seed=seed)
            campaign = demo_surveys.ensure_survey_campaign(actor)
        except country.DemoError as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started

        if report.created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo country created (seed {seed}) in {elapsed:.1f} s."
            ))
        else:
            self.stdout.write(self.style.WARNING(
                f"Demo data already exists ('{country.DATA_CENTRE}' is there): nothing was "
                "created. The --seed option has no effect on an existing demo."
            ))

        if permits:
            self.stdout.write(f"Permits: {permits} created (one per source).")
        if campaign is not None:
            self.stdout.write(f"Survey campaign: '{campaign.title}' created with the demo survey "
                              "unit's submissions (loaded, returned, draft with errors).")
        summary = country.registry_summary()
        self.stdout.write(
            f"Registry: {summary.facilities} facilities in {summary.provinces} provinces; "
            f"sources: {_counts(summary.sources)}; stations: {_counts(summary.stations)}; "
            f"organisations: {_counts(summary.organisations)}."
        )

        self.stdout.write("")
        self.stdout.write("Demo accounts:")
        role_width = max(len(account.role) for account in accounts)
        name_width = max(len(account.username) for account in accounts)
        self.stdout.write(f"  {'role':<{role_width}}  {'user name':<{name_width}}  password")
        for account in accounts:
            self.stdout.write(
                f"  {account.role:<{role_width}}  {account.username:<{name_width}}  "
                f"{account.password}"
            )
        self.stdout.write(
            f"Written to {demo_accounts.accounts_file()} (readable by its owner only)."
        )

        if no_data:
            return
        self.stdout.write("")
        if not no_library and not write_files:
            self.load_library(actor)
        stations = _automatic_stations()
        _declare_normal_conditions(actor, stations, seed)
        end = demo_files.local_mark(present)
        start = end - datetime.timedelta(days=days)
        if write_files:
            self.write_files(Path(write_files), stations, start, end, seed)
        else:
            self.load(actor, stations, start, end, present, seed, verbosity)

    # -- the library's sample documents

    def load_library(self, actor) -> None:
        try:
            report = demo_library.ensure_library(actor)
        except country.DemoError as error:
            raise CommandError(str(error)) from None
        states = ", ".join(f"{count} {state}" for state, count in
                           sorted(report.text_states.items()))
        self.stdout.write(self.style.SUCCESS(
            f"Library: collection '{report.collection.code}' with {report.imported} documents "
            f"imported, {report.already} already there, in {report.seconds:.1f} s; text: "
            f"{report.extraction} ({states})."))
        for failure in report.failures:
            self.stdout.write(self.style.WARNING(
                f"  sample {failure.identifier} not imported: {failure.column}: "
                f"{failure.message}"))

    # -- loading through the ingestion service

    def load(self, actor, stations, start, end, present, seed, verbosity) -> None:
        started = time.perf_counter()
        resume_after = _newest_values({info.code for info in stations})
        expected = sum(_periods(max(start, resume_after.get(info.code, start)), end)
                       for info in stations)
        files = demo_files.generate_detailed(stations, start, end, seed=seed,
                                             resume_after=resume_after)
        totals: Counter[str] = Counter()
        rejects: Counter[str] = Counter()
        # The stream under Django's wrapper, which would end every tqdm refresh with a newline.
        progress = tqdm(total=expected, unit=" files", desc="Monitoring data", leave=False,
                        file=getattr(self.stderr, "_out", sys.stderr), disable=verbosity < 1,
                        mininterval=0.5)
        realtime_from = end - datetime.timedelta(hours=REAL_TIME_HOURS)
        with progress:
            for chunk in _chunks(files, realtime_from):
                received = min(present, local_to_utc(chunk[-1].local_time) + ARRIVAL_DELAY)
                # As if each station had sent its files when they were due (live).
                reports = ingest.ingest(
                    actor, Channel.FOLDER,
                    [ingest.IncomingFile(file.name, file.content) for file in chunk],
                    now=received, live=True)
                for batch in reports:
                    totals["files"] += 1
                    totals["values"] += batch.accepted
                    totals["rejected"] += batch.rejected
                    totals["duplicates"] += batch.duplicates
                    totals["repeated files"] += batch.status == BatchStatus.DUPLICATE_FILE
                    rejects.update(reject.code for reject in batch.rejects)
                progress.update(len(chunk))
        loaded = time.perf_counter() - started

        work = rollups.process_queue(limit=ROLLUP_SLICE)
        judged = assess.process_queue()
        air_quality.enqueue_history()
        air_hours = air_quality.process_queue()
        connectivity.evaluate(now=present)
        total = time.perf_counter() - started

        window = f"{_show(start)} – {_show(end)} (UTC+7)"
        if not totals["files"]:
            self.stdout.write(f"Monitoring data: up to date ({window}); nothing new to load.")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Monitoring data: {totals['files']:,} files with {totals['values']:,} values "
                f"from {len(stations)} automatic stations, {window}, loaded in {total:.1f} s "
                f"(generating and ingesting {loaded:.1f} s, rollups {total - loaded:.1f} s: "
                f"{work.hours:,} hours, {work.days:,} days)."
            ))
            reasons = ", ".join(f"{count} {code}" for code, count in sorted(rejects.items()))
            self.stdout.write(
                f"Rejected lines: {totals['rejected']:,}"
                + (f" ({reasons}: the malformed lines that real dataloggers send now and then)"
                   if reasons else "")
                + f"; values already stored: {totals['duplicates']:,}; files already received: "
                f"{totals['repeated files']:,}."
            )
        events = Counter(ExceedanceEvent.objects.exclude(status=EventStatus.WITHDRAWN)
                         .values_list("status", flat=True))
        self.stdout.write(
            f"Compliance: {judged:,} source-hours judged; exceedance events: "
            f"{events.get(EventStatus.OPEN, 0)} open, {events.get(EventStatus.CLOSED, 0)} "
            "closed.")
        self.stdout.write(f"Air quality: VN_AQI computed for {air_hours:,} station-hours.")
        catalogue = catalog.sync()
        self.stdout.write(f"Catalogue: {catalogue.refreshed} datasets kept current "
                          f"({catalogue.created} new).")
        states = Counter(StationStatus.objects.filter(station__active=True)
                         .values_list("state", flat=True))
        self.stdout.write(
            "Transmission: " + ", ".join(
                f"{states.get(state, 0)} {label.lower()}"
                for state, label in Connectivity.choices if states.get(state)) + "."
        )

    # -- writing files for a person to try

    def write_files(self, root: Path, stations, start, end, seed) -> None:
        started = time.perf_counter()
        made: set[Path] = set()
        count = lines = 0
        for file in demo_files.generate_detailed(stations, start, end, seed=seed):
            moment = file.local_time
            folder = root / file.station / f"{moment:%Y}" / f"{moment:%m}" / f"{moment:%d}"
            if folder not in made:
                folder.mkdir(parents=True, exist_ok=True)
                made.add(folder)
            (folder / file.name).write_bytes(file.content)
            count += 1
            lines += file.content.count(b"\n")
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {count:,} TT10 files ({lines:,} lines) of {len(stations)} automatic "
            f"stations, {_show(start)} – {_show(end)} (UTC+7), to {root}/station/yyyy/MM/dd/ "
            f"in {time.perf_counter() - started:.1f} s. Load them with `envhub ingest {root}`."
        ))


def _declare_normal_conditions(actor, stations, seed: int) -> None:
    """The stack dataloggers that write mg/m3 for values at normal conditions say so."""
    codes = {info.code for info in stations if demo_files.declares_normal_conditions(info, seed)}
    for station in Station.objects.filter(code__in=codes, logger_normal_conditions=False):
        station.logger_normal_conditions = True
        registry.save(actor, station)


def _automatic_stations() -> list[demo_files.StationInfo]:
    stations = (Station.objects.filter(active=True, kind__in=demo_files.AUTOMATIC_KINDS)
                .exclude(tt10_prefix="").select_related("source", "facility", "province")
                .order_by("code"))
    return [demo_files.StationInfo.of(station) for station in stations]


def _newest_values(codes: set[str]) -> dict[str, datetime.datetime]:
    """{station code: its newest value's time}, where to resume (local time)."""
    rows = StationStatus.objects.filter(
        station__code__in=codes, last_data_at__isnull=False
    ).values_list("station__code", "last_data_at")
    return {code: demo_files.local_mark(moment) for code, moment in rows}


def _chunks(files: Iterable[demo_files.GeneratedFile],
            realtime_from: datetime.datetime) -> Iterator[list[demo_files.GeneratedFile]]:
    """About CHUNK_FILES files at a time, cut between reporting periods; one period at a time
    after `realtime_from` (a chunk counts as received when its newest file was due, so older
    files must not ride along with the newest)."""
    chunk: list[demo_files.GeneratedFile] = []
    for file in files:
        if chunk and file.local_time != chunk[-1].local_time and (
                len(chunk) >= CHUNK_FILES or file.local_time > realtime_from):
            yield chunk
            chunk = []
        chunk.append(file)
    if chunk:
        yield chunk


def _periods(start: datetime.datetime, end: datetime.datetime) -> int:
    return max(0, int((end - start) / demo_files.INTERVAL))


def _show(local: datetime.datetime) -> str:
    return f"{local:%d/%m/%Y %H:%M}"


def _counts(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items())) or "none"
