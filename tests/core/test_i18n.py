"""The Vietnamese catalogue: complete, compiled, faithful to its placeholders, and used.

The catalogue is read with a small pure-Python reader (no gettext tools needed), and the compiled
`.mo` with another, so the tests run wherever Python does. The coverage test scans the code the
way `make messages` would (Python with `ast`, templates with Django's own `templatize`): a string
added without refreshing the catalogue fails here, named with its file and line.
"""

from __future__ import annotations

import ast
import gettext
import html
import re
import struct
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

import envhub

PACKAGE = Path(envhub.__file__).resolve().parent
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
IGNORED_DIRS = {"locale", "__pycache__"}
IGNORED_PREFIXES = (PACKAGE / "static" / "vendor",)


# --- a small .po reader ------------------------------------------------------------------------

@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry's msgstr
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def translations(self) -> list[str]:
        return [self.msgstr[i] for i in sorted(self.msgstr)]

    def __str__(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    assert literal.startswith('"') and literal.endswith('"'), literal
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), literal[1:-1])


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file, the header (msgid "") included; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
        elif match := _KEYWORD.match(line):
            keyword, index, literal = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if keyword == "msgid":
                entry.line = number
            name = "msgstr" if keyword.startswith("msgstr") else keyword
            target = (name, int(index) if index is not None else 0 if name == "msgstr" else None)
            value = _unquote(literal)
            if name == "msgstr":
                entry.msgstr[target[1]] = value
            else:
                setattr(entry, name, value)
        elif line.startswith('"') and target is not None:
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, getattr(entry, name) + _unquote(line))
        else:
            raise AssertionError(f"django.po:{number}: cannot read {raw!r}")
    finish()
    return entries


@cache
def catalogue() -> tuple[Entry, ...]:
    return tuple(read_po(PO))


@cache
def messages() -> dict[tuple[str | None, str], Entry]:
    """The entries by (context, msgid), header left out."""
    return {e.key: e for e in catalogue() if e.msgid}


def header() -> dict[str, str]:
    (head,) = [e for e in catalogue() if not e.msgid and e.msgctxt is None]
    fields = (line.partition(":") for line in head.msgstr[0].splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, _, value in fields}


def vi(msgid: str) -> str:
    """The Vietnamese of a message, as the catalogue has it."""
    return messages()[(None, msgid)].msgstr[0]


# --- a small .mo reader ------------------------------------------------------------------------

def read_mo(path: Path) -> dict[str, str]:
    data = path.read_bytes()
    (magic,) = struct.unpack("<I", data[:4])
    order = {0x950412DE: "<", 0xDE120495: ">"}[magic]
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])

    def string(table: int, i: int) -> str:
        length, offset = struct.unpack(order + "2I", data[table + 8 * i: table + 8 * i + 8])
        return data[offset: offset + length].decode("utf-8")

    return {string(originals, i): string(translations, i) for i in range(count)}


def _header_lines(header_text: str) -> list[str]:
    return [line for line in header_text.splitlines() if not line.startswith("POT-Creation-Date:")]


def compiled_form(entries) -> dict[str, str]:
    """What msgfmt writes for these entries: translated, non-fuzzy ones (and the header)."""
    compiled = {}
    for e in entries:
        if (e.msgid and "fuzzy" in e.flags) or not all(e.translations):
            continue
        key = (f"{e.msgctxt}\x04" if e.msgctxt is not None else "") + e.msgid
        if e.msgid_plural is not None:
            key += "\0" + e.msgid_plural
        compiled[key] = "\0".join(e.translations)
    return compiled


# --- the catalogue itself ----------------------------------------------------------------------

def test_the_catalogue_is_read_whole():
    # Guards the reader: every msgid line of the file is one entry.
    msgid_lines = sum(1 for line in PO.read_text("utf-8").splitlines() if line.startswith("msgid "))
    assert len(catalogue()) == msgid_lines
    assert len(messages()) > 250


def test_the_header_declares_vietnamese_with_one_plural_form():
    head = header()
    assert head["Language"] == "vi"
    assert "charset=UTF-8" in head["Content-Type"]
    assert head["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    (entry,) = [e for e in catalogue() if not e.msgid]
    assert "fuzzy" not in entry.flags


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = []
    for e in messages().values():
        if "fuzzy" in e.flags:
            problems.append(f"{e}: fuzzy")
        # Vietnamese has one plural form, so a plural entry has msgstr[0] only.
        if sorted(e.msgstr) != [0]:
            problems.append(f"{e}: has msgstr forms {sorted(e.msgstr)}, expected [0]")
        if not all(t.strip() for t in e.translations):
            problems.append(f"{e}: not translated")
    assert not problems, "\n".join(problems)


def test_the_translations_are_nfc():
    problems = [f"{e}: {t!r}" for e in catalogue() for t in [e.msgid, *e.translations]
                if not unicodedata.is_normalized("NFC", t)]
    assert not problems, "not in Unicode NFC:\n" + "\n".join(problems)


_NAMED = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]")
_POSITIONAL = re.compile(r"%[#0 +-]*\d*(?:\.\d+)?[sdifr]")
_TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}|\{\w+\}")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&#?\w+;")


def placeholders(text: str, python_format: bool) -> dict[str, object]:
    """What a translation must keep of its source: named and template placeholders (as a set),
    positional % placeholders (in order) and HTML tags and entities (as a multiset)."""
    without_literal_percent = text.replace("%%", "")
    return {
        "named": set(_NAMED.findall(without_literal_percent)),
        "template": set(_TEMPLATE_VARIABLE.findall(text)),
        "positional": _POSITIONAL.findall(_NAMED.sub("", without_literal_percent))
        if python_format else [],
        "markup": Counter(_MARKUP.findall(text)),
    }


def test_every_placeholder_is_kept():
    problems = []
    for e in messages().values():
        python_format = "python-format" in e.flags
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural is not None else [])
        expected = placeholders(sources[-1], python_format)
        if e.msgid_plural is not None:
            # A plural's singular may leave out the number; the union is what may be used.
            expected["named"] |= placeholders(e.msgid, python_format)["named"]
        for translation in e.translations:
            found = placeholders(translation, python_format)
            for kind, wanted in expected.items():
                if found[kind] != wanted:
                    problems.append(f"{e}: {kind} {dict(wanted) if kind == 'markup' else wanted}"
                                    f" in the source, {found[kind]} in {translation!r}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_is_up_to_date():
    assert MO.exists(), f"{MO} is missing: run `make messages`"
    compiled = read_mo(MO)
    expected = compiled_form(catalogue())
    stale = sorted(k for k in expected.keys() | compiled.keys()
                   if compiled.get(k) != expected.get(k) and k)
    assert not stale, "django.mo differs from django.po (run `make messages`) for: " + ", ".join(
        repr(k) for k in stale[:20])
    # msgfmt leaves POT-Creation-Date out of the compiled header.
    assert _header_lines(compiled.get("", "")) == _header_lines(expected.get("", "")), (
        "django.mo has another header than django.po (run `make messages`)")

    # And gettext itself reads it back, plural rule included.
    with MO.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    for e in messages().values():
        if e.msgid_plural is None and e.msgctxt is None:
            assert translations.gettext(e.msgid) == e.msgstr[0], e
        elif e.msgctxt is None:
            for n in (0, 1, 2, 5):
                assert translations.ngettext(e.msgid, e.msgid_plural, n) == e.msgstr[0], e


# --- the catalogue covers the code ---------------------------------------------------------------

_SINGULAR = {"_", "gettext", "gettext_lazy", "gettext_noop", "ugettext", "ugettext_lazy"}
_PLURAL = {"ngettext", "ngettext_lazy"}
_CONTEXT = {"pgettext", "pgettext_lazy"}
_CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}


@dataclass(frozen=True)
class Literal:
    where: str
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None


def _source_files(suffixes: tuple[str, ...]):
    for path in sorted(PACKAGE.rglob("*")):
        if (path.suffix in suffixes and path.is_file()
                and not IGNORED_DIRS & set(path.relative_to(PACKAGE).parts)
                and not any(path.is_relative_to(prefix) for prefix in IGNORED_PREFIXES)):
            yield path


def _literals_of_call(call: ast.Call, where: str) -> Literal | None:
    func = call.func
    name = getattr(func, "id", None) or getattr(func, "attr", None)  # _(…) or translation._(…)
    arity = {**dict.fromkeys(_SINGULAR, 1), **dict.fromkeys(_PLURAL, 2),
             **dict.fromkeys(_CONTEXT, 2), **dict.fromkeys(_CONTEXT_PLURAL, 3)}.get(name)
    if arity is None or len(call.args) < arity:
        return None
    args = call.args[:arity]
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
        return None  # not a literal: makemessages cannot see it either
    values = [a.value for a in args]
    if name in _SINGULAR:
        return Literal(where, values[0])
    if name in _PLURAL:
        return Literal(where, values[0], values[1])
    if name in _CONTEXT:
        return Literal(where, values[1], msgctxt=values[0])
    return Literal(where, values[1], values[2], values[0])


def python_literals() -> list[Literal]:
    found = []
    for path in _source_files((".py",)):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                if (literal := _literals_of_call(node, where)) is not None:
                    found.append(literal)
    return found


# Django's `templatize` (what makemessages runs on templates) turns {% translate %} and
# {% blocktranslate %} into gettext calls, with blocktranslate's `{{ x }}` already as `%(x)s`.
_STRING = r"""u?(?:'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
_TEMPLATIZED_CALL = re.compile(rf"\b(n?p?gettext)\(((?:\s*{_STRING}\s*,?)+)")


def template_literals() -> list[Literal]:
    found = []
    for path in _source_files((".html", ".txt")):
        text = path.read_text("utf-8")
        for number, line in enumerate(templatize(text, origin=str(path)).splitlines(), start=1):
            for match in _TEMPLATIZED_CALL.finditer(line):
                name = match.group(1)
                values = [ast.literal_eval(s) for s in re.findall(_STRING, match.group(2))]
                where = f"{path.relative_to(PACKAGE)}:{number}"
                if name == "gettext":
                    found.append(Literal(where, values[0]))
                elif name == "ngettext":
                    found.append(Literal(where, values[0], values[1]))
                elif name == "pgettext":
                    found.append(Literal(where, values[1], msgctxt=values[0]))
                else:
                    found.append(Literal(where, values[1], values[2], values[0]))
    return found


def test_the_scanners_find_the_strings():
    # Guards the scanners themselves, so that the coverage test below cannot pass by finding
    # nothing: one known string of each kind.
    python = {(lit.msgid, lit.msgid_plural) for lit in python_literals()}
    templates = {(lit.msgid, lit.msgid_plural) for lit in template_literals()}
    assert ("Wrong user name or password. Both are case-sensitive.", None) in python
    assert ("For a provincial officer: the provinces they work on. Empty means the "
            "organisation's own province.", None) in python  # implicit concatenation
    assert ("Sign in", None) in templates
    assert ("Main navigation", None) in templates  # single quotes
    assert ("For %(owner)s, valid until %(expires)s.", None) in templates  # blocktranslate
    assert ("%(shown)s station", "%(shown)s stations") in templates  # blocktranslate count
    assert len(python) > 150 and len(templates) > 100


def test_every_string_in_the_code_is_in_the_catalogue():
    known = messages()
    missing = []
    for literal in python_literals() + template_literals():
        entry = known.get((literal.msgctxt, literal.msgid))
        if entry is None:
            missing.append(f"{literal.where}: {literal.msgid!r}")
        elif literal.msgid_plural is not None and entry.msgid_plural != literal.msgid_plural:
            missing.append(f"{literal.where}: {literal.msgid!r} (plural {literal.msgid_plural!r})")
    assert not missing, (
        "not in locale/vi/LC_MESSAGES/django.po — run `make messages` and translate:\n"
        + "\n".join(sorted(set(missing)))
    )


# --- pages and API answers in Vietnamese ---------------------------------------------------------

def _page(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/parameters/"])
def test_pages_are_in_vietnamese_by_default_and_in_english_once_chosen(client, reference, path):
    sign_in = vi("Sign in")
    assert sign_in and sign_in != "Sign in"

    response = client.get(path)
    page = _page(response)
    assert '<html lang="vi">' in page
    assert response["Content-Language"] == "vi"
    assert sign_in in page
    assert "Sign in" not in page

    # The language switch in the header (Django's set_language view, which sets the cookie).
    switched = client.post(reverse("set_language"), {"language": "en", "next": path})
    assert switched.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(path)
    page = _page(response)
    assert '<html lang="en">' in page
    assert response["Content-Language"] == "en"
    assert "Sign in" in page
    assert sign_in not in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/parameters/"])
def test_the_browser_language_does_not_switch_pages(client, reference, path):
    # envhub.core.middleware.LanguageMiddleware: pages follow the visitor's explicit choice
    # (the cookie) only; the API follows Accept-Language (below).
    page = _page(client.get(path, HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="vi">' in page
    assert vi("Sign in") in page

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _page(client.get(path, HTTP_ACCEPT_LANGUAGE="vi"))
    assert '<html lang="en">' in page
    assert "Sign in" in page


@pytest.mark.django_db
def test_api_errors_are_in_vietnamese_by_default_and_in_english_on_request(client, reference):
    english = "Not found, or you do not have access to it."

    response = client.get("/api/v1/provinces/99")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == vi(english)

    response = client.get("/api/v1/provinces/99", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == english
