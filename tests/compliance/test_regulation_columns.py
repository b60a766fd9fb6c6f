"""A regulation column is applied only while it is in force. QCVN 19:2009 column A held until
31/12/2014; from 01/01/2015 every facility is judged on column B
(docs/domain/emission-standards.md §1, tagged R: the dates are data, `regulations.json`). A
permit that still names column A is judged on column B for later dates, and the API, the
facility page and the judged averages say so; limit rows have validity periods too; the
reference loader brings the periods to an existing installation and re-judges its hours."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from envhub.compliance import assess, limits
from envhub.compliance.models import (
    Assessment,
    LimitValue,
    Permit,
    Regulation,
    RegulationColumn,
    State,
)
from envhub.core.models import ReferenceVersion
from envhub.core.permissions import system_actor
from envhub.core.reference import VERSION_NAME, load_all
from envhub.core.timeutil import VN
from envhub.monitoring import ingest, rollups
from envhub.registry.models import Parameter
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

D = datetime.date
FIVE = datetime.timedelta(minutes=5)


@pytest.fixture
def column_a(world):
    """A stack permit naming QCVN 19:2009 column A; facility flow 120,000 m³/h (Kp 0.8),
    industrial zone (Kv 1.0)."""
    return Permit.objects.create(
        source=world.stack_hn, number="12/ĐTM-2006", valid_from=D(2006, 6, 1),
        regulation=Regulation.objects.get(code="QCVN 19:2009/BTNMT"), column="A",
        facility_flow_m3h=120_000, location_class="3")


def send_so2_yesterday(world, hours: int) -> datetime.date:
    """TT10 files in: SO2 480 mg/Nm3 every five minutes in yesterday's first `hours` hours,
    rolled up and judged. Returns yesterday."""
    day = (timezone.now().astimezone(VN) - datetime.timedelta(days=1)).date()
    files = [tt10_file(world.station_stack_hn,
                       datetime.datetime.combine(day, datetime.time(0)) + slot * FIVE,
                       [("SO2", 480, "mg/Nm3")]) for slot in range(1, 12 * hours + 1)]
    ingest.ingest(system_actor("tests"), "ftp", files, live=True)
    rollups.process_queue()
    assess.process_queue()
    return day


def limits_on(world, day, persona="steward"):
    response = world.client(persona).get(
        f"/api/v1/sources/{world.stack_hn.pk}/limits?date={day.isoformat()}")
    assert response.status_code == 200, response.content
    body = response.json()
    return body, {row["parameter"]: row for row in body["limits"]}


@pytest.mark.parametrize(("day", "named", "in_force", "so2", "pm", "noticed"), [
    (D(2014, 12, 31), "A", "A", 1200, 320, False),   # 1,500 × 0.8 × 1; 400 × 0.8 × 1
    (D(2015, 1, 1), "A", "B", 400, 160, True),       # 500 × 0.8 × 1; 200 × 0.8 × 1
    (D(2026, 6, 1), "A", "B", 400, 160, True),       # the case
    (D(2014, 12, 31), "B", "B", 400, 160, False),
    (D(2026, 6, 1), "B", "B", 400, 160, False),
])
def test_the_column_in_force_on_the_day_gives_the_limits(world, column_a, day, named, in_force,
                                                         so2, pm, noticed):
    Permit.objects.filter(pk=column_a.pk).update(column=named)
    body, rows = limits_on(world, day)
    assert body["permit"]["column"] == named
    assert body["column_in_force"] == in_force
    assert (rows["SO2"]["value"], rows["PM"]["value"]) == (so2, pm)
    assert [(f["symbol"], f["value"]) for f in rows["SO2"]["factors"]] == [("Kp", 0.8),
                                                                           ("Kv", 1.0)]
    assert bool(body["notice"]) is noticed
    assert body["problem"] == ""
    if noticed:
        assert "cột A" in body["notice"] and "31/12/2014" in body["notice"]
        assert "cột B" in body["notice"]
        assert rows["SO2"]["derivation"] == (
            "QCVN 19:2009/BTNMT cột B (thay cho cột A ghi trong giấy phép), "
            "C = 500 × Kp 0,8 × Kv 1 = 400 mg/Nm3")
    else:
        assert rows["SO2"]["derivation"].startswith(f"QCVN 19:2009/BTNMT cột {named}, C = ")
    assert rows["SO2"]["verified"] is False  # the table and the dates are [R]


def test_past_the_transition_nothing_applies_whatever_the_column(world, column_a):
    body, rows = limits_on(world, D(2032, 1, 1))
    assert "31/12/2031" in body["problem"]
    assert all(row["value"] is None for row in rows.values())


def test_a_column_that_ends_with_nothing_after_it_gives_no_limit(world, column_a):
    RegulationColumn.objects.filter(regulation=column_a.regulation, column="A").update(
        then_column="")
    body, rows = limits_on(world, D(2026, 6, 1))
    assert body["column_in_force"] is None
    assert "31/12/2014" in body["problem"] and "cột A" in body["problem"]
    assert rows["SO2"]["value"] is None
    body, rows = limits_on(world, D(2014, 6, 1))
    assert (body["column_in_force"], rows["SO2"]["value"]) == ("A", 1200)


def test_stack_data_are_judged_on_the_column_in_force(world, column_a):
    # Yesterday's hours 01:00 and 02:00 at SO2 480: column A would allow 1,200 (complies);
    # column B, in force, allows 400: 1.2 × the limit.
    day = send_so2_yesterday(world, hours=2)
    response = world.client("operator").get(
        f"/api/v1/sources/{world.stack_hn.pk}/assessments?from={day}&to={day}")
    judged = [row for row in response.json()["results"] if row["parameter"] == "SO2"]
    assert [(row["limit"], row["state"], row["band"]) for row in judged] == [
        (400, "exceeds", "2"), (400, "exceeds", "2")]
    assert judged[0]["multiple"] == pytest.approx(1.2)


def test_the_facility_page_says_the_permit_names_a_column_no_longer_in_force(world, column_a):
    page = world.client("operator").get(f"/facilities/{world.facility_hn.pk}/compliance/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Giấy phép ghi cột A của QCVN 19:2009/BTNMT" in text
    assert "chỉ áp dụng đến 31/12/2014" in text
    assert "C = 500 × Kp 0,8 × Kv 1 = 400 mg/Nm3" in text
    before = world.client("operator").get(
        f"/facilities/{world.facility_hn.pk}/compliance/?from=2014-12-01&to=2014-12-31")
    assert "Giấy phép ghi cột A" not in before.content.decode()
    assert "C = 1.500 × Kp 0,8 × Kv 1 = 1.200 mg/Nm3" in before.content.decode()


def test_limit_rows_hold_for_their_own_period(world, column_a):
    # A steward records that a row changes value on a date (as QCVN 05:2023's PM2.5 24-h limit
    # does): the row in force on the day judged applies.
    regulation, so2 = column_a.regulation, Parameter.objects.get(medium="emission", code="SO2")
    LimitValue.objects.filter(regulation=regulation, parameter=so2, column="B").update(
        valid_until=D(2025, 12, 31))
    LimitValue.objects.create(regulation=regulation, parameter=so2, column="B", value=300,
                              unit="mg/Nm3", valid_from=D(2026, 1, 1), verification="R")
    by_day = {day: limits.limits_of(column_a, day).limits[so2.pk].limit.maximum
              for day in (D(2025, 12, 31), D(2026, 1, 1))}
    assert by_day == {D(2025, 12, 31): 400, D(2026, 1, 1): 240}


@pytest.mark.parametrize(("fields", "error_on"), [
    ({"column": "A", "then_column": "A", "valid_until": D(2014, 12, 31)}, "then_column"),
    ({"column": "C", "then_column": "B"}, "then_column"),  # no end, nothing can follow
    ({"column": "C", "valid_from": D(2020, 1, 1), "valid_until": D(2019, 1, 1)}, "valid_until"),
])
def test_a_column_s_period_must_make_sense(world, fields, error_on):
    row = RegulationColumn(regulation=Regulation.objects.get(code="QCVN 19:2024/BTNMT"),
                           verification="R", **fields)
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert error_on in error.value.message_dict


def test_the_shipped_data_dates_qcvn_19_2009_column_a(reference):
    columns = {row.column: row for row in RegulationColumn.objects.filter(
        regulation__code="QCVN 19:2009/BTNMT")}
    assert (columns["A"].valid_until, columns["A"].then_column) == (D(2014, 12, 31), "B")
    assert columns["B"].valid_until is None
    assert {row.verification for row in columns.values()} == {"R"}  # recalled, not verified


def test_an_upgrade_loads_the_periods_and_judges_the_hours_again(world, column_a):
    # An installation from before the periods: column A had none, so a 2026 hour was judged
    # on 1,200. Loading the reference data of this version adds the period (only what is
    # missing) and queues the permit's hours: they are judged on 400.
    RegulationColumn.objects.filter(regulation=column_a.regulation).delete()
    send_so2_yesterday(world, hours=1)
    judged = Assessment.objects.get(source=world.stack_hn, parameter__code="SO2")
    assert (judged.limit, judged.state) == (1200, State.COMPLIES)

    ReferenceVersion.objects.filter(name=VERSION_NAME).update(checksum="an older release")
    report = load_all(system_actor("tests"))
    assert report.created.get("regulation column") == 2
    assess.process_queue()
    judged = Assessment.objects.get(source=world.stack_hn, parameter__code="SO2")
    assert (judged.limit, judged.state) == (400, State.EXCEEDS)
    # Loaded again unchanged, nothing is queued.
    ReferenceVersion.objects.filter(name=VERSION_NAME).update(checksum="an older release")
    load_all(system_actor("tests"))
    assert assess.process_queue() == 0
