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
