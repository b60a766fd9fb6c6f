"""The pure parts of the library's search: how text and queries become words, and the
highlighted snippets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.core.text import fold
from envhub.library import search_query, snippets
from envhub.library.search_query import Phrase, Term, parse


@pytest.mark.parametrize("text,words", [
    ("Đồng Nai", ["dong", "nai"]),
    ("ĐỒNG  NAI", ["dong", "nai"]),
    ("đất đai, đạt", ["dat", "dai", "dat"]),
    ("Số 45/2022/NĐ-CP", ["so", "45", "2022", "nd", "cp"]),
    ("PM2.5 vượt ngưỡng", ["pm2", "5", "vuot", "nguong"]),
    ("Nghi\u0300 định (NFD)", ["nghi", "dinh", "nfd"]),
    ("Straße ça", ["strasse", "ca"]),
    ("北京 x", ["x"]),
    ("a" * 101 + " b", ["b"]),
])
def test_it_cuts_text_into_folded_words(text, words):
    assert search_query.index_words(text) == words


@given(st.text(max_size=200))
def test_it_folds_as_the_rest_of_the_site_does(text):
    words = search_query.index_words(text)
    assert all(re.fullmatch(r"[0-9a-z]{1,100}", word) for word in words)
    expected = [word for word in re.findall(r"[0-9a-z]+", fold(text)) if len(word) <= 100]
    assert words == expected


@pytest.mark.parametrize("text,parts", [
    ("dong nai", [Term("dong"), Term("nai")]),
    ('"chất lượng nước" dong', [Phrase(("chat", "luong", "nuoc")), Term("dong")]),
    ("quan*", [Term("quan", True)]),
    ("q*", [Term("q")]),
    ('"quan*"', [Term("quan")]),
    ("NĐ-CP", [Phrase(("nd", "cp"))]),
    ("dong dong DONG", [Term("dong")]),
    ('"dong nai', [Term("dong"), Term("nai")]),
    ("NEAR(a b)", [Phrase(("near", "a")), Term("b")]),
    ('"*" - : ^', []),
    (None, []),
])
def test_it_parses_queries(text, parts):
    assert parse(text).parts == parts


def test_it_reads_at_most_twelve_words():
    query = parse(" ".join(f"w{n}" for n in range(30)))
    assert len(query.words()) == search_query.MAX_TERMS
    assert parse("x" * 10_000).text == "x" * search_query.MAX_QUERY_LENGTH


@given(st.text(max_size=300))
def test_it_parses_any_input_into_plain_words(text):
    query = parse(text)
    assert len(query.words()) <= search_query.MAX_TERMS
    assert all(re.fullmatch(r"[0-9a-z]+", term.word) for term in query.words())


def test_it_cuts_a_body_where_postgresql_would_refuse_it():
    many = " ".join(f"tu{n}" for n in range(200_000))  # 200,000 distinct words
    body = search_query.body_text(many)
    distinct = set(body.split())
    assert sum(len(word) + 8 for word in distinct) <= search_query.MAX_DISTINCT_WORD_BYTES
    assert many.startswith(body) and len(body) < len(many)
    assert search_query.body_text("Chất lượng nước") == "chat luong nuoc"


def test_it_marks_the_words_found_with_their_diacritics():
    text = ("Mở đầu. " * 40 + "Chất lượng nước sông Đồng Nai đạt quy chuẩn; nước thải "
            "của khu công nghiệp được quan trắc hằng quý." + " Kết luận." * 40)
    segments = snippets.snippet(text, parse('"chat luong nuoc" dong quan*'))
    marked = [segment.text for segment in segments if segment.match]
    assert marked == ["Chất", "lượng", "nước", "Đồng", "nước", "quan"]
    assert segments[0].text == "… " and segments[-1].text == " …"
    assert len("".join(segment.text for segment in segments)) < 300


def test_it_gives_no_snippet_when_the_text_does_not_hold_the_query():
    assert snippets.snippet("Báo cáo tổng hợp", parse("dong nai")) == []
    assert snippets.snippet("", parse("dong")) == []


def test_it_highlights_a_title_word_by_word():
    segments = snippets.highlight("Đồng Nai: đông và đồng", parse("dong").words())
    assert [segment.text for segment in segments if segment.match] == ["Đồng", "đông", "đồng"]
    assert "".join(segment.text for segment in segments) == "Đồng Nai: đông và đồng"


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=600), st.integers(min_value=0, max_value=400))
def test_a_snippet_from_a_text_s_head_is_the_whole_text_s_or_none(before, cut):
    # search reads a head of each text first: a snippet taken from it must be the one the
    # whole text gives, and when it cannot be, None says "read further".
    text = "Báo cáo năm. " * before + "Kết quả quan trắc môi trường định kỳ. " + "Đất đai. " * 40
    query = parse('"quan trac" moi')
    whole = snippets.snippet(text, query)
    from_head = snippets.snippet(text[:cut * 10], query, head=True)
    assert from_head is None or from_head == whole
    assert snippets.snippet(text, query, head=True) in (None, whole)
