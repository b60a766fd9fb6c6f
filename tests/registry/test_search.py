"""Diacritic-insensitive search in the API, including `đ`, on both databases."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query, expected", [
    ("ha noi", "01"),
    ("Hà Nội", "01"),
    ("HA NOI", "01"),
    ("dong nai", "75"),
    ("Đồng Nai", "75"),
    ("đồng nai", "75"),
    ("da nang", "48"),
    ("ho chi minh", "79"),
    ("dak lak", "66"),
])
def test_it_finds_provinces_with_or_without_diacritics(client, reference, query, expected):
    codes = [p["code"] for p in client.get("/api/v1/provinces", {"q": query}).json()["results"]]
    assert codes == [expected]


def test_it_does_not_confuse_d_with_other_letters(client, reference):
    # "dong" matches every Đồng, and not Vĩnh Long or Cao Bằng.
    names = {p["name"] for p in client.get("/api/v1/provinces", {"q": "dong"}).json()["results"]}
    assert names == {"Đồng Nai", "Đồng Tháp", "Lâm Đồng"}


def test_it_finds_wards_by_folded_name(client, reference):
    results = client.get("/api/v1/wards", {"q": "hoan kiem"}).json()["results"]
    assert [w["name"] for w in results] == ["Phường Hoàn Kiếm"]


def test_it_needs_every_word_to_match(world):
    client = world.client("admin")
    names = [f["name"] for f in client.get("/api/v1/facilities", {"q": "xi mang bien hoa"}
                                           ).json()["results"]]
    assert names == ["Nhà máy Xi măng Biên Hòa"]
    assert client.get("/api/v1/facilities", {"q": "xi mang ha noi"}).json()["results"] == []


def test_it_searches_facilities_by_tax_code(world):
    client = world.client("admin")
    results = client.get("/api/v1/facilities", {"q": world.facility_dn.tax_code}).json()["results"]
    assert [f["id"] for f in results] == [world.facility_dn.id]


def test_it_finds_parameters_by_vietnamese_name(client, reference):
    results = client.get("/api/v1/parameters", {"q": "luu huynh", "limit": 50}).json()["results"]
    assert {(p["medium"], p["code"]) for p in results} == {("emission", "SO2"), ("air", "SO2")}


def _parameters(client, query) -> set[tuple[str, str]]:
    results = client.get("/api/v1/parameters", {"q": query, "limit": 100}).json()["results"]
    return {(p["medium"], p["code"]) for p in results}


def test_it_finds_parameters_by_the_symbols_dataloggers_write(client, reference):
    assert ("air", "PM2_5") in _parameters(client, "pm25")
    assert ("air", "PM2_5") in _parameters(client, "PM2,5")


def test_it_keeps_parameter_search_in_step_with_their_aliases(world):
    from envhub.core.permissions import system_actor
    from envhub.registry import services
    from envhub.registry.models import Parameter, ParameterAlias

    client = world.client("anonymous")
    o3 = Parameter.objects.get(medium="air", code="O3")
    alias = services.save(system_actor(), ParameterAlias(parameter=o3, alias="OZON_TRAM"))
    assert ("air", "O3") in _parameters(client, "ozon_tram")
    services.delete(world.actor("steward"), alias)
    assert ("air", "O3") not in _parameters(client, "ozon_tram")


def test_it_matches_words_from_their_start(client, reference):
    found = _parameters(client, "NOx")
    assert ("air", "NOx") in found and ("emission", "NOx") in found
    assert ("air", "CO") not in found  # carbon "monoxide" merely contains n-o-x
    assert ("emission", "CO") not in found
    # Provinces: "nai" starts a word of Đồng Nai, "ong" starts none.
    names = {p["name"] for p in client.get("/api/v1/provinces", {"q": "ong"}).json()["results"]}
    assert names == set()


def test_it_finds_a_facility_by_the_first_digits_of_its_tax_code(world):
    client = world.client("admin")
    results = client.get("/api/v1/facilities", {"q": world.facility_dn.tax_code[:6]}).json()
    assert [f["id"] for f in results["results"]] == [world.facility_dn.id]
