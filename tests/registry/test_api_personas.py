"""Every registry API endpoint against every persona: who sees what, who is refused, no leak
across provinces or facilities."""

from __future__ import annotations

import pytest

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor

pytestmark = pytest.mark.django_db

ALL_FACILITIES = {"facility_hn", "facility_hn2", "facility_dn"}
ALL_STATIONS = {"HNKT1", "HNNT1", "HNKT2", "DNKT1", "HNKK1", "DNKK1"}

# What each persona's list shows; None means "refused: sign in first" (401).
VISIBLE_FACILITIES = {
    "admin": ALL_FACILITIES,
    "steward": ALL_FACILITIES,
    "leader": ALL_FACILITIES,
    "officer": {"facility_hn", "facility_hn2"},
    "operator": {"facility_hn"},
    "survey": set(),
    "anonymous": None,
}
VISIBLE_STATIONS = {
    "admin": ALL_STATIONS,
    "steward": ALL_STATIONS,
    "leader": ALL_STATIONS,
    "officer": {"HNKT1", "HNNT1", "HNKT2", "HNKK1"},
    "operator": {"HNKT1", "HNNT1"},
    "survey": set(),
    "anonymous": None,
}
VISIBLE_SOURCES = {
    "admin": {"stack_hn", "outfall_hn", "stack_hn2", "stack_dn"},
    "steward": {"stack_hn", "outfall_hn", "stack_hn2", "stack_dn"},
    "leader": {"stack_hn", "outfall_hn", "stack_hn2", "stack_dn"},
    "officer": {"stack_hn", "outfall_hn", "stack_hn2"},
    "operator": {"stack_hn", "outfall_hn"},
    "survey": set(),
    "anonymous": None,
}
PUBLIC_ORGANISATIONS = {"ministry", "dept_hanoi", "dept_dongnai"}
VISIBLE_ORGANISATIONS = {
    "admin": PUBLIC_ORGANISATIONS | {"survey_unit", "enterprise_hn", "enterprise_hn2",
                                     "enterprise_dn"},
    "steward": PUBLIC_ORGANISATIONS | {"survey_unit", "enterprise_hn", "enterprise_hn2",
                                       "enterprise_dn"},
    "leader": PUBLIC_ORGANISATIONS | {"survey_unit", "enterprise_hn", "enterprise_hn2",
                                      "enterprise_dn"},
    "officer": PUBLIC_ORGANISATIONS | {"enterprise_hn", "enterprise_hn2"},
    "operator": PUBLIC_ORGANISATIONS | {"enterprise_hn"},
    "survey": PUBLIC_ORGANISATIONS | {"survey_unit"},
    "anonymous": PUBLIC_ORGANISATIONS,
}


def _all_pages(client, url):
    """Follow `next` cursors to the end; return every result."""
    results, cursor = [], None
    while True:
        response = client.get(url, {"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        results.extend(body["results"])
        cursor = body["next"]
        if cursor is None:
            return results


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["ok"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize("persona", VISIBLE_FACILITIES)
def test_it_lists_only_the_facilities_in_scope(world, persona):
    client = world.client(persona)
    expected = VISIBLE_FACILITIES[persona]
    if expected is None:
        _assert_error(client.get("/api/v1/facilities"), 401, "not_authenticated")
        return
    ids = {row["id"] for row in _all_pages(client, "/api/v1/facilities")}
    assert ids == {getattr(world, name).id for name in expected}


@pytest.mark.parametrize("persona", VISIBLE_FACILITIES)
def test_it_shows_a_facility_in_scope_and_hides_the_others(world, persona):
    client = world.client(persona)
    expected = VISIBLE_FACILITIES[persona]
    for name in ALL_FACILITIES:
        response = client.get(f"/api/v1/facilities/{getattr(world, name).id}")
        if expected is None:
            _assert_error(response, 401, "not_authenticated")
        elif name in expected:
            assert response.status_code == 200
            assert response.json()["tax_code"] == getattr(world, name).tax_code
        else:
            # Out of scope is indistinguishable from absent: no existence leak.
            _assert_error(response, 404, "not_found")


@pytest.mark.parametrize("persona", VISIBLE_STATIONS)
def test_it_lists_only_the_stations_in_scope(world, persona):
    client = world.client(persona)
    expected = VISIBLE_STATIONS[persona]
    if expected is None:
        _assert_error(client.get("/api/v1/stations"), 401, "not_authenticated")
        _assert_error(client.get("/api/v1/stations.geojson"), 401, "not_authenticated")
        return
    codes = {row["code"] for row in _all_pages(client, "/api/v1/stations")}
    assert codes == expected
    geojson = client.get("/api/v1/stations.geojson").json()
    assert {f["properties"]["code"] for f in geojson["features"]} == expected
    for code in ALL_STATIONS:
        response = client.get(f"/api/v1/stations/{code.lower()}")
        assert response.status_code == (200 if code in expected else 404)


@pytest.mark.parametrize("persona", VISIBLE_SOURCES)
def test_it_lists_only_the_sources_in_scope(world, persona):
    client = world.client(persona)
    expected = VISIBLE_SOURCES[persona]
    if expected is None:
        _assert_error(client.get("/api/v1/sources"), 401, "not_authenticated")
        return
    ids = {row["id"] for row in _all_pages(client, "/api/v1/sources")}
    assert ids == {getattr(world, name).id for name in expected}
    for name in VISIBLE_SOURCES["admin"]:
        response = client.get(f"/api/v1/sources/{getattr(world, name).id}")
        assert response.status_code == (200 if name in expected else 404)


@pytest.mark.parametrize("persona", VISIBLE_ORGANISATIONS)
def test_it_lists_only_the_organisations_in_scope(world, persona):
    client = world.client(persona)
    expected = {getattr(world, name).id for name in VISIBLE_ORGANISATIONS[persona]}
    listed = {row["id"] for row in _all_pages(client, "/api/v1/organisations")}
    assert listed == expected
    for name in VISIBLE_ORGANISATIONS["admin"]:
        organisation = getattr(world, name)
        response = client.get(f"/api/v1/organisations/{organisation.id}")
        assert response.status_code == (200 if organisation.id in expected else 404)


@pytest.mark.parametrize("persona", VISIBLE_FACILITIES)
def test_it_serves_public_reference_data_to_everyone(world, persona):
    client = world.client(persona)
    assert len(_all_pages(client, "/api/v1/provinces")) == 34
    assert client.get("/api/v1/provinces/75").json()["name"] == "Đồng Nai"
    assert client.get("/api/v1/wards", {"province": "01", "limit": 500}).status_code == 200
    parameters = client.get("/api/v1/parameters", {"medium": "air", "limit": 500}).json()
    assert "PM2,5" in next(p for p in parameters["results"] if p["code"] == "PM2_5")["aliases"]
    assert client.get("/api/v1/parameters/air/pm2_5").json()["unit"] == "µg/m3"


def test_it_keeps_filters_inside_the_scope(world):
    """Asking for another province by filter does not widen an officer's scope."""
    client = world.client("officer")
    assert client.get("/api/v1/facilities", {"province": "75"}).json()["results"] == []
    assert client.get("/api/v1/stations", {"province": "75"}).json()["results"] == []
    only_hn = client.get("/api/v1/stations", {"kind": "auto_air"}).json()["results"]
    assert [row["code"] for row in only_hn] == ["HNKK1"]


def test_it_scopes_a_station_token_to_its_station(world):
    issued = accounts.create_token(system_actor(), name="logger", station=world.station_stack_hn)
    client = world.client("anonymous")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    codes = {r["code"] for r in client.get("/api/v1/stations", **headers).json()["results"]}
    assert codes == {"HNKT1"}
    assert client.get("/api/v1/facilities", **headers).json()["results"] == []
    assert client.get("/api/v1/stations/DNKT1", **headers).status_code == 404


def test_it_scopes_a_facility_token_to_its_facility(world):
    issued = accounts.create_token(system_actor(), name="ftp", facility=world.facility_dn)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    client = world.client("anonymous")
    ids = {r["id"] for r in client.get("/api/v1/facilities", **headers).json()["results"]}
    assert ids == {world.facility_dn.id}
    codes = {r["code"] for r in client.get("/api/v1/stations", **headers).json()["results"]}
    assert codes == {"DNKT1"}


@pytest.mark.parametrize("header", [
    "Bearer nonsense",
    "Bearer envh_0123456789_wrongsecret",
    "Bearer ",
])
def test_it_refuses_a_bad_token_with_401_instead_of_answering_anonymously(world, header):
    response = world.client("anonymous").get("/api/v1/provinces", HTTP_AUTHORIZATION=header)
    _assert_error(response, 401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_or_expired_token(world):
    import datetime

    from django.utils import timezone

    issued = accounts.create_token(system_actor(), name="x", user=world.users["leader"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"}
    client = world.client("anonymous")
    assert client.get("/api/v1/facilities", **headers).status_code == 200
    issued.token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    issued.token.save()
    _assert_error(client.get("/api/v1/facilities", **headers), 401, "invalid_token")
    issued.token.expires_at = timezone.now() + datetime.timedelta(days=1)
    issued.token.save()
    accounts.revoke_token(system_actor(), issued.token)
    _assert_error(client.get("/api/v1/facilities", **headers), 401, "invalid_token")


@pytest.mark.parametrize("persona", ["admin", "officer", "operator", "anonymous"])
def test_it_tells_each_persona_who_they_are(world, persona):
    body = world.client(persona).get("/api/v1/me").json()
    expected_kind = "anonymous" if persona == "anonymous" else "user"
    assert body["kind"] == expected_kind
    if persona == "officer":
        assert body["province_codes"] == ["01"]
    if persona == "operator":
        assert body["facility_ids"] == [world.facility_hn.id]


def test_the_map_shows_each_station_as_the_list_does(world):
    """The GeoJSON's properties are built by hand (a map asks for every station): they must
    stay StationOut's fields, in its order."""
    client = world.client("admin")
    listed = {row["code"]: row for row in _all_pages(client, "/api/v1/stations")}
    features = client.get("/api/v1/stations.geojson").json()["features"]
    assert features
    for feature in features:
        properties = feature["properties"]
        assert list(properties.items()) == list(listed[properties["code"]].items())
