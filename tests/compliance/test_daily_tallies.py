"""The judged windows' daily summary (`DailyTally`, kept by triggers) equals a recount of the
windows after judging, late data, a withdrawal, a limit change, a permit deleted, a source
deleted and direct changes; the coverage read of whole days plus cut edges counts what the
windows themselves count."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envhub.compliance import assess, coverage, daily_tallies, services
from envhub.compliance.models import (
    Assessment,
    DailyTally,
    EventStatus,
    ExceedanceEvent,
    LimitValue,
    Permit,
    Regulation,
    SourceMonth,
    State,
)
from envhub.core.permissions import system_actor
from envhub.core.timeutil import HOUR, UTC, VN, local_day
from envhub.monitoring import ingest, rollups, summaries
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2026, 11, 10)


def recount() -> dict:
    """{(source, day): (with data, valid, exceeded, hours over)} counted from the windows."""
    found: dict = defaultdict(Counter)
    for source_id, end, state, hours in Assessment.objects.values_list(
            "source_id", "window_end", "state", "window_hours"):
        counts = found[(source_id, local_day(end))]
        counts["with_data"] += 1
        counts["valid"] += state != State.UNKNOWN
        counts["exceeded"] += state == State.EXCEEDS
        counts["exceeded_hours"] += hours if state == State.EXCEEDS else 0
    return {key: (c["with_data"], c["valid"], c["exceeded"], c["exceeded_hours"])
            for key, c in found.items()}


def kept() -> dict:
    """The daily summary; and its monthly summary (`SourceMonth`) must be its days summed per
    calendar month, whatever wrote them."""
    days = {(row.source_id, row.day): (row.with_data, row.valid, row.exceeded,
                                       row.exceeded_hours)
            for row in DailyTally.objects.all()}
    months: dict = defaultdict(lambda: (0, 0, 0, 0))
    for (source, day), counts in days.items():
        key = (source, day.replace(day=1))
        months[key] = tuple(a + b for a, b in zip(months[key], counts, strict=True))
    assert {(row.source_id, row.month): (row.with_data, row.valid, row.exceeded,
                                         row.exceeded_hours)
            for row in SourceMonth.objects.all()} == dict(months)
    return days


def two_parameters():
    from envhub.registry.models import Parameter

    return list(Parameter.objects.order_by("pk")[:2])


@pytest.fixture
def outfall(world):
    """QCVN 40:2011 column B: COD 150 mg/L on 24-hour windows (one window a local day)."""
    station = world.station_outfall_hn
    station.expected_interval_minutes = 60
    station.save()
    return Permit.objects.create(
        source=world.outfall_hn, number="40/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 40:2011/BTNMT"), column="B",
        river_flow_m3s=120, discharge_m3d=800)


def send_day(world, day, cod_by_hour):
    files = [tt10_file(world.station_outfall_hn,
                       datetime.datetime.combine(day, datetime.time(0))
                       + datetime.timedelta(hours=hour), [("COD", cod, "mg/L")])
             for hour, cod in cod_by_hour.items()]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()


def test_judging_late_data_a_limit_change_and_deletions_keep_the_summary(world, outfall):
    second, third = FIRST + datetime.timedelta(days=1), FIRST + datetime.timedelta(days=2)
    # 20 hours of 24 (enough) at 160: over the limit of 150.
    send_day(world, FIRST, {h: 160 for h in range(1, 21)})
    send_day(world, second, {h: 100 for h in range(1, 10)})  # too few hours: unknown
    source = world.outfall_hn.pk
    assert kept() == recount() == {(source, FIRST): (1, 1, 1, 24),
                                   (source, second): (1, 0, 0, 0)}
    # Late data: the second day complete and under the limit; the first's last hours pull
    # its mean under it (3,200 / 24 = 133: its event is withdrawn).
    send_day(world, second, {h: 100 for h in range(10, 25)})
    send_day(world, FIRST, {h: 0 for h in range(21, 25)})
    assert ExceedanceEvent.objects.get(source=source).status == EventStatus.WITHDRAWN
    assert kept() == recount() == {(source, FIRST): (1, 1, 0, 0),
                                   (source, second): (1, 1, 0, 0)}
    send_day(world, third, {h: 140 for h in range(1, 25)})
    cod = LimitValue.objects.get(regulation=outfall.regulation, column="B",
                                 parameter__code="COD")
    cod.value = 120  # a steward's correction re-judges every hour of the permit
    services.save(world.actor("steward"), cod)
    assess.process_queue()
    assert kept() == recount()
    assert kept()[(source, third)] == (1, 1, 1, 24)
    # The permit deleted: its hours lose their verdicts, and the summary its days.
    services.delete(world.actor("steward"), outfall)
    assess.process_queue()
    assert kept() == recount() == {}


def test_direct_changes_and_a_deleted_source_follow(world):
    so2, nox = two_parameters()
    end = datetime.datetime(2026, 11, 10, 17, tzinfo=UTC)  # 00:00 on the 11th: the 10th's
    Assessment.objects.bulk_create([
        Assessment(source=world.stack_hn, parameter=parameter, window_end=end + n * HOUR,
                   coverage=100, state=state)
        for n, (parameter, state) in enumerate([(so2, State.EXCEEDS), (nox, State.COMPLIES),
                                                (so2, State.UNKNOWN)])])
    assert kept() == recount()
    assert kept()[(world.stack_hn.pk, datetime.date(2026, 11, 10))] == (1, 1, 1, 1)
    Assessment.objects.filter(state=State.COMPLIES).update(state=State.EXCEEDS,
                                                           window_hours=8)
    Assessment.objects.filter(parameter=nox).update(window_end=end - 30 * HOUR)
    assert kept() == recount()
    Assessment.objects.create(source=world.stack_dn, parameter=so2, window_end=end,
                              coverage=100, state=State.COMPLIES)
    world.station_stack_hn.delete()
    world.stack_hn.delete()  # the cascade takes its windows, the triggers its days
    assert kept() == recount() == {(world.stack_dn.pk, datetime.date(2026, 11, 10)):
                                   (1, 1, 0, 0)}


def test_a_rebuild_and_lost_triggers_are_recounted(world):
    so2, _nox = two_parameters()
    summaries.drop_triggers(daily_tallies.SUMMARY)
    Assessment.objects.create(source=world.stack_hn, parameter=so2, coverage=100,
                              window_end=datetime.datetime(2026, 11, 10, 3, tzinfo=UTC),
                              state=State.EXCEEDS)
    assert kept() == {}  # written while the triggers were gone
    assert summaries.missing_triggers(daily_tallies.SUMMARY)
    assert summaries.ensure(daily_tallies.SUMMARY)  # what post_migrate does
    assert not summaries.missing_triggers(daily_tallies.SUMMARY)
    assert kept() == recount() != {}
    assert not summaries.ensure(daily_tallies.SUMMARY)


# --- random sequences of the judging's writes --------------------------------------------------

ENDS = [datetime.datetime(2026, 11, 9, 15, tzinfo=UTC) + n * HOUR for n in range(60)] + [
    datetime.datetime(2026, 10, 31, 15, tzinfo=UTC) + n * HOUR for n in range(4)]  # 2 months
STATES = [State.EXCEEDS, State.COMPLIES, State.UNKNOWN]
operation = st.one_of(
    # `_store`: the judging's own write (replace some ends' windows of a source)
    st.tuples(st.just("store"), st.integers(0, 1), st.sets(st.sampled_from(ENDS), max_size=8),
              st.lists(st.tuples(st.integers(0, 1), st.sampled_from(STATES),
                                 st.sampled_from([1, 8, 24])), max_size=3)),
    st.tuples(st.just("delete"), st.integers(0, 1), st.sampled_from(ENDS)),
    st.tuples(st.just("update"), st.sampled_from(STATES), st.sampled_from(ENDS)),
)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, max_size=8))
def test_any_sequence_of_writes_keeps_the_summary_equal_to_a_recount(world, operations):
    Assessment.objects.all().delete()
    sources = [world.stack_hn.pk, world.stack_dn.pk]
    parameters = [parameter.pk for parameter in two_parameters()]
    for step in operations:
        if step[0] == "store":
            _kind, source, ends, rows = step
            made = {(parameters[p], end): (state, hours) for end in ends
                    for p, state, hours in rows}
            assess._store(sources[source], [
                Assessment(source_id=sources[source], parameter_id=parameter, window_end=end,
                           window_hours=hours, coverage=100, state=state)
                for (parameter, end), (state, hours) in made.items()], ends)
        elif step[0] == "delete":
            Assessment.objects.filter(source_id=sources[step[1]], window_end=step[2]).delete()
        else:
            Assessment.objects.filter(window_end=step[2]).update(state=step[1])
        assert kept() == recount()


# --- reading whole days and cut edges -----------------------------------------------------------

moment = st.integers(0, 4 * 24 * 4).map(
    lambda quarter: datetime.datetime(2026, 11, 9, 17, tzinfo=UTC)
    + datetime.timedelta(minutes=15 * quarter))


@settings(max_examples=300, deadline=None)
@given(ends=st.lists(st.integers(0, 4 * 24), max_size=40), start=moment, stop=moment)
def test_days_and_edges_count_what_the_windows_count(ends, start, stop):
    """Pure: counting window ends by the plan `spans` gives (start, stop] exactly."""
    first = datetime.datetime(2026, 11, 9, 17, tzinfo=UTC)
    moments = [first + n * HOUR for n in ends]
    by_day = Counter(local_day(end) for end in moments)
    whole, ranges = daily_tallies.spans(start, stop)
    counted = 0
    if whole:
        day = whole[0]
        while day <= whole[1]:
            counted += by_day[day]
            day += datetime.timedelta(days=1)
    for after, until, sign in ranges:
        counted += sign * sum(1 for end in moments if after < end <= until)
    assert counted == sum(1 for end in moments if start < end <= stop)


def test_the_tallies_of_cut_periods_equal_the_windows(world, outfall):
    for day in range(3):
        send_day(world, FIRST + datetime.timedelta(days=day),
                 {h: (300 if day != 1 else 100) for h in range(1, 25)})
    facilities = world.facility_hn.__class__.objects.filter(pk=world.facility_hn.pk)
    start = datetime.datetime.combine(FIRST, datetime.time(0), tzinfo=VN)
    for span, now in [((start, start + 3 * datetime.timedelta(days=1)),
                       start + datetime.timedelta(days=2, hours=23, minutes=30)),
                      ((start + 5 * HOUR, start + 49 * HOUR), start + 90 * HOUR),
                      ((start, start + 24 * HOUR), start + 12 * HOUR)]:
        tally = coverage.facilities_tally(facilities, *span, now)[world.facility_hn.pk]
        windows = Assessment.objects.filter(window_end__gt=span[0],
                                            window_end__lte=min(span[1], now))
        assert tally.with_data == windows.count()
        assert tally.valid == windows.exclude(state=State.UNKNOWN).count()
        assert tally.exceeded_hours == sum(windows.filter(state=State.EXCEEDS).values_list(
            "window_hours", flat=True))
