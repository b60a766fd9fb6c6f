"""The vendored XML Schemas (tests/library/schemas/README.md) and a safe parser: no entity
resolution, no DTD, no network."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
      "dc": "http://purl.org/dc/elements/1.1/"}


def parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False)


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name), parser()))


def valid(content: bytes, schema: str = "harvest.xsd") -> etree._Element:
    """The parsed document, after asserting it is valid against `schema`."""
    root = etree.fromstring(content, parser())
    checker = _schema(schema)
    assert checker.validate(root), checker.error_log
    return root
