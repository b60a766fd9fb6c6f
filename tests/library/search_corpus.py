"""A small library for the search tests: five documents at the three access levels, with
Vietnamese titles, metadata and texts chosen so that diacritics, đ/d, phrases, symbols and the
tiers of the order each decide something. Imported by the test modules as a fixture."""

from __future__ import annotations

import datetime

import pytest

from envhub.library import search
from envhub.library.models import AccessLevel, Collection, Document, DocumentText

TEXTS = {
    "DN-2022": "Chất lượng nước sông Đồng Nai năm 2022 đạt quy chuẩn ở phần lớn các điểm "
               "quan trắc; nồng độ NOx tại khu công nghiệp Biên Hòa tăng.",
    "ND-45": "Điều 1. Phạm vi điều chỉnh. Nghị định này quy định về xử phạt vi phạm hành chính "
             "trong lĩnh vực bảo vệ môi trường, đất đai và tài nguyên nước.",
    "HN-KK": "Chất lượng không khí Hà Nội: bụi mịn PM2.5 vượt ngưỡng trong mùa đông. "
             "Nguồn nước mặt không được quan trắc trong đợt này.",
    "DTM-GIAY": "Nhà máy giấy xả nước thải ra sông Đồng Nai; chất lượng nước sau xử lý đạt "
                "cột A của quy chuẩn.",
    "BD-2019": "Bản đồ hiện trạng sử dụng đất tỉnh Đồng Nai.",
}


def _document(collection, identifier, title, level, kind, issued, body, provinces=(),
              allowed=(), **fields):
    document = Document.objects.create(
        collection=collection, identifier=identifier, title=title, access_level=level,
        type=kind, issued_on=issued, issuing_body=body, **fields)
    document.provinces.set(provinces)
    document.allowed_organisations.set(allowed)
    DocumentText.objects.create(document=document, version=1, content=TEXTS[identifier],
                                pages=1, method="text_layer")
    search.index_document(document)
    return document


@pytest.fixture(name="library")
def library_fixture(world) -> dict[str, Document]:
    reports = Collection.objects.create(code="bao-cao", title="Báo cáo môi trường")
    laws = Collection.objects.create(code="van-ban", title="Văn bản pháp luật")
    hanoi, dongnai = world.hanoi, world.dongnai
    return {document.identifier: document for document in [
        _document(reports, "DN-2022", "Báo cáo hiện trạng môi trường tỉnh Đồng Nai",
                  AccessLevel.PUBLIC, "state_of_environment", datetime.date(2022, 12, 1),
                  "Sở Tài nguyên và Môi trường Đồng Nai", [dongnai]),
        _document(laws, "ND-45", "Nghị định xử phạt vi phạm hành chính về bảo vệ môi trường",
                  AccessLevel.PUBLIC, "legal", datetime.date(2022, 7, 7), "Chính phủ",
                  number="45", symbol="2022/NĐ-CP", subjects=["xử phạt", "môi trường"]),
        _document(reports, "HN-KK", "Báo cáo quan trắc không khí Hà Nội",
                  AccessLevel.INTERNAL, "monitoring_report", datetime.date(2023, 3, 1),
                  "Sở Tài nguyên và Môi trường Hà Nội", [hanoi]),
        _document(reports, "DTM-GIAY", "Báo cáo đánh giá tác động môi trường nhà máy giấy",
                  AccessLevel.RESTRICTED, "eia", datetime.date(2021, 5, 4),
                  "Công ty giấy Đồng Nai", [dongnai], [world.dept_hanoi]),
        _document(reports, "BD-2019", "Bản đồ hiện trạng sử dụng đất",
                  AccessLevel.PUBLIC, "map", datetime.date(2019, 1, 1),
                  "Sở Tài nguyên và Môi trường Đồng Nai", [dongnai],
                  description="Tỷ lệ 1:50.000, tỉnh Đồng Nai."),
    ]}
