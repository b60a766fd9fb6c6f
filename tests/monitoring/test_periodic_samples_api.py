"""`/api/v1/stations/{code}/samples` gives each reader the rows the catalogue's periodic
dataset gives them (one rule for a row whatever the road): an ambient site's results to
everyone while that dataset is open — the anonymous reader included —, a source's results only
to whom the policy shows the station; a station nobody may read stays unknown (404) or asks to
sign in (401), as before."""

from __future__ import annotations

import pytest

from envhub.catalog.models import Dataset
from tests.monitoring.test_periodic_catalogue import AMBIENT, catalogue  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "steward", "leader", "officer", "operator", "survey", "anonymous")


def samples(world, persona: str, code: str):
    response = world.client(persona).get(f"/api/v1/stations/{code}/samples")
    return response.status_code, response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_open_ambient_sites_results_are_everyones(catalogue, persona):  # noqa: F811
    status, body = samples(catalogue, persona, "SW75")
    assert status == 200, body
    assert [(r["parameter"], r["value"], r["survey_version"]) for r in body["results"]] == [
        ("COD", 8.0, 3)]
    status, body = samples(catalogue, persona, "sw01")
    assert status == 200 and {r["parameter"] for r in body["results"]} == {"COD", "Cd"}


@pytest.mark.parametrize("persona, expected", [
    ("admin", 200), ("steward", 200), ("leader", 200), ("officer", 200),
    ("operator", 200),  # the outfall of the operator's own facility: its station is theirs
    ("survey", 404), ("anonymous", 401),
])
def test_a_sources_results_follow_the_station(catalogue, persona, expected):  # noqa: F811
    status, body = samples(catalogue, persona, "HNDK1")
    assert status == expected, body
    if expected == 200:
        assert [r["value"] for r in body["results"]] == [90.0]
    else:
        assert body["ok"] is False


@pytest.mark.parametrize("persona, expected", [("anonymous", 401), ("operator", 404),
                                               ("steward", 200)])
def test_an_ambient_dataset_made_shared_no_longer_opens_the_rows(catalogue, persona,  # noqa: F811
                                                                 expected):
    Dataset.objects.filter(identifier=AMBIENT).update(access_class="shared")
    status, _body = samples(catalogue, persona, "SW75")
    assert status == expected


def test_an_unknown_station_is_unknown_to_everyone(catalogue):  # noqa: F811
    for persona in ("anonymous", "steward"):
        status, body = samples(catalogue, persona, "KHONGCO")
        assert status in (401, 404) and body["ok"] is False
    assert samples(catalogue, "steward", "KHONGCO")[0] == 404
