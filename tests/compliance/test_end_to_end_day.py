"""A day of a coal-fired boiler stack, end to end: TT10 files with SO2, O2, stack temperature and
pressure go through the ingestion service; the rollups, the judging, the events and the
notifications equal a hand calculation; late data that pull an hour under the limit split the
event."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.compliance import alerts, assess
from envhub.compliance.models import (
    Assessment,
    Delivery,
    DeliveryChannel,
    EventStatus,
    ExceedanceEvent,
    Notification,
    NotificationKind,
    Permit,
    Regulation,
    State,
)
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

FIVE = datetime.timedelta(minutes=5)

# QCVN 22:2009 column B, coal: SO2 C = 500, Kp 0.85 (600 MW), Kv 1.0 (class 3) → 425 mg/Nm3,
# at 6 % O2. The analysers report at stack conditions: 150 °C and 100 kPa. Each hour's mean is
# normalised (× 423.15 / 298.15 × 101.325 / 100) and corrected from 9 % O2 to 6 %
# (× (21 − 6) / (21 − 9) = 1.25).
LIMIT = 425.0
FACTOR = 423.15 / 298.15 * 101.325 / 100 * 15 / 12


@pytest.fixture
def day():
    """Yesterday in Viet Nam: recent enough to be announced."""
    return (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()


@pytest.fixture
def permit(world):
    for user, email in (("steward", "steward@example.vn"), ("officer", "officer@example.vn"),
                        ("operator", "operator@example.vn"), ("survey", "survey@example.vn")):
        world.users[user].email = email
        world.users[user].save()
    return Permit.objects.create(
        source=world.stack_hn, number="35/GPMT-BTNMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 22:2009/BTNMT"), column="B",
        category="than", capacity=600, location_class="3", actual_conditions=True)


def send_hour(world, day, hour, so2_values, *, first_slot=1):
    """Files every five minutes of the hour ending at `hour`:00 local, one per value."""
    files = []
    end = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(hours=hour)
    for index, value in enumerate(so2_values):
        at = end - datetime.timedelta(hours=1) + (first_slot + index) * FIVE
        status = 0
        if isinstance(value, tuple):
            value, status = value
        files.append(tt10_file(world.station_stack_hn, at, [
            ("SO2", value, "mg/Nm3", status), ("O2", 9, "%"), ("Temp", 150, "oC"),
            ("P", 100, "kPa")]))
    reports = ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    assert all(report.rejected == 0 for report in reports), reports[0]


def process():
    rollups.process_queue()
    assess.process_queue()


def at(day, hour):
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=VN) + \
        datetime.timedelta(hours=hour)


def test_a_day_judged_corrected_and_split_by_late_data(world, permit, day):
    send_hour(world, day, 1, [200] * 12)                       # 359.5: complies
    send_hour(world, day, 2, [250] * 12)                       # 449.4: 1.057 × the limit
    send_hour(world, day, 3, [300] * 9)                        # 9 of 12: 75 %, counts; 539.3
    send_hour(world, day, 4, [280] * 10 + [(9999, 1)] * 2)     # calibration never counts
    send_hour(world, day, 5, [200] * 12)                       # complies: the event closes
    send_hour(world, day, 6, [290] * 10)                       # 83 %: a new event opens
    send_hour(world, day, 7, [400] * 8)                        # 67 %: not enough data
    process()

    rows = {row.window_end: row for row in Assessment.objects.filter(
        source=world.stack_hn, parameter__code="SO2")}
    assert rows[at(day, 1)].value == pytest.approx(200 * FACTOR)
    assert rows[at(day, 1)].limit == LIMIT
    assert rows[at(day, 1)].state == State.COMPLIES
    assert rows[at(day, 2)].multiple == pytest.approx(250 * FACTOR / LIMIT)
    assert rows[at(day, 3)].band == "2"  # 1.269: 1.1 to under 1.5
    assert rows[at(day, 4)].measured == pytest.approx(280)  # the calibration values left out
    assert rows[at(day, 4)].value == pytest.approx(280 * FACTOR)
    assert rows[at(day, 7)].state == State.UNKNOWN
    assert rows[at(day, 7)].coverage == 0

    first, second = ExceedanceEvent.objects.filter(source=world.stack_hn).order_by("start")
    assert (first.start, first.end, first.hours) == (at(day, 1), at(day, 4), 3)
    assert first.status == EventStatus.CLOSED
    assert first.peak_value == pytest.approx(300 * FACTOR)
    assert first.peak_at == at(day, 3)
    assert first.peak_multiple == pytest.approx(300 * FACTOR / LIMIT)
    assert (first.band, first.limit, first.unit) == ("2", LIMIT, "mg/Nm3")
    assert (second.start, second.end, second.status) == (at(day, 5), at(day, 6), EventStatus.OPEN)

    kinds = sorted((n.event_id, n.kind) for n in Notification.objects.all())
    assert kinds == sorted([(first.pk, NotificationKind.EXCEEDANCE_OPENED),
                            (first.pk, NotificationKind.EXCEEDANCE_CLOSED),
                            (second.pk, NotificationKind.EXCEEDANCE_OPENED)])

    # Late files fill the three empty slots of 03:00 with low values: the hour's mean drops to
    # (9 × 300 + 3 × 40) / 12 = 235, corrected 422.4 — under the limit. The event splits.
    send_hour(world, day, 3, [40] * 3, first_slot=10)
    process()
    assert Assessment.objects.get(source=world.stack_hn, parameter__code="SO2",
                                  window_end=at(day, 3)).value == pytest.approx(235 * FACTOR)
    events = list(ExceedanceEvent.objects.filter(source=world.stack_hn).exclude(
        status=EventStatus.WITHDRAWN).order_by("start"))
    assert [(e.start, e.end, e.hours, e.status) for e in events] == [
        (at(day, 1), at(day, 2), 1, EventStatus.CLOSED),
        (at(day, 3), at(day, 4), 1, EventStatus.CLOSED),
        (at(day, 5), at(day, 6), 1, EventStatus.OPEN),
    ]
    assert events[0].pk == first.pk  # the event keeps its identity
    assert events[0].peak_value == pytest.approx(250 * FACTOR)
    split = events[1]
    assert Notification.objects.filter(event=split).count() == 2  # began and ended

    # The worker's alert round: everyone concerned hears once per channel.
    alerts.plan()
    alerts.deliver()
    inboxes = set(Delivery.objects.filter(channel=DeliveryChannel.IN_APP).values_list(
        "user__username", flat=True))
    assert inboxes == {"steward", "officer", "operator"}
    from django.core import mail
    assert len(mail.outbox) == 3 * Notification.objects.count()
    assert {m.to[0] for m in mail.outbox} == {"steward@example.vn", "officer@example.vn",
                                              "operator@example.vn"}


def test_no_permit_no_judgement(world, day):
    send_hour(world, day, 2, [900] * 12)
    process()
    assert not Assessment.objects.exists()
    assert not ExceedanceEvent.objects.exists()


def test_a_missing_o2_leaves_the_hour_unjudged_with_the_reason(world, permit, day):
    end = datetime.datetime.combine(day, datetime.time(2))
    files = [tt10_file(world.station_stack_hn, end - datetime.timedelta(hours=1) + i * FIVE,
                       [("SO2", 900, "mg/Nm3"), ("Temp", 150, "oC"), ("P", 100, "kPa")])
             for i in range(1, 13)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    process()
    row = Assessment.objects.get(source=world.stack_hn, parameter__code="SO2")
    assert row.state == State.UNKNOWN
    assert row.note  # says the O2 is missing
    assert not ExceedanceEvent.objects.exists()
