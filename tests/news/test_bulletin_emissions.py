"""The monthly industrial emissions bulletin holds only what stewards opened to the public: a
facility not opened contributes nothing — not its hours, not its events, not its name, not
its province's totals — on the text, the figures and the press kit's tables alike."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from envhub.compliance import disclosure
from envhub.news import bulletin_jobs, presskit
from envhub.news.bulletin_models import BulletinKind
from envhub.news.markdown import to_text
from tests.news.bulletin_seed import (
    MONTH,
    NOW,
    emissions_world,
    plain_hours_by_province,
    plain_valid_windows,
)

pytestmark = pytest.mark.django_db
LAST = MONTH.replace(day=30)


@pytest.fixture
def seeded(world):
    emissions_world(world)
    return world


def _draft(world):
    return bulletin_jobs.draft(world.actor("editor"), BulletinKind.EMISSIONS_MONTHLY, MONTH,
                               now=NOW).bulletin


def test_a_facility_not_opened_contributes_nothing(seeded):
    bulletin = _draft(seeded)
    figures = bulletin.figures
    opened = [seeded.facility_hn.pk, seeded.facility_dn.pk]
    everyone = [*opened, seeded.facility_hn2.pk]
    # The closed mill has the most hours of all: leaving it in would show.
    assert plain_hours_by_province(MONTH, LAST, everyone)["01"] == 12
    expected = plain_hours_by_province(MONTH, LAST, opened)
    hanoi = next(row for row in figures["by_province"] if row["province"] == "01")
    assert hanoi["hours"] == expected["01"] == 2
    assert hanoi["facilities"] == 1 and hanoi["with_events"] == 1 and hanoi["events"] == 1
    assert figures["total"]["facilities"] == 2 and figures["disclosed"] == 2
    assert figures["total"]["events"] == 1
    assert figures["total"]["valid"] == plain_valid_windows(MONTH, LAST, opened) == 5
    sectors = {row["sector"] for row in figures["by_sector"]}
    assert sectors == {"thermal_power", "cement"}  # no textiles: the mill is closed
    text = to_text(bulletin.post.body)
    assert seeded.facility_hn2.name not in bulletin.post.body
    assert "Dệt" not in text
    assert "chỉ gồm các cơ sở đã được cán bộ quản lý dữ liệu quyết định công khai" in text
    assert "các cơ sở chưa được công khai không được tính" in text


def test_a_facility_whose_hours_cannot_be_counted_shows_no_data_not_zero(seeded):
    figures = _draft(seeded).figures
    dongnai = next(row for row in figures["by_province"] if row["province"] == "75")
    # Two complying hours of a month's 720: too few to say "no hour over the limit".
    assert dongnai["hours"] is None and dongnai["uncounted"] == 1
    assert dongnai["expected"] == 720 and dongnai["valid"] == 2
    assert dongnai["completeness"] == round(100 * 2 / 720, 1)
    assert figures["total"]["hours"] == 2 and figures["total"]["uncounted"] == 1
    # Neither has enough data: the 2 hours seen are a floor, and the text says so.
    assert figures["total"]["incomplete"] == 2


def test_hours_seen_with_too_few_data_are_said_as_a_floor(seeded):
    text = to_text(_draft(seeded).post.body)
    assert "Giờ vượt giới hạn: ít nhất 2 (2 trong 2 cơ sở không đủ dữ liệu; 1 cơ sở không " \
           "đếm được giờ)" in text


def test_the_press_kit_tables_hold_only_the_opened_facilities(seeded):
    bulletin = _draft(seeded)
    workbook = load_workbook(io.BytesIO(presskit.xlsx_of(bulletin)))
    cells = [str(value) for sheet in workbook.worksheets
             for row in sheet.iter_rows(values_only=True) for value in row
             if value is not None]
    assert seeded.facility_hn2.name not in " ".join(cells)
    provinces = workbook["Theo tỉnh, thành phố"]
    rows = list(provinces.iter_rows(values_only=True))
    heading = rows.index(next(r for r in rows if r[0] == "Tỉnh, thành phố"))
    body = {row[0]: row for row in rows[heading + 1:]}
    assert body[seeded.hanoi.name][2] == 2
    assert body[seeded.dongnai.name][2] is None  # empty: no data, never 0
    assert "cong-khai-tuan-thu-hang-thang" in presskit.citation(bulletin)


def test_closing_a_facility_takes_it_out_of_the_next_draft(seeded):
    bulletin = _draft(seeded)
    assert bulletin.figures["total"]["facilities"] == 2
    disclosure.decide(seeded.actor("steward"), seeded.facility_hn.pk, False, "Đóng lại")
    redrafted = bulletin_jobs.draft(seeded.actor("editor"), BulletinKind.EMISSIONS_MONTHLY,
                                    MONTH, now=NOW)
    assert redrafted.updated
    figures = redrafted.bulletin.figures
    assert [row["province"] for row in figures["by_province"]] == ["75"]
    assert figures["total"]["events"] == 0


def test_with_nothing_opened_the_bulletin_says_so(world):
    emissions_world(world)
    for facility in (world.facility_hn, world.facility_dn):
        disclosure.decide(world.actor("steward"), facility.pk, False, "Chưa công khai")
    bulletin = _draft(world)
    assert bulletin.figures["total"]["facilities"] == 0
    assert bulletin.figures["by_province"] == []
    assert "bản tin không có số liệu phát thải" in to_text(bulletin.post.body)
