"""A library document as simple Dublin Core (the fifteen elements of DCMES 1.1): as a mapping
of element → values for JSON, and as an `oai_dc:dc` XML element for the per-document download
and for OAI-PMH.

Pure module: it reads a document's attributes (any object with the `Document` fields) and the
few facts the caller looks up (province names, media types, the page's address); it imports
nothing from Django. XML is written, never parsed, here: text is escaped and the characters
XML 1.0 forbids (control characters a scanned title may carry) are dropped.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date",
            "type", "format", "identifier", "source", "language", "relation", "coverage",
            "rights")

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# The DCMI Type Vocabulary term of each library type: a map is an image, the rest are texts
# (a scanned archive is still a text once recognised).
DCMI_TYPES = {"map": "Image"}

# Characters outside XML 1.0's Char production (C0 controls except tab, newline and carriage
# return; the surrogates; U+FFFE and U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` escaped for XML character data, without the characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", value))


def xml_attribute(value: str) -> str:
    """`value` as a quoted XML attribute value."""
    return quoteattr(_NOT_XML.sub("", value))


def _date(document) -> str:
    """The date of issue, else `date`, as ISO 8601; a year alone when only the year is known."""
    day = document.issued_on or document.date
    if isinstance(day, datetime.date):
        return day.isoformat()
    return str(document.year) if document.year else ""


def _distinct(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def elements(document, *, provinces: Sequence[str] = (), media_types: Sequence[str] = (),
             type_label: str = "", page_url: str = "",
             collection_title: str = "") -> dict[str, list[str]]:
    """The document's Dublin Core: every one of the fifteen elements, each a list of values
    (empty when the document says nothing).

    The archival fields go where Dublin Core has room for them: the issuing body (cơ quan ban
    hành) is a creator, the signer a contributor, the number and symbol ("45/2022/NĐ-CP") an
    identifier beside the library's own and the page's address, the provinces the coverage."""
    return {
        "title": _distinct([document.title]),
        "creator": _distinct([document.creator, document.issuing_body]),
        "subject": _distinct(document.subjects or []),
        "description": _distinct([document.description]),
        "publisher": _distinct([document.publisher]),
        "contributor": _distinct([document.contributor, document.signer]),
        "date": _distinct([_date(document)]),
        "type": _distinct([DCMI_TYPES.get(document.type, "Text"), type_label]),
        "format": _distinct(media_types),
        "identifier": _distinct([document.identifier, document.number_and_symbol, page_url]),
        "source": _distinct([document.source]),
        "language": _distinct([document.language]),
        "relation": _distinct([document.relation, collection_title]),
        "coverage": _distinct([document.coverage, *provinces]),
        "rights": _distinct([document.rights]),
    }


def oai_dc_xml(values: Mapping[str, Sequence[str]], *, declaration: bool = False,
               indent: str = "") -> str:
    """The `oai_dc:dc` element of `values` (element → values), valid against oai_dc.xsd;
    `declaration` makes it a whole XML document."""
    lines = [f'{indent}<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
             f'xmlns:xsi="{XSI_NS}" xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">']
    for name in ELEMENTS:
        for value in values.get(name, ()):
            lines.append(f"{indent}  <dc:{name}>{xml_text(value)}</dc:{name}>")
    lines.append(f"{indent}</oai_dc:dc>")
    text = "\n".join(lines)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n' if declaration else text
