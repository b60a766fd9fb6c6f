"""The demo's TT10 files (`envhub.demo.tt10`) and `envhub demo` loading them."""

from __future__ import annotations

import datetime
import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from envhub.core.permissions import system_actor
from envhub.core.reference import load_all
from envhub.core.timeutil import hour_end
from envhub.demo import country
from envhub.demo import tt10 as demo
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import (
    Batch,
    BatchStatus,
    Connectivity,
    HourlyRollup,
    LatestValue,
    Observation,
    Series,
    StationStatus,
)
from envhub.registry.models import Province, Station, StationKind

ACTOR = system_actor("tests")
WINTER = datetime.datetime(2026, 1, 12)  # a Monday
SUMMER = datetime.datetime(2026, 7, 13)
UNTIL = "2026-11-20T12:00"  # Viet Nam time, as `--until` takes it
UNTIL_LOCAL = datetime.datetime(2026, 11, 20, 12, 0)
# Physical ceilings of the bounded parameters (registry/data/parameters.json).
CEILINGS = {"pH": 14, "RH": 100, "O2": 25, "DO": 50}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """One demo country for the tests of this module, rolled back after them (building it takes
    a few seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        if Province.objects.count() != 34:
            load_all(ACTOR)
        country.build_country(ACTOR, seed=country.DEFAULT_SEED)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def stations(built) -> list[demo.StationInfo]:
    rows = (Station.objects.filter(active=True, kind__in=demo.AUTOMATIC_KINDS)
            .select_related("source", "facility", "province").order_by("code"))
    return [demo.StationInfo.of(station) for station in rows]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.VAR_DIR


def one_of_each_kind(stations: list[demo.StationInfo]) -> list[demo.StationInfo]:
    picked = {}
    for info in stations:
        picked.setdefault(info.kind, info)
    return list(picked.values())


def readings_of(files) -> list[tuple[demo.GeneratedFile, tt10.Reading]]:
    return [(file, reading) for file in files for reading in tt10.parse(file.content).readings]


def keep_only(codes: list[str]) -> None:
    """Deactivate every other station, so that the command loads just these."""
    Station.objects.exclude(code__in=codes).update(active=False)


def a_handful(stations: list[demo.StationInfo]) -> list[str]:
    by_kind: dict[str, list[str]] = {}
    for info in stations:
        by_kind.setdefault(info.kind, []).append(info.code)
    return (by_kind[StationKind.AUTO_AIR][:2] + by_kind[StationKind.AUTO_EMISSION][:2]
            + by_kind[StationKind.AUTO_WASTEWATER][:1]
            + by_kind[StationKind.AUTO_SURFACE_WATER][:1])


@pytest.mark.django_db
@pytest.mark.usefixtures("built")
class TestTheGenerator:
    def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(self, stations):
        chosen = one_of_each_kind(stations)
        end = WINTER + datetime.timedelta(hours=6)
        first = list(demo.generate(chosen, WINTER, end))
        assert first == list(demo.generate(list(reversed(chosen)), WINTER, end))
        other = list(demo.generate(chosen, WINTER, end, seed=7))
        assert {content for _, content in first}.isdisjoint({content for _, content in other})

    def test_a_station_does_not_depend_on_the_others_or_on_the_window(self, stations):
        alone, *others = one_of_each_kind(stations)
        end = WINTER + datetime.timedelta(hours=12)
        # Long before the end, where no station is held back as offline or late.
        early = WINTER + datetime.timedelta(hours=5)

        def of_alone(files):
            return [f for f in files if f.station == alone.code and f.local_time <= early]

        single = of_alone(demo.generate_detailed([alone], WINTER, end))
        assert single == of_alone(demo.generate_detailed(stations, WINTER, end))
        # A run up to `middle` then a rerun from each station's newest file gives the very
        # files of one run, offline stations' backlog included.
        middle = WINTER + datetime.timedelta(hours=7, minutes=35)
        whole = list(demo.generate_detailed(others + [alone], WINTER, end))
        before = list(demo.generate_detailed(others + [alone], WINTER, middle))
        newest = {f.station: f.local_time for f in before}
        after = list(demo.generate_detailed(others + [alone], WINTER, end, resume_after=newest))
        assert sorted(before + after) == sorted(whole)
        assert demo.withheld([demo.station_plan(s) for s in others + [alone]], end)

    def test_every_file_parses_with_one_line_per_parameter_and_only_the_planned_errors(
            self, stations):
        end = SUMMER + datetime.timedelta(hours=8)
        files = list(demo.generate_detailed(stations, SUMMER, end))
        plans = {info.code: demo.station_plan(info) for info in stations}
        prefixes = {info.code: info.prefix for info in stations}
        assert len(files) > len(stations) * 85  # of 96: a few outages, stations held back
        assert [f.local_time for f in files] == sorted(f.local_time for f in files)
        malformed = Counter()
        for file in files:
            name = tt10.parse_filename(file.name)
            assert file.name.startswith(prefixes[file.station])
            assert name.local_time == file.local_time
            assert SUMMER < file.local_time <= end
            assert file.local_time.minute % 5 == 0 and file.local_time.second == 0
            parsed = tt10.parse(file.content)
            assert parsed.ok and parsed.line_count == len(plans[file.station].channels)
            errors = [(e.line_number, e.reason_code) for e in parsed.line_errors]
            expected = [(file.malformed_line, file.malformed_kind)] if file.malformed_line else []
            assert errors == expected, file
            malformed[file.malformed_kind] += bool(file.malformed_line)
            for reading in parsed.readings:
                assert reading.local_time == file.local_time
                if reading.value is not None:
                    assert reading.value >= 0, (file.name, reading)
                    assert reading.value <= CEILINGS.get(reading.symbol, float("inf"))
                else:
                    assert reading.status == tt10.STATUS_DEVICE_ERROR
        # About one file in 400 has a broken line, of each kind.
        assert 0.4 < sum(malformed.values()) / (len(files) * demo.MALFORMED_FILE_RATE) < 2
        assert set(malformed) - {None} == set(demo.MALFORMED_KINDS)
        # Spellings differ between dataloggers, as in the field.
        text = b"".join(file.content for file in files)
        for spelling in (b"PM2,5", b"PM2.5", b"ug/m3", "µg/m3".encode(), b"mg/m3\t",
                         b"mg/Nm3", b"oC", b"\r\n", b"\tppb\t"):
            assert spelling in text, spelling

    def test_ambient_pm_has_rush_hour_peaks_and_a_winter_high_in_the_north(self, stations):
        hanoi = [info for info in stations
                 if info.kind == StationKind.AUTO_AIR and info.province_code == "01"]

        def hourly(start: datetime.datetime, symbol: str, days: int) -> dict[int, float]:
            files = demo.generate_detailed(hanoi, start, start + datetime.timedelta(days=days))
            by_hour: dict[int, list[float]] = {}
            for _file, reading in readings_of(files):
                if reading.symbol.startswith(symbol) and reading.status == 0 and \
                        reading.value is not None and reading.unit != "ppb":
                    by_hour.setdefault(reading.local_time.hour, []).append(reading.value)
            return {hour: statistics.mean(values) for hour, values in by_hour.items()}

        winter = hourly(WINTER, "PM2", days=7)
        assert winter[8] > 1.3 * winter[14] and winter[20] > 1.3 * winter[14]
        assert 20 < statistics.mean(winter.values()) < 110
        summer = hourly(SUMMER, "PM2", days=2)
        assert statistics.mean(winter.values()) > 1.5 * statistics.mean(summer.values())
        ozone = hourly(SUMMER, "O3", days=2)
        assert ozone[14] > 2 * ozone[8] and max(ozone, key=ozone.get) in (12, 13, 14, 15)

    def test_calibrations_errors_and_outages_happen_as_planned(self, stations):
        chosen = stations[::4]
        days = [SUMMER.date() + datetime.timedelta(days=n) for n in range(3)]
        start = SUMMER - datetime.timedelta(minutes=5)
        end = SUMMER + datetime.timedelta(days=3) - datetime.timedelta(minutes=5)
        plans = {info.code: demo.station_plan(info) for info in chosen}
        held = demo.withheld(list(plans.values()), end)
        statuses: dict[tuple, set[int]] = {}
        empty_values = 0
        for file in demo.generate_detailed(chosen, start, end):
            parsed = tt10.parse(file.content)
            slot = (file.local_time.hour * 60 + file.local_time.minute) // 5
            statuses[(file.station, file.local_time.date(), slot)] = {
                reading.status for reading in parsed.readings}
            empty_values += sum(reading.value is None for reading in parsed.readings)
        for code, plan in plans.items():
            for day in days:
                events = demo.day_events(plan, day)
                for slot in range(demo.SLOTS_PER_DAY):
                    found = statuses.get((code, day, slot))
                    moment = datetime.datetime.combine(day, datetime.time()) + slot * demo.INTERVAL
                    if slot in events.gap or moment > held.get(code, end):
                        assert found is None
                        continue
                    assert found is not None, (code, day, slot)
                    assert (tt10.STATUS_DEVICE_ERROR in found) == (slot in events.error_slots)
                    planned = plan.calibration_slot is not None and (
                        0 <= slot - plan.calibration_slot < plan.calibration_files)
                    if slot not in events.error_slots:
                        assert (tt10.STATUS_CALIBRATING in found) == planned, (code, day, slot)
        assert empty_values > 0  # an empty value, allowed with status 02 only

        # The plans over the whole country and a month keep the rates of the tables.
        every_plan = [demo.station_plan(info) for info in stations]
        month = [SUMMER.date() + datetime.timedelta(days=n) for n in range(30)]
        events = [demo.day_events(plan, day) for plan in every_plan for day in month]
        calibrating = sum(plan.calibration_slot is not None for plan in every_plan)
        assert abs(calibrating / len(every_plan) - demo.CALIBRATING_SHARE) < 0.12
        errors = sum(bool(day.error_slots) for day in events) / len(events)
        assert abs(errors - demo.ERROR_DAY_PROBABILITY) < 0.03
        gaps = sum(bool(day.gap) for day in events) / len(events)
        assert abs(gaps - demo.GAP_DAY_PROBABILITY) < 0.02
        malformed = sum(len(day.malformed) for day in events) / (len(events) * demo.SLOTS_PER_DAY)
        assert abs(malformed - demo.MALFORMED_FILE_RATE) < 0.001

    def test_some_stacks_exceed_their_limit_for_hours(self, stations):
        episodes = []
        for info in stations:
            if info.kind != StationKind.AUTO_EMISSION:
                continue
            plan = demo.station_plan(info)
            for n in range(5):
                day = SUMMER.date() + datetime.timedelta(days=n)
                events = demo.day_events(plan, day)
                if events.episode_code:
                    episodes.append((info, plan, day, events))
        assert 2 <= len(episodes) <= 40
        info, plan, day, events = episodes[0]
        values = demo.day_values(plan, day, demo.Noise(demo.DEFAULT_SEED), events)
        limit = demo.STACK_PROFILES[plan.profile].limits[events.episode_code]
        above = [slot for slot in events.episode_slots if values[events.episode_code][slot] > limit]
        assert len(above) >= 12  # at least an hour above the limit
        usual = [value for slot, value in enumerate(values[events.episode_code])
                 if slot not in events.episode_slots]
        assert max(usual) < limit

    def test_one_or_two_stations_went_offline_and_one_is_late(self, stations):
        plans = [demo.station_plan(info) for info in stations]
        held = demo.withheld(plans, UNTIL_LOCAL)
        ages = sorted(UNTIL_LOCAL - moment for moment in held.values())
        assert len(ages) == 3
        assert datetime.timedelta(minutes=20) <= ages[0] <= datetime.timedelta(minutes=45)
        assert all(age >= datetime.timedelta(hours=2) for age in ages[1:])
        recent = demo.generate_detailed(stations, UNTIL_LOCAL - datetime.timedelta(hours=1),
                                        UNTIL_LOCAL)
        assert all(file.local_time <= held.get(file.station, UNTIL_LOCAL) for file in recent)


@pytest.mark.django_db
@pytest.mark.usefixtures("built")
class TestTheDemoCommand:
    def test_it_loads_recent_data_once_and_then_only_what_is_new(self, stations, var_dir):
        handful = a_handful(stations)
        keep_only(handful)
        out = io.StringIO()
        call_command("demo", "--days", "0.5", "--until", UNTIL, "--no-library", stdout=out,
                     stderr=io.StringIO())
        report = out.getvalue()
        infos = [info for info in stations if info.code in handful]
        expected = list(demo.generate_detailed(
            infos, UNTIL_LOCAL - datetime.timedelta(hours=12), UNTIL_LOCAL))
        batches = Batch.objects.all()
        assert sorted(batches.values_list("file_name", flat=True)) == sorted(
            file.name for file in expected)
        # Received files' values (the demo campaign's loaded periodic results have no file).
        values = Observation.objects.exclude(batch_id=0).count()
        rejected = sum(batches.values_list("rejected", flat=True))
        assert rejected == sum(bool(file.malformed_line) for file in expected)
        assert f"Monitoring data: {len(expected):,} files with {values:,} values" in report
        assert f"Rejected lines: {rejected:,}" in report

        # Hourly rollups and latest values for every series; the states of transmission.
        series = Series.objects.filter(station__code__in=handful)
        assert series.count() == sum(len(demo.station_plan(info).channels) for info in infos)
        hours = {(series_id, hour_end(time)) for series_id, time
                 in Observation.objects.exclude(batch_id=0).values_list("series_id", "time")}
        assert set(HourlyRollup.objects.values_list("series_id", "hour_end")) == hours
        assert LatestValue.objects.filter(series__in=series).count() == series.count()
        # The stations held back are late and offline (an outage may make another late too).
        states = dict(StationStatus.objects.filter(station__active=True)
                      .values_list("station__code", "state"))
        held = demo.withheld([demo.station_plan(info) for info in infos], UNTIL_LOCAL)
        late, offline = sorted(held, key=held.get, reverse=True)
        assert (states[late], states[offline]) == (Connectivity.LATE, Connectivity.OFFLINE)
        assert Counter(states.values())[Connectivity.ONLINE] >= 3
        counts = Counter(states.values())
        # The command says the states in the operator's language, with the model's labels.
        assert "Transmission: " + ", ".join(
            f"{counts[state]} {label.lower()}" for state, label in Connectivity.choices
            if counts[state]
        ) + "." in report

        # Again at the same time: nothing to add, not even a duplicate.
        out = io.StringIO()
        call_command("demo", "--days", "0.5", "--until", UNTIL, "--no-library", stdout=out)
        assert "up to date" in out.getvalue()
        assert Batch.objects.count() == len(expected)

        # Half an hour later: only the new periods (and the stopped stations' backlog).
        call_command("demo", "--days", "0.5", "--until", "2026-11-20T12:30", "--no-library",
                     stdout=io.StringIO())
        new = Batch.objects.exclude(file_name__in=[file.name for file in expected])
        assert new.count() >= 4 * 6
        assert not Batch.objects.filter(status=BatchStatus.DUPLICATE_FILE).exists()
        assert Observation.objects.filter(time__gt=datetime.datetime(
            2026, 11, 20, 5, 0, tzinfo=datetime.timezone.utc)).exists()

    def test_it_writes_the_files_in_the_folder_layout_instead(self, stations, var_dir,
                                                              tmp_path):
        handful = a_handful(stations)
        keep_only(handful)
        out = io.StringIO()
        call_command("demo", "--write-files", str(tmp_path / "files"), "--days", "0.1",
                     "--until", UNTIL, stdout=out)
        written = sorted(path for path in (tmp_path / "files").rglob("*") if path.is_file())
        infos = [info for info in stations if info.code in handful]
        expected = list(demo.generate_detailed(
            infos, UNTIL_LOCAL - datetime.timedelta(days=0.1), UNTIL_LOCAL))
        assert len(written) == len(expected) > 0
        for file in expected:
            path = (tmp_path / "files" / file.station / "2026" / "11" / "20" / file.name)
            assert path.read_bytes() == file.content
        assert f"Wrote {len(expected):,} TT10 files" in out.getvalue()
        assert not Batch.objects.exists()
