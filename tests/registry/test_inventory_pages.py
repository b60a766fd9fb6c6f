"""The annual inventory on the facility page (only where there is some, only to those who see
the facility), and the diff include the review page renders."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from envhub.core.permissions import system_actor
from envhub.registry.inventory import apply_inventory, plan_inventory
from tests.registry.inventory_rows import lines, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(world):
    apply_inventory(system_actor("tests"), lines(
        row(world, year=2025, fuel_use=118500.5, production=590.0),
        row(world, year=2026, fuel_use=120000.0),
        row(world, tax_code=world.facility_dn.tax_code, facility_name=world.facility_dn.name,
            province_code="75", ward_code=world.facility_dn.ward.code, latitude=10.95,
            longitude=106.82, sector="cement", fuel="Than antraxit", treatment="Lọc bụi túi vải"),
    ), survey_version=12, expected=None)
    return world


@pytest.mark.parametrize("persona", ["steward", "operator", "officer", "leader"])
def test_it_shows_each_stacks_figures_by_year_with_their_survey_version(loaded, persona):
    page = loaded.client(persona).get(f"/facilities/{loaded.facility_hn.id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Số liệu điều tra hằng năm của các ống khói" in html
    table = html[html.index('id="inventory-table"'):]
    table = table[:table.index("</table>")]
    assert table.index("2026") < table.index("2025")  # the latest year first
    assert "118.500,5" in table and "120.000" in table and "Lọc bụi tĩnh điện" in table
    assert "600 GWh" in table and "#12" in table
    assert "Than antraxit" not in html  # another facility's figures


def test_another_operator_gets_404_for_a_facility_with_figures(loaded):
    assert loaded.client("operator").get(f"/facilities/{loaded.facility_dn.id}/").status_code \
        == 404
    assert loaded.client("steward").get(
        f"/facilities/{loaded.facility_dn.id}/").status_code == 200


def test_a_facility_without_figures_shows_no_empty_inventory(world):
    html = world.client("steward").get(f"/facilities/{world.facility_hn.id}/").content.decode()
    assert "inventory-table" not in html and "Số liệu điều tra hằng năm" not in html


def test_the_diff_include_shows_counts_and_before_and_after_in_vietnamese(world):
    diff = plan_inventory(lines(
        row(world, stack_height=85.5, flow=1234567.0),
        row(world, tax_code="0100233488", facility_name="Nhà máy Giấy Bãi Bằng",
            sector="pulp_paper", stack_code="K1", latitude=21.2, longitude=105.3),
    ))
    with translation.override("vi"):
        html = render_to_string("registry/_inventory_diff.html", {"diff": diff.as_dict()})
    assert "Những gì sẽ thay đổi trong danh mục khi nạp dữ liệu" in html
    assert "So sánh với 2 dòng của cuộc điều tra." in html
    assert "Cơ sở mới" in html and "Ống khói thay đổi" in html
    assert "Chiều cao ống khói (m)" in html
    assert "<td class=\"num\">80</td>" in html and "<strong>85,5</strong>" in html
    assert "1.234.567" in html  # the new annual record's flow, in Vietnamese figures
    assert "21,2" in html and "NMGBB" in html and "Doanh nghiệp mới: Nhà máy Giấy Bãi Bằng" in html
    assert html.count('class="table-scroll"') >= 3


def test_the_admin_lists_the_figures_read_only(loaded):
    client = loaded.client("steward")
    listing = client.get("/admin/registry/annualinventory/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Nguồn thải" in html and "Phiên bản điều tra" in html
    assert html.count("Ống khói lò hơi số 1") == 2  # 2025 and 2026
    assert client.get("/admin/registry/annualinventory/add/").status_code == 403
