"""A real CKAN client, `ckanapi`, reads the catalogue from a running server (Django's live
server) as it reads any CKAN site: it lists, shows and searches, understands the errors, and
with a token sees what the token's account may see."""

from __future__ import annotations

import json

import ckanapi
import pytest

from envhub.accounts import services as accounts
from envhub.core.permissions import system_actor
from tests.catalog.published import AIR_HANOI, INTERNAL, publish, seen_by

# A live server needs real transactions (see the note in tests/conftest.py).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue(world):
    """All database work before the server is called: the catalogue and an officer's token."""
    classes = publish(world)
    issued = accounts.create_token(system_actor("tests"), name="harvester",
                                   user=world.users["officer"])
    return {"classes": classes, "token": issued.plain}


def test_ckanapi_lists_shows_and_searches_the_catalogue(catalogue, live_server):
    classes = catalogue["classes"]
    with ckanapi.RemoteCKAN(live_server.url, user_agent="envhub-tests") as ckan:
        assert ckan.action.site_read() is True
        assert ckan.action.status_show()["site_url"] == live_server.url

        assert ckan.action.package_list() == sorted(classes["open"])
        package = ckan.action.package_show(id=AIR_HANOI)
        assert package["name"] == AIR_HANOI
        assert package["organization"]["name"] == "cuc-moi-truong"
        resource = next(item for item in package["resources"] if item["format"] == "CSV")
        assert resource["url"] == f"{live_server.url}/datasets/{AIR_HANOI}/download.csv"
        assert ckan.action.resource_show(id=resource["id"])["url"] == resource["url"]

        found = ckan.action.package_search(q="chat luong khong khi", sort="name asc",
                                           **{"facet.field": ["groups", "res_format"]})
        assert found["count"] == 2
        assert [item["name"] for item in found["results"]] == [
            "chi-so-chat-luong-khong-khi-vn-aqi-daily", "chi-so-chat-luong-khong-khi-vn-aqi-hourly"]
        groups = {item["name"]: item["count"] for item in found["search_facets"]["groups"]["items"]}
        assert groups == {"envi": 2, "heal": 2}

        dong_nai = ckan.action.package_search(q="dong nai", fq="province:75", rows=1)
        assert dong_nai["count"] == 2 and len(dong_nai["results"]) == 1
        assert "Đồng Nai" in dong_nai["results"][0]["title"]

        # Paging through everything, as a harvester does.
        harvested, start = [], 0
        while True:
            page = ckan.action.package_search(rows=3, start=start, sort="metadata_modified desc")
            harvested += [item["name"] for item in page["results"]]
            start += 3
            if start >= page["count"]:
                break
        assert sorted(harvested) == sorted(classes["open"])
        everything = ckan.action.current_package_list_with_resources(limit=100)
        assert {item["name"] for item in everything} == classes["open"]

        assert ckan.action.organization_list() == ["cuc-moi-truong"]
        organisation = ckan.action.organization_show(id="cuc-moi-truong")
        assert organisation["package_count"] == len(classes["open"])
        assert "envi" in ckan.action.group_list()
        assert "quan trắc tự động" in ckan.action.tag_list()

        # CKAN's errors become ckanapi's exceptions; a shared dataset does not exist here.
        shared = sorted(classes["shared"])[0]
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=shared)
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=INTERNAL)
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_show()
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.package_search(fq="colour:blue")


def test_ckanapi_with_a_token_sees_what_its_account_may(catalogue, live_server):
    classes = catalogue["classes"]
    with ckanapi.RemoteCKAN(live_server.url, apikey=catalogue["token"]) as ckan:
        assert set(ckan.action.package_list()) == seen_by(classes, "officer")
        shared = sorted(classes["shared"])[0]
        assert ckan.action.package_show(id=shared)["private"] is True
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=INTERNAL)
    with ckanapi.RemoteCKAN(live_server.url, apikey="not-a-token") as ckan:
        with pytest.raises(ckanapi.NotAuthorized):
            ckan.action.package_list()


def test_ckanapi_in_get_only_mode(catalogue, live_server):
    with ckanapi.RemoteCKAN(live_server.url, get_only=True) as ckan:
        found = ckan.action.package_search(q="dong nai", rows=10, sort="name asc",
                                           **{"facet.field": json.dumps(["province"])})
        assert [item["name"] for item in found["results"]] == [
            "quan-trac-kk-daily-75-dong-nai", "quan-trac-kk-hourly-75-dong-nai"]
        assert found["search_facets"]["province"]["items"] == [
            {"name": "75", "display_name": "Đồng Nai", "count": 2}]
        assert ckan.action.package_show(id=AIR_HANOI)["name"] == AIR_HANOI
