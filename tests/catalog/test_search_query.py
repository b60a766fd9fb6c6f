"""The CKAN query parser (`catalog.search_query`): what it reads, and that any text — random or
built to hurt — costs it work in proportion to its length and never an error of another kind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.catalog.search_query import Clause, Query, QuerySyntaxError, parse


class CountingText(str):
    """A string that counts how often the parser reads it (a character or a slice at a time)."""

    reads = 0

    def __getitem__(self, key):
        CountingText.reads += 1
        return super().__getitem__(key)


def reads_to_parse(text: str, free_text: bool) -> int:
    CountingText.reads = 0
    try:
        parse(CountingText(text), free_text=free_text)
    except QuerySyntaxError:
        pass
    return CountingText.reads


# The scan looks at a character a few times (its kind, then within its word or value), and each
# of the three look-aheads for a closing quote, bracket or parenthesis at most once more: a few
# reads per character, whatever the text (a quadratic scan would read thousands per character).
READS_PER_CHARACTER = 8


@pytest.mark.parametrize(("text", "free_text", "expected"), [
    ("province:75", False, Query((Clause("province", ("75",)),), "")),
    ("+province:75 AND -access_class:Shared", False, Query((
        Clause("province", ("75",)), Clause("access_class", ("shared",), negated=True)), "")),
    ("NOT groups:HEAL", False, Query((Clause("groups", ("heal",), negated=True),), "")),
    ('tags:"nước thải"', False, Query((Clause("tags", ("nước thải",)),), "")),
    ('tags:"a \\"b\\""', False, Query((Clause("tags", ('a "b"',)),), "")),
    ("res_format:(geojson OR XLSX || csv)", False,
     Query((Clause("res_format", ("GEOJSON", "XLSX", "CSV")),), "")),
    ("format:csv theme:envi", False, Query((Clause("res_format", ("CSV",)),
                                            Clause("groups", ("envi",))), "")),
    ("metadata_modified:[2025-01-01 TO *]", False, Query((Clause(
        "metadata_modified", is_range=True, low="2025-01-01", high="*"),), "")),
    ("metadata_created:2025-01-01", False, Query((Clause(
        "metadata_created", is_range=True, low="2025-01-01", high="2025-01-01"),), "")),
    ("tags:a groups:b", False, Query((Clause("tags", ("a",)), Clause("groups", ("b",))), "")),
    ('tags:"a"groups:b', False, Query((Clause("tags", ("a",)), Clause("groups", ("b",))), "")),
    # An unclosed value is a bare one.
    ('tags:"nuoc thai', True, Query((Clause("tags", ('"nuoc',)),), "thai")),
    ("tags:[abc", True, Query((Clause("tags", ("[abc",)),), "")),
    # q: the words around the clauses, unknown fields kept as words, *:* and AND dropped.
    ("dong nai province:75", True, Query((Clause("province", ("75",)),), "dong nai")),
    ("*:* AND", True, Query((), "")),
    ("colour:blue sky", True, Query((), "colour:blue sky")),
    ("a OR b", True, Query((), "a OR b")),
    ("tags: x", True, Query((), "tags: x")),
    ("", False, Query((), "")),
])
def test_it_reads_clauses_and_words(text, free_text, expected):
    assert parse(text, free_text=free_text) == expected


@pytest.mark.parametrize(("text", "problem", "field"), [
    ("colour:blue", "unknown_field", "colour"),
    ("province:01 OR province:75", "not_understood", None),
    ("province:01 words", "not_understood", None),
    ("tags:[a TO b]", "range_not_allowed", "tags"),
])
def test_a_filter_that_is_not_all_clauses_is_refused(text, problem, field):
    with pytest.raises(QuerySyntaxError) as raised:
        parse(text)
    assert (raised.value.problem, raised.value.field) == (problem, field)


ADVERSARIAL = [
    "a" * 100_000,
    "tags:" * 20_000,
    "a:" * 50_000,
    '"' * 100_000,
    'tags:"' * 20_000,
    'tags:"\\' * 20_000,
    "tags:[" * 20_000,
    "tags:(" * 20_000,
    "tags:(a OR " * 10_000,
    " " * 100_000,
    "(" * 100_000 + ")" * 100_000,
    "[" * 100_000,
    "-" * 100_000,
    "tags:a" * 20_000,
    "metadata_modified:[" + "x " * 50_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda text: f"{text[:8]!r}x{len(text)}")
@pytest.mark.parametrize("free_text", [True, False])
def test_its_work_is_linear_on_hostile_text(text, free_text):
    assert reads_to_parse(text, free_text) <= READS_PER_CHARACTER * len(text) + 10


def test_twice_the_text_costs_at_most_twice_the_work():
    for unit in ("a", 'tags:"', "tags:[", "a:", 'x:"\\'):
        small = reads_to_parse(unit * 5_000, True)
        assert reads_to_parse(unit * 10_000, True) <= 2 * small + 10


QUERY_CHARACTERS = st.sampled_from(list('aZ_.:"\\[]()+- \tORTN*&|đ7'))
QUERY_PIECES = st.sampled_from(["tags:", "province:", "colour:", "metadata_modified:", " OR ",
                                " TO ", " NOT ", "AND", '"', "[", "]", "(", ")", "\\", " ",
                                "*:*", "nước", "-", "+"])
QUERIES = st.one_of(st.text(QUERY_CHARACTERS, max_size=300),
                    st.lists(QUERY_PIECES, max_size=120).map("".join),
                    st.text(max_size=200))


@settings(max_examples=400, deadline=None)
@given(text=QUERIES, free_text=st.booleans())
def test_any_text_is_parsed_or_refused_with_its_own_error(text, free_text):
    try:
        query = parse(text, free_text=free_text)
    except QuerySyntaxError as error:
        assert error.problem in ("unknown_field", "not_understood", "range_not_allowed")
        return
    assert all(isinstance(clause, Clause) for clause in query.clauses)
    assert free_text or query.text == ""
    assert reads_to_parse(text, free_text) <= READS_PER_CHARACTER * len(text) + 10


@settings(max_examples=200, deadline=None)
@given(unit=st.lists(QUERY_PIECES, min_size=1, max_size=6).map("".join),
       times=st.integers(min_value=200, max_value=2_000))
def test_repeated_pieces_cost_linear_work(unit, times):
    text = unit * times
    assert reads_to_parse(text, True) <= READS_PER_CHARACTER * len(text) + 10
