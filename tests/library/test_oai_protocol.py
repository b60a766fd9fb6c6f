"""The protocol's own parts (pure, `library/oai.py`): arguments, windows and tokens."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.library import oai

MESSAGES = {"badVerb": "verb", "unknown": "%(name)s", "repeated": "%(name)s",
            "long": "%(name)s", "exclusive": "token", "missing": "%(names)s",
            "syntax": "%(name)s"}
KEY = b"test-key"
UTC = datetime.UTC


def _code(query) -> str:
    with pytest.raises(oai.OaiError) as caught:
        oai.parse(query, MESSAGES)
    return caught.value.code


def test_it_reads_a_request():
    request = oai.parse({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"],
                         "set": ["bao-cao:2025"]}, MESSAGES)
    assert request.verb == "ListRecords"
    assert request.arguments == {"metadataPrefix": "oai_dc", "set": "bao-cao:2025"}
    assert _code({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc\n"]}) == "badArgument"
    assert _code({"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"],
                  "set": ["a::b"]}) == "badArgument"


def test_a_window_covers_whole_days_and_seconds():
    days = oai.window("2026-03-01", "2026-03-02", "bad")
    assert (days.start, days.end) == (datetime.datetime(2026, 3, 1, tzinfo=UTC),
                                      datetime.datetime(2026, 3, 3, tzinfo=UTC))
    seconds = oai.window(None, "2026-03-01T10:00:00Z", "bad")
    assert seconds == oai.Window(None, datetime.datetime(2026, 3, 1, 10, 0, 1, tzinfo=UTC))
    for start, end in (("2026-03-01", "2026-03-01T00:00:00Z"), ("2026-03-02", "2026-03-01"),
                       ("٢٠٢٦-03-01", None), ("2026-03-01T10:00:00+07:00", None),
                       ("2026-13-01", None)):
        with pytest.raises(oai.OaiError):
            oai.window(start, end, "bad")


@given(st.builds(
    oai.Token, verb=st.sampled_from(["ListRecords", "ListIdentifiers"]),
    prefix=st.text(max_size=20), start=st.none() | st.text(max_size=20),
    end=st.none() | st.text(max_size=20), set_spec=st.none() | st.text(max_size=30),
    after=st.none() | st.tuples(st.text(max_size=40), st.integers(0, 2**62),
                                st.sampled_from([0, 1])),
    cursor=st.integers(0, 10**9)))
def test_a_token_comes_back_as_it_was_and_only_for_its_verb(token):
    text = oai.encode_token(token, KEY)
    assert oai.decode_token(text, token.verb, KEY, "bad") == token
    other = "ListIdentifiers" if token.verb == "ListRecords" else "ListRecords"
    for verb, key, changed in ((other, KEY, text), (token.verb, b"other", text),
                               (token.verb, KEY, "x" + text)):
        with pytest.raises(oai.OaiError) as caught:
            oai.decode_token(changed, verb, key, "bad")
        assert caught.value.code == "badResumptionToken"


def test_a_token_of_an_unknown_kind_of_item_is_refused():
    for after in ([["2026-03-01T08:00:00+00:00", 5, 2]], [["2026-03-01T08:00:00+00:00", 5, -1]]):
        state = {"v": "ListRecords", "m": "oai_dc", "f": None, "u": None, "s": None,
                 "a": after[0], "c": 1}
        body = base64.urlsafe_b64encode(json.dumps(state).encode()).rstrip(b"=")
        forged = f"{body.decode()}.{oai._signature(KEY, body)}"
        with pytest.raises(oai.OaiError) as caught:
            oai.decode_token(forged, "ListRecords", KEY, "bad")
        assert caught.value.code == "badResumptionToken"


def test_identifiers_keep_any_local_identifier():
    for local in ("TL-1", "45/2022/NĐ-CP", "a b%c"):
        identifier = oai.oai_identifier("thuvien.example.vn", local)
        assert " " not in identifier
        assert oai.local_identifier("thuvien.example.vn", identifier) == local
    assert oai.local_identifier("thuvien.example.vn", "oai:other.vn:TL-1") is None
