"""Search in the library: one table of queries whose answers are the same on SQLite (FTS5) and
PostgreSQL (tsvector): this module runs on whichever database the tests are given, and CI runs
it on both."""

from __future__ import annotations

import pytest

from envhub.core.errors import InvalidInput
from envhub.library import search
from tests.library.search_corpus import library_fixture  # noqa: F401  (the `library` fixture)

pytestmark = pytest.mark.django_db

# query -> the identifiers found, in order, by a reader who sees everything (the admin).
QUERIES = [
    ("dong nai", ["DN-2022", "DTM-GIAY", "BD-2019"]),
    ("Đồng Nai", ["DN-2022", "DTM-GIAY", "BD-2019"]),
    ("ĐỒNG   NAI", ["DN-2022", "DTM-GIAY", "BD-2019"]),
    ("đất đai", ["ND-45"]),
    ("dat dai", ["ND-45"]),
    ("dat", ["BD-2019", "ND-45", "DN-2022", "DTM-GIAY"]),  # đất, đạt
    ("chat luong nuoc", ["HN-KK", "DN-2022", "DTM-GIAY"]),
    ('"chất lượng nước"', ["DN-2022", "DTM-GIAY"]),
    ('"nuoc chat luong"', []),
    ("45/2022/NĐ-CP", ["ND-45"]),
    ("nd-cp", ["ND-45"]),
    ("NOx", ["DN-2022"]),
    ("pm2", ["HN-KK"]),  # PM2.5 is the words pm2 and 5
    ("pm*", ["HN-KK"]),
    ("quan*", ["HN-KK", "DN-2022"]),
    ("q*", []),  # a one-letter prefix is the word "q"
    ("bao cao giay", ["DTM-GIAY"]),
    ("1:50.000", ["BD-2019"]),
    ("xu phat moi truong", ["ND-45"]),
    ("khong co tu nay", []),
    # Hostile input: FTS syntax is only separators and words, never an expression.
    ("NEAR(dong nai)", []),
    ("dong NEAR nai", []),
    ("title:dong", []),
    ("{title}: dong", []),  # the word "title" is not there
    ("dong -nai", ["DN-2022", "DTM-GIAY", "BD-2019"]),
    ("dong OR hanh", []),
    ("NOT nuoc", []),
    ('"dong nai', ["DN-2022", "DTM-GIAY", "BD-2019"]),
    ("dong AND nai", []),
    ("^dong", ["DN-2022", "DTM-GIAY", "BD-2019", "HN-KK"]),  # mùa đông
    ("nuoc:*", ["HN-KK", "ND-45", "DN-2022", "DTM-GIAY"]),
    ("dong%", ["DN-2022", "DTM-GIAY", "BD-2019", "HN-KK"]),
    ("'; DROP TABLE library_search; --", []),
    ("NEAR(", []),
]


def found(actor, text, **filters):
    results = search.search(actor, text, search.Filters(**filters), limit=100)
    return [hit.document.identifier for hit in results.hits]


@pytest.mark.parametrize("text,expected", QUERIES)
def test_it_answers_each_query_alike_on_both_databases(world, library, text, expected):
    assert found(world.actor("admin"), text) == expected


@pytest.mark.parametrize("text", ['"', "*", "-", ":", '""', "()", "-:*^", "“”", "…", "a" * 300])
def test_it_refuses_a_query_without_words_clearly(world, library, text):
    with pytest.raises(InvalidInput) as refused:
        search.search(world.actor("admin"), text)
    assert "q" in refused.value.details


def test_it_lists_everything_newest_first_without_a_query(world, library):
    assert found(world.actor("admin"), "") == ["HN-KK", "ND-45", "DN-2022", "DTM-GIAY",
                                               "BD-2019"]


def test_it_ranks_a_title_match_before_metadata_before_content(world, library):
    results = search.search(world.actor("admin"), "dong nai")
    assert [(hit.document.identifier, hit.tier) for hit in results.hits] == [
        ("DN-2022", search.TITLE), ("DTM-GIAY", search.META), ("BD-2019", search.META)]
    results = search.search(world.actor("admin"), "nuoc")
    assert {hit.tier for hit in results.hits} == {search.CONTENT}


SEES = {
    "anonymous": ["DN-2022", "BD-2019"],
    "operator": ["DN-2022", "BD-2019"],
    "survey": ["DN-2022", "BD-2019"],
    "leader": ["DN-2022", "BD-2019"],
    "officer": ["DN-2022", "DTM-GIAY", "BD-2019"],  # Hà Nội's department is named on it
    "librarian": ["DN-2022", "DTM-GIAY", "BD-2019"],
    "steward": ["DN-2022", "DTM-GIAY", "BD-2019"],
    "admin": ["DN-2022", "DTM-GIAY", "BD-2019"],
}


def _actor(world, persona):
    from envhub.core.permissions import ANONYMOUS
    return ANONYMOUS if persona == "anonymous" else world.actor(persona)


@pytest.mark.parametrize("persona", sorted(SEES))
def test_it_shows_and_counts_only_what_each_role_may_read(world, library, persona):
    actor = _actor(world, persona)
    results = search.search(actor, "dong nai")
    assert [hit.document.identifier for hit in results.hits] == SEES[persona]
    assert results.total == len(SEES[persona])
    facets = {name: {item.value: item.count for item in values}
              for name, values in results.facets.items()}
    restricted_seen = "DTM-GIAY" in SEES[persona]
    assert ("eia" in facets["type"]) == restricted_seen
    assert facets["access_level"].get("restricted", 0) == (1 if restricted_seen else 0)
    assert facets["year"].get("2021", 0) == (1 if restricted_seen else 0)
    assert facets["issuing_body"].get("Công ty giấy Đồng Nai", 0) == (1 if restricted_seen
                                                                      else 0)
    assert facets["province"]["75"] == len(SEES[persona])
    # Every count adds up to what the reader sees, never more.
    assert sum(facets["access_level"].values()) == len(SEES[persona])


@pytest.mark.parametrize("persona", sorted(SEES))
def test_it_lists_each_role_its_documents_without_a_query(world, library, persona):
    results = search.search(_actor(world, persona), "")
    visible = {"anonymous": 3, "operator": 3, "survey": 4, "leader": 4}.get(persona, 5)
    assert results.total == visible
    assert sum(item.count for item in results.facets["access_level"]) == visible


def test_it_filters_by_facets_and_keeps_sibling_counts(world, library):
    admin = world.actor("admin")
    results = search.search(admin, "dong nai", search.Filters(type=["map"]))
    assert [hit.document.identifier for hit in results.hits] == ["BD-2019"]
    types = {item.value: (item.count, item.chosen) for item in results.facets["type"]}
    # Choosing a type hides no other type; the other facets count the chosen type only.
    assert types == {"state_of_environment": (1, False), "map": (1, True), "eia": (1, False)}
    assert {item.value: item.count for item in results.facets["year"]} == {"2019": 1}
    assert found(admin, "", year=["2022"], collection=["van-ban"]) == ["ND-45"]
    assert found(admin, "", province=["01"]) == ["HN-KK"]
    assert found(admin, "", access_level=["restricted", "internal"]) == ["HN-KK", "DTM-GIAY"]
    assert found(admin, "", issuing_body=["Chính phủ"]) == ["ND-45"]
    assert found(admin, "", type=["no-such-type"]) == []


def test_it_pages_with_a_cursor_and_refuses_a_forged_one(world, library):
    admin = world.actor("admin")
    seen, cursor = [], None
    while True:
        results = search.search(admin, "", cursor=cursor, limit=2)
        seen += [hit.document.identifier for hit in results.hits]
        assert results.total == 5
        cursor = results.next
        if cursor is None:
            break
    assert seen == found(admin, "")
    with pytest.raises(InvalidInput):
        search.search(admin, "", cursor="forged")


def test_it_highlights_the_words_found_with_their_marks(world, library):
    results = search.search(world.actor("admin"), '"chat luong nuoc" dong nai')
    first = results.hits[0]
    assert first.document.identifier == "DN-2022"
    marked = [segment.text for segment in first.snippet if segment.match]
    assert marked[:5] == ["Chất", "lượng", "nước", "Đồng", "Nai"]
    assert [segment.text for segment in first.title if segment.match] == ["Đồng", "Nai"]


def test_it_follows_changes_and_deletions(world, library):
    admin = world.actor("admin")
    document = library["BD-2019"]
    document.title = "Bản đồ rừng ngập mặn"
    document.save()  # metadata: the save itself refreshes the index
    assert found(admin, "ngap man") == ["BD-2019"]
    assert found(admin, "ban do ha noi") == []
    document.provinces.set([world.hanoi])
    assert found(admin, "ban do ha noi") == ["BD-2019"]
    assert found(admin, "su dung dat") == ["BD-2019"]  # still in its text
    document.text.delete()
    search.index_document(document)
    assert found(admin, "su dung dat") == []
    document.delete()
    assert found(admin, "ngap man") == []


def test_it_rebuilds_the_index_from_the_documents(world, library):
    search.unindex_document(library["ND-45"].pk)
    assert found(world.actor("admin"), "nd-cp") == []
    assert search.rebuild(batch=2) == 5
    assert found(world.actor("admin"), "nd-cp") == ["ND-45"]


def _expected_facets(documents, chosen):
    """Each facet's counts, computed here from the documents' own fields: over the documents
    matching every chosen filter but the facet's own."""
    def values(document, name):
        if name == "province":
            return {province.code for province in document.provinces.all()}
        if name == "collection":
            return {document.collection.code}
        value = getattr(document, name)
        return {str(value)} if value not in (None, "") else set()

    expected = {}
    for name in search.FACETS:
        counts: dict[str, int] = {}
        for document in documents:
            if all(values(document, other) & set(picked)
                   for other, picked in chosen.items() if other != name):
                for value in values(document, name):
                    counts[value] = counts.get(value, 0) + 1
        expected[name] = counts
    return expected


CHOICES = [{}, {"type": ["map", "eia"]}, {"year": ["2019", "2021"], "province": ["75"]},
           {"collection": ["van-ban"], "access_level": ["public", "internal"]},
           {"issuing_body": ["Chính phủ"], "type": ["legal"], "year": ["2022"]},
           {"province": ["01", "75"], "access_level": ["restricted"], "type": ["eia"]}]


@pytest.mark.parametrize("persona", ["admin", "anonymous", "officer"])
@pytest.mark.parametrize("text", ["", "dong nai", "nuoc"])
@pytest.mark.parametrize("chosen", CHOICES)
def test_every_facet_counts_what_the_other_filters_leave(world, library, persona, text,
                                                         chosen):
    actor = _actor(world, persona)
    readable = set(found(actor, text))
    documents = [document for document in library.values() if document.identifier in readable]
    results = search.search(actor, text, search.Filters(**chosen), limit=100)
    counted = {name: {item.value: item.count for item in values}
               for name, values in results.facets.items()}
    assert counted == _expected_facets(documents, chosen)
    assert all(item.chosen == (item.value in chosen.get(name, ()))
               for name, values in results.facets.items() for item in values)
