"""A wastewater outfall judged on daily (24-hour) averages; connectivity changes announced to the
right people; a steward's edit of a table re-judges the hours it affects."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.compliance import alerts, assess, services
from envhub.compliance.models import (
    Assessment,
    ComplianceQueue,
    Delivery,
    DeliveryChannel,
    EventStatus,
    ExceedanceEvent,
    LimitValue,
    Notification,
    NotificationKind,
    Permit,
    Regulation,
    State,
)
from envhub.core import permissions
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import connectivity, ingest, rollups
from envhub.monitoring.models import StationStatus
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def hourly_outfall(world):
    """The outfall's station reports once an hour; QCVN 40:2011 column B, 24-hour windows,
    COD 150 × Kq 1.0 × Kf 1.0 = 150 mg/L."""
    station = world.station_outfall_hn
    station.expected_interval_minutes = 60
    station.save()
    return Permit.objects.create(
        source=world.outfall_hn, number="40/GPMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 40:2011/BTNMT"), column="B",
        river_flow_m3s=120, discharge_m3d=800)


def send_day(world, day, cod_by_hour):
    files = []
    for hour, cod in cod_by_hour.items():
        at = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(hours=hour)
        files.append(tt10_file(world.station_outfall_hn, at, [("COD", cod, "mg/L")]))
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()


def test_an_outfall_is_judged_on_the_local_day(world, hourly_outfall):
    today = timezone.now().astimezone(VN).date()
    first, second = today - datetime.timedelta(days=3), today - datetime.timedelta(days=2)
    # Day one: 24 hours, mean (12 × 100 + 12 × 220) / 24 = 160 > 150, though half the hours
    # are under the limit. Day two: only 17 hours (71 %): not enough data to judge.
    send_day(world, first, {h: (100 if h <= 12 else 220) for h in range(1, 25)})
    send_day(world, second, {h: 400 for h in range(1, 18)})
    rows = list(Assessment.objects.filter(source=world.outfall_hn, parameter__code="COD")
                .order_by("window_end"))
    assert [(row.window_hours, row.state) for row in rows] == [(24, State.EXCEEDS),
                                                                (24, State.UNKNOWN)]
    assert rows[0].value == pytest.approx(160)
    assert rows[0].multiple == pytest.approx(160 / 150)
    assert rows[0].window_end == datetime.datetime.combine(
        second, datetime.time(0), tzinfo=VN)  # the day runs to 24:00
    event = ExceedanceEvent.objects.get(source=world.outfall_hn)
    assert (event.hours, event.status, event.band) == (24, EventStatus.OPEN, "1")


def test_connectivity_changes_reach_the_station_s_people(world):
    station = world.station_stack_hn
    StationStatus.objects.create(station=station, state="online",
                                 last_received_at=timezone.now() - datetime.timedelta(hours=5),
                                 state_since=timezone.now() - datetime.timedelta(days=1))
    changes = connectivity.evaluate()
    assert [c.station_id for c in changes] == [station.pk]
    assert alerts.collect_connectivity() == 1
    assert alerts.collect_connectivity() == 0  # once
    alerts.plan()
    notification = Notification.objects.get(kind=NotificationKind.CONNECTIVITY)
    assert station.code in notification.subject
    inboxes = set(Delivery.objects.filter(notification=notification,
                                          channel=DeliveryChannel.IN_APP)
                  .values_list("user__username", flat=True))
    assert inboxes == {"steward", "officer", "operator"}  # not the survey unit, not the leader


def test_a_station_s_first_data_is_recorded_but_not_announced(world):
    station = world.station_stack_hn
    StationStatus.objects.create(station=station, state="never",
                                 last_received_at=timezone.now(), state_since=timezone.now())
    changes = connectivity.evaluate()
    assert [(c.previous, c.current) for c in changes if c.station_id == station.pk] == [
        ("never", "online")]
    assert alerts.collect_connectivity() == 0
    assert not Notification.objects.filter(kind=NotificationKind.CONNECTIVITY).exists()
    # Going silent afterwards is announced.
    StationStatus.objects.filter(station=station).update(
        last_received_at=timezone.now() - datetime.timedelta(hours=5))
    connectivity.evaluate()
    assert alerts.collect_connectivity() == 1


@pytest.mark.parametrize("announce_late", [False, True])
def test_online_and_late_come_and_go_quietly_unless_asked(world, settings, announce_late):
    settings.ENVHUB_ANNOUNCE_LATE = announce_late
    station = world.station_stack_hn  # a file every 5 minutes: late after 15, offline after 60
    StationStatus.objects.create(station=station, state="online", last_received_at=timezone.now(),
                                 state_since=timezone.now())
    made = []
    for minutes_ago in (20, 0, 20, 90, 0):  # late, back, late, offline, back
        StationStatus.objects.filter(station=station).update(
            last_received_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
        connectivity.evaluate()
        made.append(alerts.collect_connectivity())
    assert made == ([1, 1, 1, 1, 1] if announce_late else [0, 0, 0, 1, 1])
    announced = Notification.objects.filter(kind=NotificationKind.CONNECTIVITY)
    assert announced.count() == sum(made)
    assert alerts.collect_connectivity() == 0  # the quiet ones are not picked up again


def test_a_stewards_edit_of_a_table_is_audited_and_rejudged(world, hourly_outfall):
    from envhub.accounts.models import AuditEvent

    today = timezone.now().astimezone(VN).date()
    send_day(world, today - datetime.timedelta(days=3), {h: 140 for h in range(1, 25)})
    row = Assessment.objects.get(source=world.outfall_hn, parameter__code="COD")
    assert row.state == State.COMPLIES
    cod = LimitValue.objects.get(regulation=hourly_outfall.regulation, column="B",
                                 parameter__code="COD")
    cod.value = 120  # a steward reads the official text and corrects the figure
    steward = world.actor("steward")
    assert permissions.can(steward, permissions.CHANGE, cod)
    assert not permissions.can(world.actor("officer"), permissions.CHANGE, cod)
    services.save(steward, cod)
    assert AuditEvent.objects.filter(object_type="compliance.limitvalue", action="update",
                                     object_id=str(cod.pk)).exists()
    assert ComplianceQueue.objects.filter(source=world.outfall_hn).exists()
    assess.process_queue()
    row = Assessment.objects.get(source=world.outfall_hn, parameter__code="COD")
    assert (row.state, row.limit) == (State.EXCEEDS, 120)


def test_an_officer_keeps_the_permits_of_their_province_only(world):
    officer = world.actor("officer")
    regulation = Regulation.objects.get(code="QCVN 19:2009/BTNMT")
    own = Permit(source=world.stack_hn2, number="1/GPMT-UBND",
                 valid_from=datetime.date(2024, 1, 1), regulation=regulation, column="B")
    other = Permit(source=world.stack_dn, number="2/GPMT-UBND",
                   valid_from=datetime.date(2024, 1, 1), regulation=regulation, column="B")
    assert permissions.can(officer, permissions.ADD, own)
    assert not permissions.can(officer, permissions.ADD, other)
    assert not permissions.can(world.actor("operator"), permissions.ADD, own)
    services.save(officer, own)
    world.stack_hn2.refresh_from_db()
    assert world.stack_hn2.regulation == regulation  # the registry follows today's permit


def test_deleting_a_permit_withdraws_its_verdicts_and_events(world, hourly_outfall):
    today = timezone.now().astimezone(VN).date()
    send_day(world, today - datetime.timedelta(days=3), {h: 300 for h in range(1, 25)})
    event = ExceedanceEvent.objects.get(source=world.outfall_hn)
    services.delete(world.actor("steward"), hourly_outfall)
    assess.process_queue()
    assert not Assessment.objects.filter(source=world.outfall_hn).exists()
    event.refresh_from_db()
    assert event.status == EventStatus.WITHDRAWN
    assert world.client("steward").get("/api/v1/exceedances").json()["results"] == []
