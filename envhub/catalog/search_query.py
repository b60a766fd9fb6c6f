"""The query language of CKAN's `package_search`: the part of Solr's syntax that harvesters
send in `q` and `fq`.

    tags:"nước thải"  province:75  -access_class:shared  NOT groups:heal
    res_format:(GEOJSON OR XLSX)  metadata_modified:[2025-01-01T00:00:00Z TO *]

A clause is `[+-]field:value`, the value a bare run of non-space characters, a quoted phrase
(backslash escapes), a `(a OR b)` group or a `[low TO high]` range; `NOT` before a clause negates
it; `AND`, `&&` and `*:*` say nothing. In `fq` everything must be a clause; in `q` the words
around the clauses are the text searched for.

Pure module (no Django): `catalog.ckan` turns the clauses into filters and `QuerySyntaxError` into
CKAN's Validation Error. Public input, so the parser is linear by construction: one scan from
left to right, each character read once, except that looking for the end of a quoted, bracketed
or parenthesised value reads ahead; a look-ahead that finds no end is remembered, so that no
later value of that kind looks again (an unclosed value is then read as a bare one).
"""

from __future__ import annotations

from dataclasses import dataclass

SEARCH_FIELDS = frozenset({
    "tags", "groups", "organization", "res_format", "province", "access_class", "frequency",
    "license_id", "name", "id", "dataset_type", "type", "state", "capacity", "private",
    "metadata_modified", "metadata_created"})
ALIASES = {"tag": "tags", "theme": "groups", "group": "groups", "owner_org": "organization",
           "format": "res_format", "accrual_periodicity": "frequency"}
RANGE_FIELDS = frozenset({"metadata_modified", "metadata_created"})
# Words that join clauses without changing them.
IGNORED = frozenset({"AND", "NOT", "&&", "*:*"})
ALTERNATIVES = frozenset({"OR", "||"})
_FIELD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_.")
_CLOSERS = {'"': '"', "[": "]", "(": ")"}


class QuerySyntaxError(ValueError):
    """Why a query cannot be read: `problem` is `unknown_field` (then `field` names it),
    `not_understood` (text or `OR` between the clauses of a filter) or `range_not_allowed`
    (a `[a TO b]` range on a field that is not a date)."""

    def __init__(self, problem: str, field: str | None = None):
        super().__init__(problem if field is None else f"{problem}: {field}")
        self.problem = problem
        self.field = field


@dataclass(frozen=True)
class Clause:
    field: str  # the field's own name (aliases resolved)
    values: tuple[str, ...] = ()  # alternatives (OR), unquoted and normalised
    negated: bool = False
    is_range: bool = False
    low: str | None = None  # a range's ends as written ("*" for open); low = high for one date
    high: str | None = None


@dataclass(frozen=True)
class Query:
    clauses: tuple[Clause, ...]
    text: str  # the words around the clauses, single-spaced (only `q` has any)


@dataclass(frozen=True)
class _Word:
    text: str


@dataclass(frozen=True)
class _RawClause:
    sign: str
    field: str
    value: str
    text: str  # the clause as written


def parse(text: str, *, free_text: bool = False) -> Query:
    """The clauses of `text` and, with `free_text` (CKAN's `q`), the words around them; without
    it (`fq`) anything but clauses is a QuerySyntaxError."""
    clauses: list[Clause] = []
    words: list[str] = []
    negate_next = False
    for item in _Scanner(text or "").items():
        if isinstance(item, _Word):
            word = item.text.upper()
            if not free_text and word in ALTERNATIVES:
                raise QuerySyntaxError("not_understood")
            negate_next = word == "NOT"
            if word not in IGNORED:
                words.append(item.text)
            continue
        name = ALIASES.get(item.field, item.field)
        if name not in SEARCH_FIELDS:
            if not free_text:
                raise QuerySyntaxError("unknown_field", item.field)
            words.append(item.text)
        else:
            clauses.append(_clause(name, item.value, item.sign == "-" or negate_next))
        negate_next = False
    if words and not free_text:
        raise QuerySyntaxError("not_understood")
    return Query(tuple(clauses), " ".join(words))


def _clause(name: str, raw: str, negated: bool) -> Clause:
    ends = _range(raw)
    if name in RANGE_FIELDS:
        if ends is None:
            moment = unquote(raw).strip()
            return Clause(name, negated=negated, is_range=True, low=moment, high=moment)
        return Clause(name, negated=negated, is_range=True, low=ends[0], high=ends[1])
    if ends is not None:
        raise QuerySyntaxError("range_not_allowed", name)
    if len(raw) >= 2 and raw[0] == "(" and raw[-1] == ")":
        values = tuple(normalise(name, unquote(part)) for part in _alternatives(raw[1:-1]))
    else:
        values = (normalise(name, unquote(raw)),)
    return Clause(name, values, negated)


def _range(raw: str) -> tuple[str, str] | None:
    """`[low TO high]` → (low, high); None when `raw` is not a range."""
    if len(raw) < 2 or raw[0] != "[" or raw[-1] != "]":
        return None
    parts = raw[1:-1].split()
    if len(parts) != 3 or parts[1].upper() != "TO":
        return None
    return parts[0], parts[2]


def _alternatives(inner: str) -> list[str]:
    """`a OR "b c" || d` → ['a', '"b c"', 'd'] (words between the ORs, single-spaced)."""
    groups: list[list[str]] = [[]]
    for word in inner.split():
        if word.upper() in ALTERNATIVES:
            groups.append([])
        else:
            groups[-1].append(word)
    return [" ".join(group) for group in groups if group]


def unquote(value: str) -> str:
    """A value without its quotes and backslash escapes: `"a \\"b\\""` → `a "b"`."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if "\\" not in value:
        return value
    out: list[str] = []
    escaped = False
    for character in value:
        if escaped or character != "\\":
            out.append(character)
            escaped = False
        else:
            escaped = True
    return "".join(out)


def normalise(name: str, value: str) -> str:
    """A filter value as the catalogue spells that field's values."""
    value = value.strip()
    if name in ("groups", "access_class", "state", "capacity", "private"):
        return value.lower()
    if name in ("res_format", "frequency"):
        return value.upper()
    return value


class _Scanner:
    """Splits a query into words and clauses in one pass (see the module's docstring)."""

    def __init__(self, text: str):
        self.text = text
        self.length = len(text)
        # Per kind of closing character: a position from which it is known not to occur.
        self.unclosed_from: dict[str, int] = {}

    def items(self) -> list[_Word | _RawClause]:
        found: list[_Word | _RawClause] = []
        position = self._skip_space(0)
        while position < self.length:
            item, position = self._item(position)
            found.append(item)
            position = self._skip_space(position)
        return found

    def _skip_space(self, position: int) -> int:
        while position < self.length and self.text[position].isspace():
            position += 1
        return position

    def _bare_end(self, position: int) -> int:
        while position < self.length and not self.text[position].isspace():
            position += 1
        return position

    def _item(self, start: int) -> tuple[_Word | _RawClause, int]:
        """The word or clause at `start` (not a space), and where it ends."""
        position = start
        sign = self.text[position] if self.text[position] in "+-" else ""
        position += len(sign)
        field_start = position
        while position < self.length and self.text[position] in _FIELD_CHARACTERS:
            position += 1
        field = self.text[field_start:position]
        value_start = position + 1
        if (not field or value_start >= self.length or self.text[position] != ":"
                or self.text[value_start].isspace()):
            end = self._bare_end(position)
            return _Word(self.text[start:end]), end
        end = self._value_end(value_start)
        return _RawClause(sign, field, self.text[value_start:end], self.text[start:end]), end

    def _value_end(self, start: int) -> int:
        """Where the value starting at `start` ends: after its closing character, or at the
        next space when it opens with none or is never closed."""
        closer = _CLOSERS.get(self.text[start])
        if closer is not None:
            closing = self._closing(start + 1, closer)
            if closing >= 0:
                return closing + 1
        return self._bare_end(start)

    def _closing(self, start: int, closer: str) -> int:
        """The position of `closer` at or after `start` (a quote not escaped), or -1."""
        if start >= self.unclosed_from.get(closer, self.length + 1):
            return -1
        position = start
        while position < self.length:
            character = self.text[position]
            if character == closer:
                return position
            # Only a quoted phrase has escapes; skipping the escaped character keeps every
            # later look-ahead for a quote aligned with this one.
            position += 2 if character == "\\" and closer == '"' else 1
        self.unclosed_from[closer] = start
        return -1
