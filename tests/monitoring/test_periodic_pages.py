"""A periodic station's results on its page and in its JSON twin, per persona: newest first per
parameter, below-detection results written with their limit, provenance shown."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from envhub.monitoring.sample_views import SHOWN_PER_PARAMETER
from tests.monitoring.periodic import load, row
from tests.registry.test_pages_personas import PERSONAS, assert_sent_to_sign_in, dom

pytestmark = pytest.mark.django_db

# Whoever sees the Hà Nội site: the national roles, its province's officer, and the survey unit
# that samples it (its operator).
SEES_HANOI = {"admin", "steward", "leader", "officer", "survey"}


@pytest.fixture
def loaded(world):
    rows = [row(2, parameter="COD", value=12.5, day=datetime.date(2026, 3, 10)),
            row(3, parameter="COD", value=1234.5, day=datetime.date(2026, 6, 10)),
            row(4, parameter="Cd", below=True, limit=0.02, day=datetime.date(2026, 6, 10),
                at=datetime.time(14, 5))]
    load(rows, version=17, operator_id=world.survey_unit.id)
    return world


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_station_page_shows_its_results_to_whoever_sees_the_station(loaded, persona):
    path = reverse("station-detail", args=["SW01"])
    response = loaded.client(persona).get(path)
    if persona == "anonymous":
        assert_sent_to_sign_in(response, path)
        return
    if persona not in SEES_HANOI:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    page = dom(response)
    section = page.find("section", id="samples")
    tables = {table.attrs["data-parameter"]: table
              for table in section.find_all("table", class_="samples")}
    assert list(tables) == ["COD", "Cd"]
    cod = [[cell.text for cell in tr.find_all("td")]
           for tr in tables["COD"].find("tbody").find_all("tr")]
    # Newest first, Viet Nam time, the site's number formatter, the version as provenance.
    assert cod[0][:2] == ["10/06/2026 09:30", "1.234,5 mg/L"]
    assert cod[1][:2] == ["10/03/2026 09:30", "12,5 mg/L"]
    assert cod[0][2:] == ["SMEWW 5220C:2017", "Trung tâm Quan trắc Hà Nội", "VIMCERTS 123", "17"]
    cadmium = tables["Cd"].find("tbody").find("tr")
    assert "below-detection" in cadmium.attrs["class"]
    assert [cell.text for cell in cadmium.find_all("td")][:2] == \
        ["10/06/2026 14:05", "< LOD (0,02 mg/L)"]
    assert section.find("a", id="samples-json").attrs["href"] == \
        reverse("api:station_samples", args=["SW01"])


def test_an_automatic_station_has_no_results_section(loaded):
    response = loaded.client("steward").get(reverse("station-detail", args=["HNKK1"]))
    assert response.status_code == 200 and 'id="samples"' not in response.content.decode()


def test_the_page_caps_each_parameter_and_links_the_rest(world):
    first = datetime.date(2026, 1, 1)
    load([row(n + 2, day=first + datetime.timedelta(days=n), value=float(n))
          for n in range(SHOWN_PER_PARAMETER + 5)])
    page = dom(world.client("steward").get(reverse("station-detail", args=["SW01"])))
    table = page.find("table", class_="samples")
    assert len(table.find("tbody").find_all("tr")) == SHOWN_PER_PARAMETER
    assert "(JSON)" in page.find("section", id="samples").text


def test_the_page_speaks_english_too(loaded):
    client = loaded.client("steward")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("station-detail", args=["SW01"]))
    cells = [td.text for td in dom(response).find("table", class_="samples").find_all("td")]
    assert "1,234.5 mg/L" in cells


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_json_twin_pages_the_results_with_the_same_scope(loaded, persona):
    url = reverse("api:station_samples", args=["SW01"])
    response = loaded.client(persona).get(url, {"limit": 2})
    if persona == "anonymous":
        assert response.status_code == 401
        return
    if persona not in SEES_HANOI:
        assert response.status_code == 404
        return
    body = response.json()
    assert [(r["parameter"], r["time"]) for r in body["results"]] == [
        ("Cd", "2026-06-10T14:05:00+07:00"), ("COD", "2026-06-10T09:30:00+07:00")]
    cadmium = body["results"][0]
    assert (cadmium["value"], cadmium["below_detection"], cadmium["detection_limit"]) == \
        (None, True, 0.02)
    assert cadmium["unit"] == "mg/L" and cadmium["survey_version"] == 17
    rest = loaded.client(persona).get(url, {"limit": 2, "cursor": body["next"]}).json()
    assert [r["value"] for r in rest["results"]] == [12.5] and rest["next"] is None
    only = loaded.client(persona).get(url, {"parameter": "cod"}).json()
    assert {r["parameter"] for r in only["results"]} == {"COD"}
