"""Empty states that guide, on the compliance pages: a period without data says so once per
source, why and what to do (not once per parameter), and the notifications page says what
would bring notifications — or, to those who receive none, who does."""

from __future__ import annotations

import datetime

import pytest

from tests.compliance.test_judged_coverage import ingest_and_judge
from tests.compliance.test_period_coverage import stack_permit, today
from tests.monitoring.files import tt10_file

pytestmark = pytest.mark.django_db

NO_DATA = "Không có giá trị trung bình giờ nào của nguồn thải này để đánh giá"


def _page(world, first, last) -> str:
    return world.client("steward").get(
        f"/facilities/{world.facility_hn.pk}/compliance/?from={first}&to={last}").content.decode()


def _section(page: str, source) -> str:
    return page.split(f'aria-labelledby="source-{source.pk}"', 1)[1].split("</section>", 1)[0]


def test_a_period_without_data_is_told_once_per_source(world):
    first = today() - datetime.timedelta(days=20)
    last = first + datetime.timedelta(days=6)
    stack_permit(world, first - datetime.timedelta(days=30))
    section = _section(_page(world, first, last), world.stack_hn)
    assert section.count(NO_DATA) == 1
    assert 'class="chart compliance-chart"' not in section  # no chart left to say "empty"
    assert f'href="/stations/{world.station_stack_hn.code}/"' in section
    assert "chọn khoảng thời gian có dữ liệu" in section


def test_a_period_with_some_parameters_charts_them_and_names_the_others(world):
    first = today() - datetime.timedelta(days=3)
    stack_permit(world, first - datetime.timedelta(days=30))
    station = world.station_stack_hn
    start = datetime.datetime.combine(first, datetime.time(1))
    ingest_and_judge([tt10_file(station, start + datetime.timedelta(hours=h),
                                [("SO2", 100.0, "mg/Nm3")]) for h in range(3)])
    section = _section(_page(world, first, first + datetime.timedelta(days=1)), world.stack_hn)
    assert section.count('class="chart compliance-chart"') == 1
    assert 'data-parameter="SO2"' in section
    assert NO_DATA not in section


@pytest.mark.parametrize("persona", ["operator", "officer", "steward", "leader"])
def test_the_notifications_page_says_what_brings_notifications(world, persona):
    page = world.client(persona).get("/notifications/").content.decode()
    assert "Bạn sẽ nhận thông báo tại đây khi" in page
    assert 'href="/compliance/"' in page.split("<main", 1)[1]


@pytest.mark.parametrize("persona", ["survey", "admin"])
def test_the_notifications_page_tells_others_who_receives_them(world, persona):
    page = world.client(persona).get("/notifications/").content.decode()
    assert "Tài khoản của bạn không nhận thông báo" in page
    assert "Bạn sẽ nhận thông báo tại đây khi" not in page


def test_the_overview_without_permits_says_how_facilities_come_to_be_judged(world):
    page = world.client("steward").get("/compliance/").content.decode()
    assert "Một cơ sở chỉ được đánh giá khi một ống khói hoặc cửa xả" in page
    assert 'href="/facilities/"' in page.split("<main", 1)[1]
