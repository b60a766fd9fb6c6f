"""A facility's three years by quarter: 12 quarters oldest first × its parameters, each cell
its hours over the limit, events and completeness as independent queries count them; an empty
quarter says "no data", never 0 hours or 0 %; cells link to their events; the JSON twin is
scoped like the page."""

from __future__ import annotations

import pytest

from envhub.compliance import facility_grid
from envhub.compliance.models import ExceedanceEvent
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("moment", "first", "last"), [
    ("2026-05-15T05:00:00+00:00", "2023-Q3", "2026-Q2"),
    # 31 March 23:30 UTC is 1 April in Viet Nam: its quarter is the second.
    ("2026-03-31T23:30:00+00:00", "2023-Q3", "2026-Q2"),
    ("2026-01-01T00:00:00+07:00", "2023-Q2", "2026-Q1"),
])
def test_it_counts_twelve_local_quarters_oldest_first(moment, first, last):
    import datetime

    quarters = facility_grid.last_quarters(now=datetime.datetime.fromisoformat(moment))
    assert len(quarters) == 12
    assert quarters[0].key == first and quarters[-1].key == last


def test_its_cells_equal_independent_counts(world, data):
    body = world.client("officer").get(
        f"/api/v1/facilities/{world.facility_hn.pk}/compliance-grid").json()
    assert body["quarters"][0] == "2023-Q3" and body["quarters"][-1] == "2026-Q2"
    rows = {row["parameter"]: {cell["quarter"]: cell for cell in row["cells"]}
            for row in body["parameters"]}
    assert set(rows) == {"SO2", "NOx"}
    now_so2 = rows["SO2"]["2026-Q2"]
    assert now_so2["hours"] == 5
    assert now_so2["events"] == ExceedanceEvent.objects.filter(
        source__facility=world.facility_hn, parameter__code="SO2").count() == 1
    assert now_so2["completeness"] == round(100 * 40 / (44 * 24 + 12), 1)
    assert now_so2["status"] == "insufficient"
    # The quarter before: a permit, no data — "no data", not 0 hours or 0 %.
    empty = rows["SO2"]["2026-Q1"]
    assert empty["hours"] is None and empty["completeness"] is None
    assert empty["status"] == "no_data" and empty["events"] == 0
    # NOx is not measured: its event is counted, its hours are not claimed.
    assert rows["NOx"]["2026-Q2"]["events"] == 1 and rows["NOx"]["2026-Q2"]["hours"] is None


def test_the_page_says_no_data_in_words_with_a_legend(world, data):
    body = world.client("operator").get(
        f"/facilities/{world.facility_hn.pk}/compliance/").content.decode()
    assert 'class="grid-legend"' in body
    assert "Q3/2023" in body and "Q2/2026" in body
    assert body.index("Q3/2023") < body.index("Q2/2026")
    assert "không có dữ liệu" in body
    assert "tone-exceeded" in body and "tone-nodata" in body


def test_a_cell_links_to_its_events(world, data):
    body = world.client("steward").get(
        f"/api/v1/facilities/{world.facility_hn.pk}/compliance-grid").json()
    cell = next(cell for row in body["parameters"] if row["parameter"] == "SO2"
                for cell in row["cells"] if cell["quarter"] == "2026-Q2")
    assert "from=2026-04-01" in cell["events_url"] and "to=2026-06-30" in cell["events_url"]
    page = world.client("steward").get(cell["events_url"])
    assert [event.pk for event in page.context["page"].results] == [
        data["events"]["hn_so2"].pk]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_grid_is_scoped_like_the_page(world, data, persona):
    client = world.client(persona)
    for facility, sees in ((world.facility_hn, {"admin", "steward", "leader", "officer",
                                                "operator"}),
                           (world.facility_dn, {"admin", "steward", "leader"})):
        api = client.get(f"/api/v1/facilities/{facility.pk}/compliance-grid")
        page = client.get(f"/facilities/{facility.pk}/compliance/")
        if persona == "anonymous":
            assert api.status_code == 401 and page.status_code == 302
        elif persona in sees:
            assert api.status_code == 200 and page.status_code == 200
        else:
            assert api.status_code == 404 and page.status_code == 404
