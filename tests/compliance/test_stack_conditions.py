"""A stack whose datalogger writes mg/m3 without declaring normal conditions: its values are kept
at the stack's conditions and judged only once normalised with that hour's stack temperature
and pressure (issue 14 §1.5), as a permit's "analysers report at stack conditions" has them
judged; without the temperature or pressure the hour is not judged, and says why."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from envhub.compliance import assess
from envhub.compliance.models import Assessment, Permit, Regulation, State
from envhub.core.permissions import system_actor
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from envhub.registry import services as registry
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

FIVE = datetime.timedelta(minutes=5)
# QCVN 22:2009 column B, coal: 425 mg/Nm3 at 6 % O2. At 150 °C and 100 kPa a value is
# normalised × 423.15 / 298.15 × 101.325 / 100; every hour is corrected from 9 % O2 to 6 %.
NORMALISED = 423.15 / 298.15 * 101.325 / 100
O2_CORRECTED = 15 / 12


@pytest.fixture
def day():
    return (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()


@pytest.fixture
def permit(world):
    """A permit that does not say the analysers report at stack conditions."""
    return Permit.objects.create(
        source=world.stack_hn, number="35/GPMT-BTNMT", valid_from=datetime.date(2024, 1, 1),
        regulation=Regulation.objects.get(code="QCVN 22:2009/BTNMT"), column="B",
        category="than", capacity=600, location_class="3")


def judged_hour(world, day, hour, unit, *, helpers=(("Temp", 150, "oC"), ("P", 100, "kPa"))):
    """Twelve files of the hour ending at `hour`:00 with SO2 = 200 in `unit`; the judgement."""
    end = datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(hours=hour)
    files = [tt10_file(world.station_stack_hn, end - datetime.timedelta(hours=1) + n * FIVE,
                       [("SO2", 200, unit), ("O2", 9, "%"), *helpers]) for n in range(1, 13)]
    reports = ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    assert all(report.rejected == 0 for report in reports), reports[0]
    rollups.process_queue()
    assess.process_queue()
    return Assessment.objects.get(source=world.stack_hn, parameter__code="SO2",
                                  window_end=datetime.datetime.combine(
                                      day, datetime.time(0), tzinfo=VN) + datetime.timedelta(
                                      hours=hour))


@pytest.mark.parametrize("unit, normal_conditions, expected", [
    ("mg/Nm3", False, 200 * O2_CORRECTED),  # at normal conditions as written
    ("mg/m3", False, 200 * NORMALISED * O2_CORRECTED),  # at the stack's: normalised first
    ("mg/m3", True, 200 * O2_CORRECTED),  # the station declares normal conditions
    ("µg/m3", False, 0.2 * NORMALISED * O2_CORRECTED),
])
def test_an_hour_is_judged_at_the_conditions_its_values_were_sent_at(
        world, permit, day, unit, normal_conditions, expected):
    station = world.station_stack_hn
    station.logger_normal_conditions = normal_conditions
    registry.save(system_actor("tests"), station)
    row = judged_hour(world, day, 3, unit)
    assert row.state != State.UNKNOWN
    assert row.value == pytest.approx(expected)


@pytest.mark.parametrize("helpers", [
    (("Temp", 150, "oC"),),  # no pressure
    (("P", 100, "kPa"),),  # no temperature
    (),
])
def test_an_hour_at_stack_conditions_without_its_temperature_or_pressure_is_not_judged(
        world, permit, day, helpers):
    row = judged_hour(world, day, 3, "mg/m3", helpers=helpers)
    assert (row.state, row.value) == (State.UNKNOWN, None)
    assert gettext("no valid stack temperature or pressure for the hour") in row.note
    # The same values at normal conditions need neither.
    other = judged_hour(world, day, 4, "mg/Nm3", helpers=helpers)
    assert other.value == pytest.approx(200 * O2_CORRECTED)
