"""Connectivity: online, late, offline from the last accepted file; each change is a row."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from envhub.monitoring import connectivity
from envhub.monitoring.models import Connectivity, ConnectivityChange, StationStatus

MINUTE = datetime.timedelta(minutes=1)
NOW = datetime.datetime(2026, 11, 26, 1, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("age_minutes, state", [
    (0, Connectivity.ONLINE),
    (15, Connectivity.ONLINE),     # 3 intervals of 5 minutes: still online
    (16, Connectivity.LATE),
    (60, Connectivity.LATE),       # 12 intervals
    (61, Connectivity.OFFLINE),
    (60 * 24 * 30, Connectivity.OFFLINE),
])
def test_it_classifies_by_the_age_of_the_last_file(age_minutes, state):
    assert connectivity.classify(NOW - age_minutes * MINUTE, 5, NOW, 3, 12) == state


def test_a_station_that_never_sent_has_no_state_yet():
    assert connectivity.classify(None, 5, NOW, 3, 12) == Connectivity.NEVER


def test_the_thresholds_scale_with_the_interval():
    assert connectivity.classify(NOW - 40 * MINUTE, 15, NOW, 3, 12) == Connectivity.ONLINE


@pytest.mark.django_db
def test_it_records_each_change_once(world, settings):
    settings.ENVHUB_LATE_AFTER, settings.ENVHUB_OFFLINE_AFTER = 3, 12
    now = timezone.now()
    StationStatus.objects.create(station=world.air_hn, last_received_at=now, state="never")
    assert connectivity.evaluate(now)[0].current == Connectivity.ONLINE
    assert connectivity.evaluate(now) == []  # no change, no row
    later = now + datetime.timedelta(minutes=20)
    [change] = connectivity.evaluate(later)
    assert (change.previous, change.current) == (Connectivity.ONLINE, Connectivity.LATE)
    [change] = connectivity.evaluate(now + datetime.timedelta(hours=2))
    assert change.current == Connectivity.OFFLINE
    assert ConnectivityChange.objects.filter(station=world.air_hn).count() == 3
    status = StationStatus.objects.get(station=world.air_hn)
    assert status.state == Connectivity.OFFLINE


@pytest.mark.django_db
def test_stations_that_never_sent_get_a_status_row(world):
    connectivity.evaluate()
    states = set(StationStatus.objects.values_list("state", flat=True))
    assert states == {Connectivity.NEVER}
    assert StationStatus.objects.count() == 6


@pytest.mark.django_db
def test_inactive_stations_are_left_alone(world):
    world.air_dn.active = False
    world.air_dn.save()
    connectivity.evaluate()
    assert not StationStatus.objects.filter(station=world.air_dn).exists()


@pytest.mark.django_db
def test_a_backfill_from_a_folder_does_not_make_a_station_look_alive(world):
    from envhub.core.permissions import system_actor
    from envhub.monitoring import ingest
    from tests.monitoring.files import local, tt10_file

    file = tt10_file(world.air_hn, local(2026, 11, 20, 8, 0), [("PM10", 40, "ug/m3")])
    ingest.ingest(system_actor("tests"), "folder", [file])
    status = StationStatus.objects.get(station=world.air_hn)
    assert status.last_received_at is None  # no sign of life
    assert status.last_data_at is not None  # but the newest value is known
    ingest.ingest(system_actor("tests"), "ftp", [
        tt10_file(world.air_hn, local(2026, 11, 20, 8, 5), [("PM10", 41, "ug/m3")])])
    assert StationStatus.objects.get(station=world.air_hn).last_received_at is not None
