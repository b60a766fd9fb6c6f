"""Dublin Core of a document (pure): where each field goes, and XML that stays valid against
oai_dc.xsd whatever text a field holds."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from envhub.library.dublin_core import ELEMENTS, elements, oai_dc_xml
from tests.library.oai_schemas import NS, valid


def _document(**fields) -> SimpleNamespace:
    values = {
        "identifier": "TL-9", "title": "Nghị định quy định xử phạt vi phạm hành chính",
        "creator": "", "subjects": [], "description": "", "publisher": "", "contributor": "",
        "date": None, "issued_on": None, "year": None, "type": "other", "source": "",
        "language": "vi", "relation": "", "coverage": "", "rights": "", "issuing_body": "",
        "signer": "", "number": "", "symbol": "",
    }
    values.update(fields)
    document = SimpleNamespace(**values)
    document.number_and_symbol = "/".join(p for p in (document.number, document.symbol) if p)
    return document


def test_it_places_the_archival_fields():
    document = _document(
        creator="Chính phủ", issuing_body="Chính phủ", signer="Lê Minh Khái",
        contributor="Bộ Tài nguyên và Môi trường", number="45", symbol="2022/NĐ-CP",
        issued_on=datetime.date(2022, 7, 7), date=datetime.date(2022, 8, 25), type="legal",
        subjects=["xử phạt", "môi trường", "xử phạt"], coverage="Toàn quốc")
    values = elements(document, provinces=["Thành phố Hà Nội"], media_types=["application/pdf"],
                      type_label="Văn bản quy phạm pháp luật",
                      page_url="https://x.vn/library/documents/TL-9/",
                      collection_title="Văn bản pháp luật")
    assert list(values) == list(ELEMENTS)
    assert values["creator"] == ["Chính phủ"]  # the same body once
    assert values["contributor"] == ["Bộ Tài nguyên và Môi trường", "Lê Minh Khái"]
    assert values["date"] == ["2022-07-07"]  # the date of issue before `date`
    assert values["identifier"] == ["TL-9", "45/2022/NĐ-CP", "https://x.vn/library/documents/TL-9/"]
    assert values["subject"] == ["xử phạt", "môi trường"]
    assert values["type"] == ["Text", "Văn bản quy phạm pháp luật"]
    assert values["coverage"] == ["Toàn quốc", "Thành phố Hà Nội"]
    assert values["relation"] == ["Văn bản pháp luật"]
    assert values["format"] == ["application/pdf"]
    assert values["rights"] == [] and values["source"] == []


def test_a_map_is_an_image_and_a_year_alone_stays_a_year():
    values = elements(_document(type="map", year=1998))
    assert values["type"] == ["Image"]
    assert values["date"] == ["1998"]


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_any_title_gives_valid_oai_dc(title):
    xml = oai_dc_xml(elements(_document(title=title)), declaration=True)
    root = valid(xml.encode("utf-8"), "oai_dc.xsd")
    shown = root.findtext("dc:title", namespaces=NS)
    kept = "".join(ch for ch in title.strip() if ch in "\t\n\r" or (
        ch >= " " and not "\ud800" <= ch <= "\udfff" and ch not in "\ufffe\uffff"))
    if kept.strip():
        # XML normalises line ends; the rest comes back as written.
        assert shown.replace("\n", "") == kept.replace("\r\n", "\n").replace("\r", "\n") \
            .replace("\n", "")
