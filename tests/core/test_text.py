"""Folding Vietnamese for search: diacritics go, `đ` becomes `d` (it is a letter of its own)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.core.text import fold, search_terms, slug


@pytest.mark.parametrize("text, folded", [
    ("Hà Nội", "ha noi"),
    ("Đồng Nai", "dong nai"),
    ("ĐỒNG NAI", "dong nai"),
    ("đường Nguyễn Trãi", "duong nguyen trai"),
    ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
    ("  Quảng   Ninh ", "quang ninh"),
    ("Xi măng", "xi mang"),
    ("Đắk Lắk", "dak lak"),
    ("Thừa Thiên–Huế", "thua thien–hue"),
    # Decomposed input (NFD, as some keyboards send it) folds the same as composed.
    ("Ha\u0300 No\u0323\u0302i", "ha noi"),
    ("", ""),
    (None, ""),
])
def test_it_folds_vietnamese(text, folded):
    assert fold(text) == folded


def test_it_splits_a_query_into_folded_words():
    assert search_terms("  Xi MĂNG  Đồng ") == ["xi", "mang", "dong"]


def test_it_makes_ascii_slugs():
    assert slug("Thành phố Đà Nẵng") == "thanh-pho-da-nang"


@given(st.text())
def test_it_never_fails_and_is_idempotent(text):
    once = fold(text)
    assert fold(once) == once
