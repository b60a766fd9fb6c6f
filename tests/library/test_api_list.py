"""`GET /api/v1/documents`: search, facet filters, facets in the answer, keyset paging, the
error envelope, and each reader's own view of the library."""

from __future__ import annotations

import pytest

from tests.library.search_corpus import library_fixture  # noqa: F401  (the `library` fixture)

pytestmark = pytest.mark.django_db


def get(client, **params):
    return client.get("/api/v1/documents", params)


def test_it_searches_with_facets_for_an_anonymous_visitor(world, library):
    answer = get(world.client("anonymous"), q="Đồng Nai")
    assert answer.status_code == 200
    body = answer.json()
    assert [row["identifier"] for row in body["results"]] == ["DN-2022", "BD-2019"]
    assert body["total"] == 2 and body["next"] is None
    first = body["results"][0]
    assert first["url"] == "/library/documents/DN-2022/"
    assert [s["text"] for s in first["title_highlighted"] if s["match"]] == ["Đồng", "Nai"]
    assert [s["text"] for s in first["snippet"] if s["match"]] == ["Đồng", "Nai"]
    levels = {item["value"]: item["count"] for item in body["facets"]["access_level"]}
    assert levels == {"public": 2}  # the restricted match is not even counted
    assert {item["value"] for item in body["facets"]["type"]} == {"state_of_environment",
                                                                  "map"}


def test_it_shows_an_officer_the_document_named_for_their_department(world, library):
    body = get(world.client("officer"), q="dong nai", access_level="restricted").json()
    assert [row["identifier"] for row in body["results"]] == ["DTM-GIAY"]
    assert {item["value"]: item["count"] for item in body["facets"]["access_level"]} == {
        "public": 2, "restricted": 1}
    assert get(world.client("leader"), q="dong nai",
               access_level="restricted").json()["total"] == 0


def test_it_filters_by_several_values_and_pages_with_next(world, library):
    client = world.client("admin")
    body = get(client, type=["legal", "map", "eia"], limit=2).json()
    assert [row["identifier"] for row in body["results"]] == ["ND-45", "DTM-GIAY"]
    assert body["total"] == 3
    more = get(client, type=["legal", "map", "eia"], limit=2, cursor=body["next"]).json()
    assert [row["identifier"] for row in more["results"]] == ["BD-2019"]
    assert more["next"] is None


@pytest.mark.parametrize("params,field", [
    ({"q": '"*"'}, "q"), ({"q": "-:"}, "q"), ({"cursor": "not-a-cursor"}, "cursor"),
    ({"limit": "0"}, None), ({"limit": "100000"}, None), ({"q": "x" * 501}, None)])
def test_it_answers_bad_input_with_the_error_envelope(world, library, params, field):
    answer = get(world.client("anonymous"), **params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["ok"] is False and body["error"]["message"]
    if field:
        assert field in body["error"]["details"]


@pytest.mark.parametrize("q", ['NEAR(dong nai)', 'title:dong', 'dong OR "nai', "a*b*",
                               "'; DROP TABLE library_search; --", "%_%", "\\"])
def test_it_never_fails_on_fts_syntax(world, library, q):
    answer = get(world.client("anonymous"), q=q)
    assert answer.status_code in (200, 400)
    assert get(world.client("anonymous"), q="dong nai").json()["total"] == 2


HOSTILE_VALUES = ["' OR 1=1 --", "%", "_", "NULL", "é" * 301, "1e9", "-1", "２０２２", "\\", '"',
                  ");DROP TABLE library_document;--"]


@pytest.mark.parametrize("facet", ["type", "year", "issuing_body", "collection", "province",
                                   "access_level"])
def test_hostile_filter_values_find_nothing_and_break_nothing(world, library, facet):
    client = world.client("admin")
    body = get(client, q="dong nai", **{facet: HOSTILE_VALUES}).json()
    assert body["total"] == 0 and body["results"] == []
    assert not any(item["chosen"] for values in body["facets"].values() for item in values)
    # A NUL byte, which PostgreSQL cannot hold in text, is refused before any query.
    refused = get(client, q="dong nai", **{facet: ["a\x00b"]})
    assert refused.status_code == 400 and refused.json()["error"]["message"]
    assert get(client, q="dong nai").json()["total"] == 3  # the library still whole
