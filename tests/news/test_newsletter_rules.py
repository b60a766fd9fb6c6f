"""The newsletter's two small rules as tables: which addresses are taken (and how they are
kept), and which subscribers a post reaches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.core.errors import InvalidInput
from envhub.news.newsletter import MAX_ADDRESS, normal_address
from envhub.news.newsletter_sending import matches


@pytest.mark.parametrize("typed,kept", [
    ("ban.doc@example.vn", "ban.doc@example.vn"),
    ("  Ban.Doc@Example.VN\t", "ban.doc@example.vn"),
    ("nguyen+tin@so-tnmt.hanoi.gov.vn", "nguyen+tin@so-tnmt.hanoi.gov.vn"),
    ("a@b", None),
    ("", None),
    ("no-at-sign.example.vn", None),
    ("two@@example.vn", None),
    ("a@example.vn\r\nBcc: x@example.vn", None),
    ("a@example.vn, b@example.vn", None),
    ("<a@example.vn>", None),
    ("x" * 250 + "@example.vn", None),
    ("javascript:alert(1)@example.vn", None),
])
def test_which_addresses_are_taken(typed, kept):
    if kept is None:
        with pytest.raises(InvalidInput):
            normal_address(typed)
    else:
        assert normal_address(typed) == kept


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_an_address_or_a_clear_refusal(text):
    try:
        address = normal_address(text)
    except InvalidInput:
        return
    assert address == address.strip().lower() and len(address) <= MAX_ADDRESS
    assert "@" in address and not any(char in address for char in "\r\n,<> ")


@pytest.mark.parametrize("category,post_provinces,categories,provinces,reached", [
    ("air", set(), [], [], True),                    # chose nothing: everything
    ("air", {"01"}, ["air"], ["01"], True),
    ("air", {"01"}, ["water"], ["01"], False),       # another topic
    ("air", {"01"}, ["air"], ["75"], False),         # another province
    ("air", {"01", "75"}, [], ["75"], True),         # one of the post's provinces
    ("air", set(), ["air"], ["75"], True),           # a national post reaches every province
    ("announcements", {"79"}, [], [], True),
    ("press_releases", set(), ["air", "water"], [], False),
])
def test_which_subscribers_a_post_reaches(category, post_provinces, categories, provinces,
                                          reached):
    assert matches(category, post_provinces, categories, provinces) is reached
