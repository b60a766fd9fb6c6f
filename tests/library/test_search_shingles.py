"""SQLite's index of shingles (`search_sqlite.SHINGLES`, migration 0007), which narrows a phrase
to the documents holding its pair or triples before it is checked in their texts: what it
holds, that it forgets what it held, that the migration writes what the code would, and that
a phrase finds what reading the texts finds."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.core.permissions import system_actor
from envhub.library import search, search_sqlite
from envhub.library.models import Collection, Document
from envhub.library.search_query import phrase_shingles, shingles_text
from tests.library.test_search_phrases import indexed

MIGRATION = importlib.import_module("envhub.library.migrations.0007_search_shingles_sqlite")


@pytest.mark.parametrize("fields,expected", [
    (("quan trac moi",), "quan_trac trac_moi quan_trac_moi"),
    (("a b", "c d"), "a_b c_d"),  # nothing across two fields: a phrase lies in one
    (("a b a b",), "a_b b_a a_b_a b_a_b"),  # each once
    (("a", "", "b"), ""),
])
def test_the_shingles_of_each_field(fields, expected):
    assert shingles_text(*fields) == expected


@pytest.mark.parametrize("words,expected", [
    (("quan", "trac"), ["quan_trac"]),
    (("quan", "trac", "moi"), ["quan_trac_moi"]),
    (("quan", "trac", "moi", "truong"), ["quan_trac_moi", "trac_moi_truong"]),
])
def test_a_phrase_needs_its_pair_or_its_triples(words, expected):
    assert phrase_shingles(words) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc0 ", max_size=40), max_size=4))
def test_the_migration_writes_the_shingles_the_code_forgets(fields):
    # A contentless index forgets a row only when given exactly what it was given.
    assert MIGRATION._shingles_text(*fields) == shingles_text(*fields)


def _document(identifier: str, title: str, text: str) -> Document:
    collection, _ = Collection.objects.get_or_create(code="cap", title="Cặp từ")
    return indexed(collection, identifier, title, text)


def _holding(shingles: str, document: Document) -> bool:
    """Whether the index gives `document` for these shingles (a live-server test's flush
    leaves other rows in the index: they are not the test's)."""
    table = search_sqlite.SHINGLES
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE {table} MATCH %s AND rowid = %s",
                       [shingles, document.pk])
        return cursor.fetchone() is not None


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("this index of shingles is SQLite's (PostgreSQL has its own)")


@pytest.mark.django_db
def test_the_index_holds_a_documents_shingles_and_forgets_them(on_sqlite):
    document = _document("P-1", "Báo cáo quan trắc", "Môi trường nước mặt.")
    assert _holding('"quan_trac"', document)
    assert _holding('"moi_truong_nuoc" AND "nuoc_mat"', document)
    assert not _holding('"trac_moi"', document)  # the title's last word and the text's first

    document.text.content = "Không khí xung quanh."
    document.text.save()
    search.index_document(document)
    assert not _holding('"moi_truong"', document)
    assert _holding('"khong_khi"', document)

    deleted = Document(pk=document.pk)
    document.delete()  # the library forgets it (a signal: `search._forget`)
    assert not _holding('"khong_khi"', deleted)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {search_sqlite.SHINGLES} ({search_sqlite.SHINGLES}) "
                       "VALUES ('integrity-check')")


@pytest.mark.django_db
def test_a_phrase_is_looked_up_only_among_the_documents_holding_its_shingles(on_sqlite):
    _document("P-2", "Báo cáo", "Kết quả quan trắc môi trường năm nay.")
    results = search.search(system_actor("test"), '"quan trac moi truong"')
    assert results.total == 1
    with connection.cursor() as cursor:  # the shingles forgotten, the phrase is found nowhere
        cursor.execute(f"INSERT INTO {search_sqlite.SHINGLES} ({search_sqlite.SHINGLES}) "
                       "VALUES ('delete-all')")
    assert search.search(system_actor("test"), '"quan trac moi truong"').total == 0
    assert search.search(system_actor("test"), "quan trac moi truong").total == 1  # words


VOCABULARY = ["quan", "trắc", "môi", "trường", "nước"]


def _holds(fields: list[str], query) -> bool:
    """The query's meaning, by brute force over the folded fields: every word in some field,
    every phrase's words one after the other within one field."""
    from envhub.library.search_query import Phrase

    words = {word for text in fields for word in text.split()}
    for part in query.parts:
        if isinstance(part, Phrase):
            run = " " + " ".join(part.words) + " "
            if not any(run in f" {text} " for text in fields):
                return False
        elif part.word not in words:
            return False
    return True


@pytest.mark.django_db
@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.tuples(st.lists(st.sampled_from(VOCABULARY), max_size=3),
                                st.lists(st.sampled_from(VOCABULARY), max_size=12)),
                      min_size=1, max_size=5),
       phrase=st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=4),
       word=st.none() | st.sampled_from(VOCABULARY))
def test_a_phrase_finds_what_reading_the_texts_finds(texts, phrase, word):
    from django.db import transaction

    from envhub.library.search_query import body_text, index_text, parse

    query = parse(f'"{" ".join(phrase)}"' + (f" {word}" if word else ""))
    with transaction.atomic():
        expected = set()
        for number, (title, text) in enumerate(texts):
            document = _document(f"H-{number}", " ".join(title) or "Tài liệu", " ".join(text))
            fields = [index_text(document.title), search._meta_text(document),
                      body_text(document.text.content)]
            if _holds(fields, query):
                expected.add(document.identifier)
        found = search.search(system_actor("test"), query.text, limit=100)
        assert {hit.document.identifier for hit in found.hits} == expected
        assert found.total == len(expected)
        transaction.set_rollback(True)
