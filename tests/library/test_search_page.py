"""The library's home page: search box, highlighted results, facets and paging in Vietnamese,
each reader seeing only their own documents; a query without words is a clear 400."""

from __future__ import annotations

import pytest

from tests.library.search_corpus import library_fixture  # noqa: F401  (the `library` fixture)

pytestmark = pytest.mark.django_db


def test_it_shows_highlighted_results_and_facets_in_vietnamese(world, library):
    page = world.client("anonymous").get("/library/", {"q": "dong nai"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thư viện điện tử" in html
    assert "<mark>Đồng</mark> <mark>Nai</mark>" in html
    assert 'data-identifier="DN-2022"' in html and 'data-identifier="BD-2019"' in html
    assert "DTM-GIAY" not in html and "Công ty giấy Đồng Nai" not in html
    assert 'href="/library/"' in html  # the menu entry
    assert "Cơ quan ban hành" in html  # a facet's title


def test_it_shows_a_restricted_document_to_its_organisation_only(world, library):
    officer = world.client("officer").get("/library/", {"q": "giay"}).content.decode()
    leader = world.client("leader").get("/library/", {"q": "giay"}).content.decode()
    assert 'data-identifier="DTM-GIAY"' in officer
    assert 'data-identifier="DTM-GIAY"' not in leader and "Không có tài liệu" in leader


def test_it_refuses_a_query_without_words_clearly(world, library):
    page = world.client("anonymous").get("/library/", {"q": '"*:-'})
    assert page.status_code == 400
    assert "không có từ nào" in page.content.decode().lower()


def test_it_pages_forward(world, library, settings):
    settings.ENVHUB_PAGE_SIZE = 2
    client = world.client("admin")
    html = client.get("/library/").content.decode()
    assert html.count("data-identifier=") == 2 and 'rel="next"' in html
    next_url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/library/" + next_url.replace("&amp;", "&")).content.decode()
    assert 'data-identifier="DN-2022"' in second and 'data-identifier="HN-KK"' not in second
    assert client.get("/library/", {"cursor": "forged"}).status_code == 400


def test_its_json_twin_answers_the_same_search_with_its_filters(world, library):
    client = world.client("admin")
    html = client.get("/library/", {"q": "dong nai", "type": ["map", "eia"],
                                    "province": "75"}).content.decode()
    link = html.split('class="json-twin" href="')[1].split('"')[0].replace("&amp;", "&")
    twin = client.get(link).json()
    shown = {part.split('"')[0] for part in html.split('data-identifier="')[1:]}
    assert {item["identifier"] for item in twin["results"]} == shown == {"BD-2019", "DTM-GIAY"}
    assert {item["value"] for item in twin["facets"]["type"] if item["chosen"]} == {"map", "eia"}
    assert [item["value"] for item in twin["facets"]["province"] if item["chosen"]] == ["75"]
