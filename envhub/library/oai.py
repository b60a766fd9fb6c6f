"""OAI-PMH 2.0, the protocol's own parts: which arguments each verb takes, datestamps and their
granularity, resumption tokens, the error conditions, and the XML of every answer.

Pure module (no Django): `oai_views.py` reads the documents and hands plain records here. A
resumption token carries the request it continues and the last record given (the keyset of
`(datestamp, id)`), signed with HMAC-SHA256 so that a harvester cannot forge one that reaches
past what the list holds; it never expires, since a keyset stays valid whatever is added.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from envhub.library.dublin_core import OAI_DC_NS, OAI_DC_SCHEMA, xml_attribute, xml_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
METADATA_FORMATS = {"oai_dc": (OAI_DC_SCHEMA, OAI_DC_NS)}

# verb → (required arguments, optional arguments); `resumptionToken` is exclusive.
VERBS: dict[str, tuple[frozenset, frozenset]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}),
                        frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}),
                    frozenset({"from", "until", "set", "resumptionToken"})),
}
MAX_ARGUMENT = 500  # characters: every public input has a cap

# The protocol's patterns: the local part of an identifier (percent-encoded beyond these).
_LOCAL_SAFE = "-_.!~*'();/?:@&=+$,"
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The schema's syntax of the arguments echoed in the answer's `request` element: a value that
# breaks it is a badArgument, so that every answer stays valid.
_SYNTAX = {
    "metadataPrefix": re.compile(r"[A-Za-z0-9\-_.!~*'()]+"),
    "set": re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*"),
    "identifier": re.compile(r"[^\s\x00-\x1f\x7f]+"),
}
_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class OaiError(Exception):
    """One of the protocol's error conditions (answered with HTTP 200 and `<error>`)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    """A checked request: the verb and its arguments as the harvester gave them."""

    verb: str
    arguments: dict[str, str]

    def get(self, name: str) -> str | None:
        return self.arguments.get(name)


def parse(query: Mapping[str, Sequence[str]], messages: Mapping[str, str]) -> Request:
    """The request in `query` (argument → every value given), or OaiError: badVerb for a
    missing, repeated or unknown verb; badArgument for an argument given twice, unknown to the
    verb, missing, too long, of the wrong syntax, or beside an exclusive resumptionToken.
    `messages` words them."""
    verbs = query.get("verb") or []
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", messages["badVerb"])
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments: dict[str, str] = {}
    for name, values in query.items():
        if name == "verb":
            continue
        if name not in required | optional:
            raise OaiError("badArgument", messages["unknown"] % {"name": name[:50]})
        if len(values) != 1:
            raise OaiError("badArgument", messages["repeated"] % {"name": name})
        if len(values[0]) > MAX_ARGUMENT:
            raise OaiError("badArgument", messages["long"] % {"name": name})
        if name in _SYNTAX and not _SYNTAX[name].fullmatch(values[0]):
            raise OaiError("badArgument", messages["syntax"] % {"name": name})
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OaiError("badArgument", messages["exclusive"])
    else:
        missing = sorted(required - set(arguments))
        if missing:
            raise OaiError("badArgument", messages["missing"] % {"names": ", ".join(missing)})
    return Request(verb, arguments)


# --- datestamps -------------------------------------------------------------------------------

def datestamp(moment: datetime.datetime) -> str:
    """A UTC instant at the repository's granularity (seconds)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Window:
    """The selective harvest's `[start, end)` on the records' instants (None: open)."""

    start: datetime.datetime | None = None
    end: datetime.datetime | None = None


def window(start_text: str | None, end_text: str | None, message: str) -> Window:
    """`from` and `until` as bounds: a day covers itself whole, a second every instant within
    it (datestamps are shown to the second). Both must have the same granularity, `from` not
    after `until` (badArgument otherwise, worded by `message`)."""
    bounds: list[tuple[str, datetime.datetime, datetime.timedelta] | None] = []
    for text in (start_text, end_text):
        if text is None:
            bounds.append(None)
            continue
        try:
            if _DAY.fullmatch(text):
                day = datetime.date.fromisoformat(text)
                moment = datetime.datetime.combine(day, datetime.time(), datetime.UTC)
                bounds.append(("day", moment, datetime.timedelta(days=1)))
            elif _SECOND.fullmatch(text):
                moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
                    tzinfo=datetime.UTC)
                bounds.append(("second", moment, datetime.timedelta(seconds=1)))
            else:
                raise ValueError(text)
        except ValueError:
            raise OaiError("badArgument", message) from None
    first, last = bounds
    if first and last and (first[0] != last[0] or first[1] > last[1]):
        raise OaiError("badArgument", message)
    return Window(first[1] if first else None, last[1] + last[2] if last else None)


# --- identifiers ------------------------------------------------------------------------------

def oai_identifier(repository: str, local: str) -> str:
    return f"oai:{repository}:{quote(local, safe=_LOCAL_SAFE)}"


def local_identifier(repository: str, identifier: str) -> str | None:
    """The library's identifier in an OAI identifier of this repository, else None."""
    prefix = f"oai:{repository}:"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        return None
    return unquote(identifier[len(prefix):])


# --- resumption tokens ------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    """Where a list stands: the request it continues, the last record given (its instant as
    ISO 8601 with microseconds, and id) and how many records were given before."""

    verb: str
    prefix: str = ""
    start: str | None = None  # the request's `from`
    end: str | None = None  # the request's `until`
    set_spec: str | None = None
    # The last item given: (instant, id, kind) — kind 0 a record, 1 a deleted one's
    # tombstone, which comes after the records of the same instant.
    after: tuple[str, int, int] | None = None
    cursor: int = 0


def _signature(key: bytes, body: bytes) -> str:
    digest = hmac.new(key, body, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def encode_token(token: Token, key: bytes) -> str:
    state = {"v": token.verb, "m": token.prefix, "f": token.start, "u": token.end,
             "s": token.set_spec, "a": list(token.after) if token.after else None,
             "c": token.cursor}
    body = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode())
    body = body.rstrip(b"=")
    return f"{body.decode('ascii')}.{_signature(key, body)}"


def decode_token(text: str, verb: str, key: bytes, message: str) -> Token:
    """The token of `text` for `verb`; badResumptionToken when it was not made here, was
    changed, or belongs to another verb."""
    body, _dot, signature = text.partition(".")
    if not signature or not hmac.compare_digest(signature, _signature(key, body.encode())):
        raise OaiError("badResumptionToken", message)
    try:
        state = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        after = state["a"]
        token = Token(verb=state["v"], prefix=state["m"], start=state["f"], end=state["u"],
                      set_spec=state["s"], cursor=int(state["c"]),
                      after=(str(after[0]), int(after[1]), int(after[2]) if len(after) > 2
                             else 0) if after else None)
    except (ValueError, KeyError, TypeError, IndexError):
        raise OaiError("badResumptionToken", message) from None
    if token.verb != verb or (token.after is not None and token.after[2] not in (0, 1)):
        raise OaiError("badResumptionToken", message)
    return token


# --- the answers ------------------------------------------------------------------------------

@dataclass
class Header:
    identifier: str
    datestamp: str
    sets: list[str] = field(default_factory=list)
    deleted: bool = False  # a tombstone: `status="deleted"`, no metadata


@dataclass
class Record:
    header: Header
    metadata: str | None  # the XML of the metadata element's content; None when deleted


@dataclass
class Page:
    """One page of a list: its items, and the resumption token that follows it (None on the
    only page of a complete list; "" on the last page of a list given in several)."""

    items: list
    token: str | None
    complete_size: int
    cursor: int


def envelope(base_url: str, response_date: str, request: Request | None, body: str) -> str:
    """The whole answer. `request` None: a badVerb or badArgument answer, whose `request`
    element carries the base URL alone, as the protocol asks."""
    attributes = ""
    if request is not None:
        attributes = f" verb={xml_attribute(request.verb)}" + "".join(
            f" {name}={xml_attribute(value)}" for name, value in sorted(request.arguments.items()))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
        f"  <responseDate>{response_date}</responseDate>\n"
        f"  <request{attributes}>{xml_text(base_url)}</request>\n"
        f"{body}\n</OAI-PMH>\n")


def error(code: str, message: str) -> str:
    return f'  <error code="{code}">{xml_text(message)}</error>'


def identify(*, name: str, base_url: str, admin_emails: Iterable[str], earliest: str,
             deleted_record: str = "persistent") -> str:
    emails = "".join(f"    <adminEmail>{xml_text(e)}</adminEmail>\n" for e in admin_emails)
    return (
        "  <Identify>\n"
        f"    <repositoryName>{xml_text(name)}</repositoryName>\n"
        f"    <baseURL>{xml_text(base_url)}</baseURL>\n"
        "    <protocolVersion>2.0</protocolVersion>\n"
        f"{emails}"
        f"    <earliestDatestamp>{earliest}</earliestDatestamp>\n"
        f"    <deletedRecord>{deleted_record}</deletedRecord>\n"
        f"    <granularity>{GRANULARITY}</granularity>\n"
        "  </Identify>")


def list_metadata_formats() -> str:
    formats = "".join(
        "    <metadataFormat>\n"
        f"      <metadataPrefix>{prefix}</metadataPrefix>\n"
        f"      <schema>{schema}</schema>\n"
        f"      <metadataNamespace>{namespace}</metadataNamespace>\n"
        "    </metadataFormat>\n" for prefix, (schema, namespace) in METADATA_FORMATS.items())
    return f"  <ListMetadataFormats>\n{formats}  </ListMetadataFormats>"


def _token(page: Page) -> str:
    if page.token is None:
        return ""
    return (f'    <resumptionToken completeListSize="{page.complete_size}" '
            f'cursor="{page.cursor}">{xml_text(page.token)}</resumptionToken>\n')


def list_sets(sets: Sequence[tuple[str, str]]) -> str:
    items = "".join(f"    <set>\n      <setSpec>{xml_text(spec)}</setSpec>\n"
                    f"      <setName>{xml_text(name)}</setName>\n    </set>\n"
                    for spec, name in sets)
    return f"  <ListSets>\n{items}  </ListSets>"


def _header(header: Header, indent: str) -> str:
    sets = "".join(f"{indent}  <setSpec>{xml_text(spec)}</setSpec>\n" for spec in header.sets)
    status = ' status="deleted"' if header.deleted else ""
    return (f"{indent}<header{status}>\n"
            f"{indent}  <identifier>{xml_text(header.identifier)}</identifier>\n"
            f"{indent}  <datestamp>{header.datestamp}</datestamp>\n"
            f"{sets}{indent}</header>\n")


def _record(record: Record, indent: str) -> str:
    metadata = "" if record.metadata is None else (
        f"{indent}  <metadata>\n{record.metadata}\n{indent}  </metadata>\n")
    return f"{indent}<record>\n{_header(record.header, indent + '  ')}{metadata}{indent}</record>\n"


def get_record(record: Record) -> str:
    return f"  <GetRecord>\n{_record(record, '    ')}  </GetRecord>"


def list_identifiers(page: Page) -> str:
    headers = "".join(_header(header, "    ") for header in page.items)
    return f"  <ListIdentifiers>\n{headers}{_token(page)}  </ListIdentifiers>"


def list_records(page: Page) -> str:
    records = "".join(_record(record, "    ") for record in page.items)
    return f"  <ListRecords>\n{records}{_token(page)}  </ListRecords>"
