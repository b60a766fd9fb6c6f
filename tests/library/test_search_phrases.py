"""Phrases in long texts: found the same on SQLite (FTS5 positions) and PostgreSQL (positional
tsvectors cut into parts within PostgreSQL's limits: 256 positions of a word, 16,383 words),
wherever they stand in the text and however often their words occur."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.core.permissions import system_actor
from envhub.library import search, search_query
from envhub.library.models import AccessLevel, Collection, Document, DocumentText
from envhub.library.search_query import MAX_PART_POSITIONS, MAX_PART_WORDS, MAX_TERMS


def _check_parts(words: list[str]) -> list[list[str]]:
    parts = [part.split() for part in search_query.position_parts(" ".join(words))]
    for part in parts:
        assert len(part) <= MAX_PART_WORDS
        assert max(part.count(word) for word in set(part)) <= MAX_PART_POSITIONS
    # Every run of up to MAX_TERMS words lies whole in one part.
    for length in (1, 2, MAX_TERMS):
        for start in range(0, max(0, len(words) - length + 1), 37):
            run = " " + " ".join(words[start:start + length]) + " "
            assert any(run in " " + " ".join(part) + " " for part in parts), (start, length)
    # The parts are the text in order, each overlapping the next by MAX_TERMS - 1 words.
    rebuilt = parts[0] if parts else []
    for part in parts[1:]:
        assert rebuilt[len(rebuilt) - (MAX_TERMS - 1):] == part[:MAX_TERMS - 1]
        rebuilt += part[MAX_TERMS - 1:]
    assert rebuilt == words
    return parts


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["moi", "truong", "quan", "trac", "nuoc"]), max_size=1500))
def test_it_cuts_a_text_into_parts_where_every_position_is_kept(words):
    _check_parts(words)


@pytest.mark.parametrize("words,parts", [
    ([], 0),
    (["a"] * MAX_PART_POSITIONS, 1),
    (["a"] * (MAX_PART_POSITIONS + 1), 2),
    (["a", "b"] * 600, 3),  # 510 words a part (255 of each), overlapping by 11
    ([f"w{n}" for n in range(MAX_PART_WORDS + 1)], 2),  # PostgreSQL's 16,383 positions
])
def test_it_cuts_where_postgresql_would_lose_positions(words, parts):
    assert len(_check_parts(words)) == parts


# A report whose common words pass PostgreSQL's 256 kept positions long before the phrase,
# and whose end is past its 16,383 positions.
LONG = ("Môi trường nước và môi trường không khí. " * 400
        + "Kết quả quan trắc môi trường năm 2024. " + "Nước thải sinh hoạt. " * 3500
        + "Cuối cùng: khí thải lò đốt.")
# Every word of "quan trắc môi trường", never in that order.
SCATTERED = "Quan trắc viên. Môi trường sống. " * 400


@pytest.fixture(name="long_texts")
def long_texts_fixture():
    collection = Collection.objects.create(code="dai", title="Báo cáo dài")
    documents = {}
    for identifier, title, text in (("LONG", "Báo cáo tổng hợp", LONG),
                                    ("SCATTERED", "Báo cáo rời rạc", SCATTERED),
                                    ("TITLE", "Báo cáo quan trắc", "môi trường " * 300)):
        documents[identifier] = indexed(collection, identifier, title, text)
    return documents


def indexed(collection, identifier: str, title: str, text: str) -> Document:
    """A public report of one page holding `text`, in the index."""
    document = Document.objects.create(
        collection=collection, identifier=identifier, title=title,
        access_level=AccessLevel.PUBLIC, type="monitoring_report",
        issued_on=datetime.date(2024, 1, 1))
    DocumentText.objects.create(document=document, version=1, content=text, pages=1,
                                method="text_layer")
    search.index_document(document)
    return document


def found(text):
    results = search.search(system_actor("test"), text, limit=100)
    return sorted(hit.document.identifier for hit in results.hits), results.total


@pytest.mark.django_db
@pytest.mark.parametrize("text,expected", [
    ('"quan trac moi truong"', ["LONG"]),  # after 800 of its words "moi" and "truong"
    ('"ket qua quan trac moi truong nam 2024"', ["LONG"]),
    ('"khi thai lo dot"', ["LONG"]),  # the last words, past 17,000
    ('"nuoc thai sinh hoat nuoc thai"', ["LONG"]),
    ('"truong song quan trac vien"', ["SCATTERED"]),
    ('"trac moi"', ["LONG"]),
    ('"quan trac" moi truong', ["LONG", "SCATTERED", "TITLE"]),
    ('"bao cao quan trac moi truong"', []),  # not across the title and the text
    ('"moi truong nuoc thai"', []),
])
def test_it_finds_a_phrase_wherever_it_stands(long_texts, text, expected):
    identifiers, total = found(text)
    assert identifiers == expected
    assert total == len(expected)


@pytest.mark.django_db
def test_it_finds_phrases_again_after_the_text_changes(long_texts):
    document = long_texts["LONG"]
    document.text.content = "Không còn cụm từ đó. " + SCATTERED
    document.text.save()
    search.index_document(document)
    assert found('"quan trac moi truong"') == ([], 0)
    assert found('"khong con cum tu"') == (["LONG"], 1)
    assert found('"truong song quan trac vien"') == (["LONG", "SCATTERED"], 2)


# Every pair of "quan trắc môi trường" is in each of these, its triples in none.
PAIRS_ONLY = "Quan trắc, trắc nghiệm; trắc môi, môi trường. " * 50


@pytest.mark.django_db
def test_a_phrase_of_common_words_is_found_in_the_one_document_holding_it():
    # On PostgreSQL the shingles' index lets through only the documents holding the phrase's
    # triples; the others, which hold each of its words and pairs, must still not be found.
    collection = Collection.objects.create(code="chung", title="Từ chung")
    for number in range(6):
        text = PAIRS_ONLY + ("Đây là quan trắc môi trường định kỳ." if number == 3 else "")
        document = Document.objects.create(
            collection=collection, identifier=f"C-{number}", title="Báo cáo",
            access_level=AccessLevel.PUBLIC, type="monitoring_report",
            issued_on=datetime.date(2024, 1, 1))
        DocumentText.objects.create(document=document, version=1, content=text, pages=1,
                                    method="text_layer")
        search.index_document(document)
    assert found('"quan trac moi truong"') == (["C-3"], 1)
    assert found('"trac moi truong"') == (["C-3"], 1)
    assert found('"trac moi moi truong"') == (["C-0", "C-1", "C-2", "C-3", "C-4", "C-5"], 6)
    assert found('"moi truong dinh ky"') == (["C-3"], 1)
    assert found('"quan trac moi"') == (["C-3"], 1)


@pytest.mark.django_db
def test_a_phrase_runs_across_a_page_break_and_a_sentence():
    # Pages are joined by a form feed and sentences by full stops: neither is a word, so the
    # phrase runs on, on both databases, as FTS5 has always read it.
    collection = Collection.objects.create(code="trang", title="Trang")
    document = Document.objects.create(
        collection=collection, identifier="PAGES", title="Báo cáo",
        access_level=AccessLevel.PUBLIC, type="monitoring_report",
        issued_on=datetime.date(2024, 1, 1))
    DocumentText.objects.create(document=document, version=1, pages=2, method="text_layer",
                                content="Trang một nói về quan trắc\n\fmôi trường. Nước thải")
    search.index_document(document)
    assert found('"quan trac moi truong nuoc"') == (["PAGES"], 1)
    assert found('"truong nuoc thai"') == (["PAGES"], 1)
    assert found('"nuoc thai trang"') == ([], 0)


@pytest.mark.django_db
def test_the_shingles_are_the_pairs_and_triples_of_a_field():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the shingles' index is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT library_search_shingles(%s), library_search_shingles(%s), "
                       "library_search_shingles(%s), library_search_shingles(%s) "
                       "@> library_search_shingles(%s)",
                       ["a b c", "a", "", "x a b c y", "a b c"])
        three, one, empty, contains = cursor.fetchone()
    assert len(three) == 3  # "a b", "b c", "a b c"
    assert one == [] and empty == []
    assert contains
