"""The trends and rankings pages, their JSON twins and the rankings' CSV and XLSX, for each
persona: a provincial officer sees only their province, operators and survey units are refused,
a visitor is asked to sign in; bad filters are a 400 in the one envelope."""

import csv
import io

import pytest
from openpyxl import load_workbook

PERSONAS = ["admin", "steward", "leader", "officer", "operator", "survey", "anonymous"]
NOVEMBER = "?period=month&at=2026-11-15"
PAGES = ["/dashboard/trends/", "/dashboard/rankings/", "/dashboard/rankings.csv",
         "/dashboard/rankings.xlsx"]
APIS = ["/api/v1/dashboard/trends", "/api/v1/dashboard/rankings"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_each_persona_gets_the_pages_or_a_refusal(world, tables_seeded, persona, page):
    response = world.client(persona).get(page + NOVEMBER)
    if persona == "anonymous":
        assert response.status_code == 302 and "/login" in response["Location"]
    elif persona in ("operator", "survey"):
        assert response.status_code == 403
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url", APIS)
def test_each_persona_gets_the_json_or_an_envelope(world, tables_seeded, persona, url):
    response = world.client(persona).get(url + NOVEMBER)
    if persona == "anonymous":
        assert response.status_code == 401
    elif persona in ("operator", "survey"):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    else:
        assert response.status_code == 200 and response.json()["ok"] is True
        return
    assert response.json()["ok"] is False


def test_the_rankings_page_lists_and_links_what_the_tables_say(world, tables_seeded):
    page = world.client("leader").get("/dashboard/rankings/" + NOVEMBER).content.decode()
    assert world.facility_dn.name in page and world.hanoi.name in page
    assert f"/facilities/{world.facility_dn.id}/compliance/?from=2026-11-01&amp;to=2026-11-30" \
        in page
    assert "/dashboard/?period=month&amp;at=2026-11-01&amp;province=75" in page
    assert "/stations/HNKK1/" in page


def test_an_officer_sees_only_their_province(world, tables_seeded):
    client = world.client("officer")
    body = client.get("/api/v1/dashboard/rankings" + NOVEMBER).json()
    assert [row["province"] for row in body["provinces"]] == ["01"]
    assert {row["province"] for row in body["facilities"]} == {"01"}
    assert {row["province"] for row in body["stations"]} == {"01"}
    assert world.facility_dn.name not in client.get("/dashboard/rankings/" + NOVEMBER).content \
        .decode()
    assert client.get("/dashboard/trends/?province=75").status_code == 404
    response = client.get("/api/v1/dashboard/trends?province=75")
    assert response.status_code == 404 and response.json()["ok"] is False


def test_the_trends_page_has_a_chart_and_a_table_for_each_trend(world, tables_seeded):
    page = world.client("leader").get("/dashboard/trends/" + NOVEMBER).content.decode()
    for chart in ("trend-provinces", "trend-sectors", "trend-aqi"):
        assert f'id="{chart}"' in page
    assert page.count('class="data trend-table"') == 3
    assert "12/2025" in page and "11/2026" in page
    assert "dashboard-trends-config" in page and "envhub/trends.js" in page


def test_the_json_twins_hold_the_same_figures(world, tables_seeded):
    client = world.client("leader")
    trend = client.get("/api/v1/dashboard/trends" + NOVEMBER).json()
    assert trend["view"]["period"] == {"kind": "month", "first": "2026-11-01",
                                       "last": "2026-11-30"}
    assert [line["key"] for line in trend["hours_by_province"]["series"]] == ["75", "01"]
    assert len(trend["aqi_days"]["months"]) == 12
    ranks = client.get("/api/v1/dashboard/rankings" + NOVEMBER + "&top=2").json()
    assert [row["station"] for row in ranks["stations"]] == ["HNKK1", "HNKT1"]
    assert ranks["facilities"][0]["worst_band"] == "4"


@pytest.mark.parametrize("query", ["?period=decade", "?at=07/12/2026", "?sector=<script>",
                                   "?period=custom&from=2026-03-10",
                                   "?top=0", "?top=abc"])
def test_bad_filters_are_a_400_in_the_envelope(world, tables_seeded, query):
    response = world.client("leader").get("/api/v1/dashboard/rankings" + query)
    assert response.status_code == 400
    assert response.json()["ok"] is False


def test_a_bad_filter_on_a_page_says_so(world, tables_seeded):
    response = world.client("leader").get("/dashboard/trends/?period=decade")
    assert response.status_code == 400
    assert "decade" in response.content.decode()


def test_the_csv_and_xlsx_hold_the_rankings_and_text_is_never_a_formula(world, tables_seeded):
    world.facility_dn.name = "=HYPERLINK(\"http://x\")"
    world.facility_dn.save()
    client = world.client("leader")
    text = client.get("/dashboard/rankings.csv" + NOVEMBER).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["1", "'=HYPERLINK(\"http://x\")"] == rows[rows.index(next(
        row for row in rows if row[:1] == ["1"] and "HYPERLINK" in "".join(row)))][:2]
    book = load_workbook(io.BytesIO(client.get("/dashboard/rankings.xlsx" + NOVEMBER).content))
    sheet = book.worksheets[1]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    assert [sheet.cell(row=2, column=5).value, sheet.cell(row=3, column=5).value] == [8, 5]


def test_the_aqi_categories_are_named_in_the_readers_language(world, tables_seeded):
    client = world.client("leader")
    url = "/api/v1/dashboard/trends" + NOVEMBER
    vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").json()["aqi_days"]["series"]
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["aqi_days"]["series"]
    assert (vietnamese[0]["name"], english[0]["name"]) == ("Tốt", "Good")
    assert english[0]["colour"] == "#00E400"


def _filter_form(html: str) -> str:
    start = html.index('<form method="get" class="filters dashboard-filters"')
    return html[start:html.index("</form>", start)]


@pytest.mark.parametrize("page", ["/dashboard/trends/", "/dashboard/rankings/"])
def test_the_trends_pages_carry_the_dashboard_s_own_filter_form(world, tables_seeded, page):
    """One form for the three pages: the same fields, and chosen days kept as chosen."""
    query = "?period=custom&from=2026-11-03&to=2026-11-09&sector=cement"
    client = world.client("officer")
    form = _filter_form(client.get(page + query).content.decode())
    dashboard = _filter_form(client.get("/dashboard/" + query).content.decode())
    for field in ('id="period"', 'id="at"', 'id="from"', 'id="to"', 'id="province"',
                  'id="sector"'):
        assert field in form and field in dashboard
    assert '<option value="custom" selected>' in form
    assert 'id="from" name="from" type="date" value="2026-11-03"' in form
    assert 'id="to" name="to" type="date" value="2026-11-09"' in form
    assert '<option value="cement" selected>' in form
    # The officer's one province only, as on the dashboard; the map's figure is the
    # dashboard's alone.
    assert form.count('<option value="01"') == 1 and 'value="75"' not in form
    assert 'name="map"' not in form and 'name="map"' in dashboard
    assert form == dashboard.replace(dashboard[dashboard.index('  <input type="hidden"'):
                                              dashboard.index("  <button")], "")
