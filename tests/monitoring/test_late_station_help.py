"""A late station's page tells those who look after it what to check — the datalogger's clock,
the FTP account, the last rejected file — with links; a leader, who does not look after it,
sees the state only, and an online station shows no checklist."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from envhub.core import audit
from envhub.core.permissions import Actor, system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest
from envhub.monitoring.models import Batch, StationStatus
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db


def _late(station, state="late"):
    now = timezone.now()
    StationStatus.objects.update_or_create(station=station, defaults={
        "state": state, "state_since": now - datetime.timedelta(hours=1),
        "last_data_at": now - datetime.timedelta(hours=3),
        "last_received_at": now - datetime.timedelta(minutes=10)})


def _help(page: str) -> str:
    found = re.search(r'<section class="late-help.*?</section>', page, re.S)
    return found.group(0) if found else ""


def _page(world, persona, station) -> str:
    return world.client(persona).get(f"/stations/{station.code}/").content.decode()


def test_it_tells_the_operator_what_to_check_with_links(world):
    station = world.station_stack_hn
    now = timezone.now().astimezone(VN).replace(tzinfo=None, minute=0, second=0, microsecond=0)
    future = now + datetime.timedelta(days=2)
    ingest.ingest(system_actor("tests"), "ftp", [tt10_file(
        station, now - datetime.timedelta(hours=3),
        [("SO2", 50.0, "mg/Nm3"), ("CO", 20.0, "mg/Nm3", 0, future)])], live=True)
    batch = Batch.objects.get(station=station)
    assert batch.rejected >= 1
    audit.record(Actor(kind="anonymous", label="anonymous (ftp, tried 'x')"), "login_failed",
                 object_type="registry.facility", object_repr=world.facility_hn.tax_code)
    _late(station)

    checklist = _help(_page(world, "operator", station))
    assert checklist, "no checklist on a late station's page"
    assert "đồng hồ" in checklist.lower()  # the datalogger's clock
    assert 'href="#tt10-heading"' in checklist
    assert "FTP" in checklist and 'href="/account/tokens/"' in checklist
    assert "1 lần đăng nhập không thành công" in checklist
    assert f'href="#batch-{batch.id}"' in checklist and batch.file_name in checklist
    assert f'id="batch-{batch.id}"' in _page(world, "operator", station)


def test_it_says_so_when_no_file_was_refused(world):
    station = world.station_stack_hn
    _late(station, state="offline")
    checklist = _help(_page(world, "operator", station))
    assert 'href="#batches-heading"' in checklist
    assert "Không có lần đăng nhập không thành công" in checklist


def test_only_those_who_look_after_a_late_station_get_the_checklist(world):
    station = world.station_stack_hn
    _late(station, state="online")
    assert _help(_page(world, "operator", station)) == ""  # nothing to check
    _late(station)
    assert _help(_page(world, "operator", station))
    page = _page(world, "leader", station)
    assert 'id="connectivity-state"' in page  # the state is still shown
    assert _help(page) == ""
    assert "/account/tokens/" not in page.split("<main", 1)[1]
