"""The CKAN-compatible Action API (/api/3/action/): CKAN's envelope and errors, its field names,
the access classes for every persona in every action, and package_search with q (diacritics
optional), fq, facets, paging and sorting."""

from __future__ import annotations

import datetime
import json

import pytest

from envhub.accounts import services as accounts
from envhub.catalog.models import Dataset, Distribution
from envhub.core.permissions import system_actor
from envhub.core.text import fold
from tests.catalog.published import (
    AIR_HANOI,
    CHECKSUM,
    INTERNAL,
    PERSONAS,
    SECRET_KEYWORD,
    WITHDRAWN,
    publish,
    seen_by,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture
def classes(world):
    return publish(world)


def call(client, action, /, method="get", **params):
    if method == "post":
        response = client.post(f"/api/3/action/{action}", data=json.dumps(params),
                               content_type="application/json")
    else:
        response = client.get(f"/api/3/action/{action}", {
            key: json.dumps(value) if isinstance(value, list) else value
            for key, value in params.items()})
    body = response.json()
    assert body["help"] == f"{BASE}/api/3/action/help_show?name={action}"
    return response.status_code, body


def result(client, action, /, **params):
    status, body = call(client, action, **params)
    assert status == 200 and body["success"] is True, body
    return body["result"]


def names(packages):
    return {package["name"] for package in packages}


# --- access classes ---------------------------------------------------------------------------

@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_only_its_access_classes_in_every_action(world, classes, persona):
    client = world.client(persona)
    expected = seen_by(classes, persona)

    assert result(client, "package_list") == sorted(expected)
    found = result(client, "package_search", rows=1000)
    assert found["count"] == len(expected) and names(found["results"]) == expected
    assert names(result(client, "current_package_list_with_resources", limit=1000)) == expected
    organisation = result(client, "organization_show", id="cuc-moi-truong",
                          include_datasets="true")
    assert names(organisation["packages"]) == expected
    assert organisation["package_count"] == len(expected)
    group = result(client, "group_show", id="envi", include_datasets=True)
    assert names(group["packages"]) == expected
    assert (SECRET_KEYWORD in result(client, "tag_list")) == (INTERNAL in expected)

    for access, identifiers in classes.items():
        for identifier in identifiers:
            dataset = Dataset.objects.get(identifier=identifier)
            resource = Distribution.objects.filter(dataset=dataset).first()
            for name, params in (("package_show", {"id": identifier}),
                                 ("package_show", {"id": str(dataset.pk)}),
                                 ("resource_show", {"id": str(resource.pk)})):
                status, body = call(client, name, **params)
                if identifier in expected:
                    assert status == 200 and body["success"] is True
                else:
                    assert status == 404, (persona, access, identifier)
                    assert body["success"] is False
                    assert body["error"]["__type"] == "Not Found Error"
                    assert body["error"]["message"]

    # A withdrawn dataset is in no list; only stewards and admins can still read it.
    assert WITHDRAWN not in names(found["results"])
    status, body = call(client, "package_show", id=WITHDRAWN)
    if persona in ("admin", "steward"):
        assert status == 200 and body["result"]["state"] == "deleted"
    else:
        assert status == 404


def test_a_ckan_style_token_is_the_callers_account(world, classes, client):
    issued = accounts.create_token(system_actor("tests"), name="harvester",
                                   user=world.users["officer"])
    shared = sorted(classes["shared"])[0]
    assert call(client, "package_show", id=shared)[0] == 404
    for header in ({"HTTP_AUTHORIZATION": issued.plain},
                   {"HTTP_AUTHORIZATION": f"Bearer {issued.plain}"},
                   {"HTTP_X_CKAN_API_KEY": issued.plain}):
        response = client.get("/api/3/action/package_show", {"id": shared}, **header)
        assert response.status_code == 200 and response.json()["result"]["name"] == shared
    response = client.get("/api/3/action/package_list", HTTP_AUTHORIZATION="not-a-token")
    assert response.status_code == 403
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Authorization Error"


# --- the envelope and CKAN's field names --------------------------------------------------------

def test_it_answers_site_read_status_show_and_help(world, classes, client):
    assert result(client, "site_read") is True
    status = result(client, "status_show")
    assert status["site_url"] == BASE and status["ckan_version"].startswith("2.")
    assert status["locale_default"] == "vi"
    assert "dataset" in result(client, "help_show", name="package_show")
    # The other route CKAN serves, which ckanapi uses.
    assert client.get("/api/action/package_list").json()["success"] is True


def test_a_package_has_ckans_field_names(world, classes, client):
    package = result(client, "package_show", id=AIR_HANOI)
    dataset = Dataset.objects.get(identifier=AIR_HANOI)
    assert package["id"] == str(dataset.pk) and package["name"] == AIR_HANOI
    assert package["title"] == dataset.title_vi and package["notes"] == dataset.description_vi
    assert package["type"] == "dataset" and package["state"] == "active"
    assert package["private"] is False and package["isopen"] is True
    assert package["url"] == f"{BASE}/datasets/{AIR_HANOI}/"
    assert package["version"] == "1.2"
    assert package["license_id"] == "cc-by" and package["license_url"] == dataset.licence
    assert package["maintainer"] == dataset.contact_name
    assert package["maintainer_email"] == dataset.contact_email
    assert package["author"] == "Cục Môi trường"
    organisation = package["organization"]
    assert organisation["name"] == "cuc-moi-truong" and organisation["title"] == "Cục Môi trường"
    assert organisation["is_organization"] is True and package["owner_org"] == organisation["id"]
    assert [tag["name"] for tag in package["tags"]] == dataset.keywords
    assert package["num_tags"] == len(dataset.keywords)
    assert [group["name"] for group in package["groups"]] == ["envi"]
    for stamp in ("metadata_created", "metadata_modified"):
        assert datetime.datetime.fromisoformat(package[stamp]).tzinfo is None  # UTC, as CKAN
    resources = {resource["format"]: resource for resource in package["resources"]}
    assert set(resources) == {"CSV", "GEOJSON", "JSON", "PARQUET", "XLSX"}
    assert package["num_resources"] == 5
    csv_resource = resources["CSV"]
    assert csv_resource["url"] == f"{BASE}/datasets/{AIR_HANOI}/download.csv"
    assert resources["PARQUET"]["url"] == f"{BASE}/datasets/{AIR_HANOI}/download.parquet"
    assert csv_resource["mimetype"] == "text/csv" and csv_resource["size"] == 123456
    assert csv_resource["hash"] == CHECKSUM and csv_resource["package_id"] == package["id"]
    assert result(client, "resource_show", id=csv_resource["id"]) == csv_resource
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["access_class"] == "open"
    assert extras["title_en"] == dataset.title_en
    assert extras["frequency"] == "http://publications.europa.eu/resource/authority/frequency/HOURLY"
    assert extras["provinces"] == "01"
    assert extras["temporal_start"] and extras["temporal_end"]
    assert extras["uri"] == f"{BASE}/dataset/{AIR_HANOI}"
    # Extras never repeat a field CKAN has.
    assert not set(extras) & set(package)


def test_it_lists_organizations_groups_and_tags(world, classes):
    anonymous, leader = world.client("anonymous"), world.client("leader")
    assert result(anonymous, "organization_list") == ["cuc-moi-truong"]
    [organisation] = result(leader, "organization_list", all_fields="true")
    assert organisation["title"] == "Cục Môi trường"
    assert organisation["package_count"] == len(seen_by(classes, "leader"))
    assert result(anonymous, "organization_show", id=organisation["id"])["package_count"] == \
        len(classes["open"])
    groups = result(anonymous, "group_list", all_fields=True)
    counts = {group["name"]: group["package_count"] for group in groups}
    assert counts["envi"] == len(classes["open"]) and counts["heal"] == 2
    assert result(anonymous, "group_list")[:2] == ["agri", "econ"]
    assert "quan trắc tự động" in result(anonymous, "tag_list", query="quan trac")
    assert all("quan trac" in fold(word) for word in result(anonymous, "tag_list",
                                                             query="quan trac"))
    tags = result(anonymous, "tag_list", all_fields=True)
    assert {"name", "display_name", "id"} <= set(tags[0])


# --- package_search -----------------------------------------------------------------------------

def test_search_ignores_diacritics(world, classes):
    anonymous, officer = world.client("anonymous"), world.client("officer")
    found = result(anonymous, "package_search", q="chat luong khong khi")
    assert names(found["results"]) == {"chi-so-chat-luong-khong-khi-vn-aqi-hourly",
                                       "chi-so-chat-luong-khong-khi-vn-aqi-daily"}
    assert all("Chất lượng không khí".lower() in package["title"].lower()
               for package in found["results"])
    assert names(result(anonymous, "package_search", q="Chất lượng không khí")["results"]) == \
        names(found["results"])
    dong_nai = result(anonymous, "package_search", q="dong nai")
    assert names(dong_nai["results"]) == {"quan-trac-kk-daily-75-dong-nai",
                                          "quan-trac-kk-hourly-75-dong-nai"}
    assert all("Đồng Nai" in package["title"] for package in dong_nai["results"])
    assert names(result(officer, "package_search", q="dong nai")["results"]) == {
        "quan-trac-kk-daily-75-dong-nai", "quan-trac-kk-hourly-75-dong-nai",
        "quan-trac-kt-daily-75-dong-nai", "quan-trac-kt-hourly-75-dong-nai"}
    assert result(anonymous, "package_search", q="*:*")["count"] == len(classes["open"])
    assert result(anonymous, "package_search", q="khong co gi nhu the")["count"] == 0


# The catalogue's two datasets of disclosed facilities (`compliance.disclosed_datasets`).
DISCLOSED = ("cong-khai-vuot-quy-chuan", "cong-khai-tuan-thu-hang-thang")


@pytest.mark.parametrize(("fq", "expected"), [
    ("groups:heal", {"chi-so-chat-luong-khong-khi-vn-aqi-hourly",
                     "chi-so-chat-luong-khong-khi-vn-aqi-daily"}),
    ("province:75", {"quan-trac-kk-daily-75-dong-nai", "quan-trac-kk-hourly-75-dong-nai",
                     "quan-trac-kt-daily-75-dong-nai", "quan-trac-kt-hourly-75-dong-nai",
                     "co-so-va-nguon-thai"}),
    ("province:75 access_class:shared", {"quan-trac-kt-daily-75-dong-nai",
                                         "quan-trac-kt-hourly-75-dong-nai"}),
    ("+province:75 AND -access_class:shared", {"quan-trac-kk-daily-75-dong-nai",
                                               "quan-trac-kk-hourly-75-dong-nai",
                                               "co-so-va-nguon-thai"}),
    ('tags:"nước thải"', {"co-so-va-nguon-thai", "quan-trac-nt-hourly-01-thanh-pho-ha-noi",
                          "su-co-vuot-quy-chuan", *DISCLOSED}),
    ('tags:"nuoc thai" -access_class:internal', {"co-so-va-nguon-thai",
                                                 "quan-trac-nt-hourly-01-thanh-pho-ha-noi",
                                                 *DISCLOSED}),
    ("tags:nuoc_thai", set()),
    ("organization:cuc-moi-truong res_format:GEOJSON groups:econ", {"co-so-va-nguon-thai"}),
    ("organization:khong-co", set()),
    ("res_format:(GEOJSON OR XLSX) -res_format:GEOJSON", {"su-co-vuot-quy-chuan", *DISCLOSED}),
    ("frequency:IRREG", {"co-so-va-nguon-thai"}),
    ("access_class:internal", {"su-co-vuot-quy-chuan"}),
    ("license_id:cc-by name:co-so-va-nguon-thai", {"co-so-va-nguon-thai"}),
    ("metadata_modified:[2000-01-01T00:00:00Z TO *] groups:heal",
     {"chi-so-chat-luong-khong-khi-vn-aqi-hourly", "chi-so-chat-luong-khong-khi-vn-aqi-daily"}),
    ("metadata_modified:[* TO 2000-01-01]", set()),
    ("+dataset_type:dataset groups:heal", {"chi-so-chat-luong-khong-khi-vn-aqi-hourly",
                                           "chi-so-chat-luong-khong-khi-vn-aqi-daily"}),
])
def test_search_filters_with_fq(world, classes, fq, expected):
    found = result(world.client("steward"), "package_search", fq=fq, rows=100)
    assert names(found["results"]) == expected
    assert found["count"] == len(expected)


def test_search_filters_combine_with_q_and_respect_access(world, classes):
    anonymous = world.client("anonymous")
    assert names(result(anonymous, "package_search", q="dong nai", fq="province:75")[
        "results"]) == {"quan-trac-kk-daily-75-dong-nai", "quan-trac-kk-hourly-75-dong-nai"}
    assert result(anonymous, "package_search", fq="access_class:internal")["count"] == 0
    assert result(anonymous, "package_search", fq="access_class:shared")["count"] == 0
    both = result(anonymous, "package_search", fq_list=["province:01", "groups:envi"],
                  rows=100, method="post")
    assert names(both["results"]) == {"co-so-va-nguon-thai", AIR_HANOI,
                                      "quan-trac-kk-daily-01-thanh-pho-ha-noi"}
    # Filters in q, as CKAN allows.
    assert names(result(anonymous, "package_search", q="province:75 dong nai")["results"]) \
        == {"quan-trac-kk-daily-75-dong-nai", "quan-trac-kk-hourly-75-dong-nai"}


def test_search_facets_have_ckans_shape_and_count_the_results(world, classes):
    anonymous = world.client("anonymous")
    found = result(anonymous, "package_search", **{
        "facet.field": ["groups", "res_format", "province", "access_class", "organization",
                        "tags", "license_id", "frequency"], "rows": 0})
    assert found["results"] == [] and found["count"] == len(classes["open"])
    facets = found["search_facets"]
    assert set(facets) == {"groups", "res_format", "province", "access_class", "organization",
                           "tags", "license_id", "frequency"}
    for name, facet in facets.items():
        assert facet["title"] == name
        assert all(set(item) == {"name", "display_name", "count"} for item in facet["items"])
        assert found["facets"][name] == {item["name"]: item["count"] for item in facet["items"]}
    counts = {name: {item["name"]: item["count"] for item in facet["items"]}
              for name, facet in facets.items()}
    assert counts["access_class"] == {"open": len(classes["open"])}
    assert counts["province"] == {"01": 3, "75": 3}
    assert counts["res_format"]["CSV"] == len(classes["open"])
    # The two datasets of disclosed facilities are open (empty until a steward opens one).
    assert counts["groups"] == {"envi": 9, "heal": 2, "econ": 1, "gove": 2}
    assert counts["organization"] == {"cuc-moi-truong": 9}
    organisation = facets["organization"]["items"][0]
    assert organisation["display_name"] == "Cục Môi trường"
    province = next(item for item in facets["province"]["items"] if item["name"] == "75")
    assert province["display_name"] == "Đồng Nai"
    assert [item["name"] for item in facets["groups"]["items"]] == ["envi", "gove", "heal", "econ"]

    narrowed = result(anonymous, "package_search", fq="province:75",
                      **{"facet.field": ["province", "groups"], "facet.limit": 1})
    assert narrowed["search_facets"]["province"]["items"] == [
        {"name": "75", "display_name": "Đồng Nai", "count": 3}]
    assert len(narrowed["search_facets"]["groups"]["items"]) == 1
    assert result(anonymous, "package_search")["search_facets"] == {}


def test_search_pages_and_sorts(world, classes):
    admin = world.client("admin")
    total = len(seen_by(classes, "admin"))
    pages = [result(admin, "package_search", rows=5, start=start, sort="name asc")
             for start in (0, 5, 10)]
    assert [page["count"] for page in pages] == [total] * 3
    listed = [package["name"] for page in pages for package in page["results"]]
    assert listed == sorted(seen_by(classes, "admin"))
    assert len(result(admin, "package_search")["results"]) == 10  # CKAN's default
    assert len(result(admin, "package_search", rows=5000)["results"]) == total  # capped

    descending = result(admin, "package_search", sort="name desc", rows=100)["results"]
    assert [package["name"] for package in descending] == sorted(listed, reverse=True)
    by_title = result(admin, "package_search", sort="title_string asc", rows=100)["results"]
    titles = [fold(package["title"]) for package in by_title]
    assert titles == sorted(titles)
    newest = result(admin, "package_search", sort="metadata_modified desc", rows=100)["results"]
    stamps = [package["metadata_modified"] for package in newest]
    assert stamps == sorted(stamps, reverse=True)
    oldest = result(admin, "package_search", sort="metadata_modified asc", rows=100)["results"]
    assert [package["metadata_modified"] for package in oldest] == sorted(stamps)
    # Ranked: a match in the title counts most.
    ranked = result(admin, "package_search", q="nuoc thai", sort="score desc, name asc",
                    rows=100)["results"]
    in_title = ["nuoc thai" in fold(package["title"]) for package in ranked]
    assert in_title == sorted(in_title, reverse=True) and in_title[0] and not in_title[-1]
    assert "co-so-va-nguon-thai" in {package["name"] for package in ranked}


def test_post_with_a_json_body_answers_like_get(world, classes):
    client = world.client("anonymous")
    params = {"q": "dong nai", "rows": 1, "facet.field": ["province"], "sort": "name asc"}
    assert result(client, "package_search", method="post", **params) == \
        result(client, "package_search", **params)
    assert result(client, "package_list", method="post", limit=2, offset=1) == \
        sorted(classes["open"])[1:3]
    assert result(client, "current_package_list_with_resources", limit=2, page=2) == \
        result(client, "current_package_list_with_resources", limit=2, offset=2)


# --- errors in CKAN's envelope ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "params", "status", "kind", "field"), [
    ("package_show", {}, 409, "Validation Error", "id"),
    ("package_show", {"id": "khong-ton-tai"}, 404, "Not Found Error", None),
    ("resource_show", {"id": "999999"}, 404, "Not Found Error", None),
    ("organization_show", {"id": "khong-ton-tai"}, 404, "Not Found Error", None),
    ("group_show", {"id": "xyz"}, 404, "Not Found Error", None),
    ("package_search", {"rows": "-1"}, 409, "Validation Error", "rows"),
    ("package_search", {"start": "abc"}, 409, "Validation Error", "start"),
    ("package_search", {"sort": "colour desc"}, 409, "Validation Error", "sort"),
    ("package_search", {"fq": "colour:blue"}, 409, "Validation Error", "fq"),
    ("package_search", {"fq": "province:01 OR province:75"}, 409, "Validation Error", "fq"),
    ("package_search", {"fq": "metadata_modified:[yesterday TO *]"}, 409, "Validation Error",
     "fq"),
    ("package_search", {"facet.field": "tags"}, 409, "Validation Error", "facet.field"),
    ("package_search", {"facet.field": '["colour"]'}, 409, "Validation Error", "facet.field"),
    ("package_list", {"limit": "x"}, 409, "Validation Error", "limit"),
])
def test_errors_come_in_ckans_envelope(world, classes, client, name, params, status, kind,
                                       field):
    response = client.get(f"/api/3/action/{name}", params)
    body = response.json()
    assert response.status_code == status
    assert body["success"] is False and "result" not in body
    assert body["help"].endswith(f"/api/3/action/help_show?name={name}")
    assert body["error"]["__type"] == kind and body["error"]["message"]
    if field:
        assert body["error"][field] == [body["error"]["message"]]


def test_unknown_actions_bad_bodies_and_methods(world, classes, client):
    response = client.get("/api/3/action/package_create")
    assert response.status_code == 400
    assert response.json()["success"] is False and "package_create" in \
        response.json()["error"]["message"]
    response = client.post("/api/3/action/package_show", data="{not json",
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["success"] is False
    response = client.put("/api/3/action/package_list")
    assert response.status_code == 405 and response.json()["success"] is False


def test_error_messages_follow_accept_language(world, classes, client):
    english = client.get("/api/3/action/package_show", {"id": "khong-ton-tai"},
                         HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["error"]["message"] == "Dataset not found, or you do not have access to it."
