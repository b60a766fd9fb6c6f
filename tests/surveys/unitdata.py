"""Files a unit uploads in the page and API tests: the generic example (household wells) as
CSV, clean or with bad cells, and the bad files the issue lists."""

from __future__ import annotations

import io
import zipfile

from tests.surveys.files import csv_bytes

WELLS = ["Mã giếng", "Mã tỉnh", "Mã xã, phường", "Ngày khảo sát", "Chủ hộ", "Loại giếng",
         "Độ sâu (m)", "Số hộ sử dụng", "Dùng để uống", "pH"]


def good_well(world, code="HN-0001", depth="12,5"):
    ward = world.hanoi.wards.order_by("code").first()
    return [code, "01", ward.code, "03/04/2026", "Nguyễn Văn Á", "giếng khoan", depth, "3",
            "có", "7,1"]


def wells(world, *depths) -> bytes:
    """A wells CSV, one row per depth ("sâu" is not a number: an error)."""
    return csv_bytes([WELLS, *(good_well(world, f"HN-{n:04d}", depth)
                               for n, depth in enumerate(depths, start=1))])


def a_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    return a_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                  "xl/worksheets/sheet1.xml": bytes(20_000_000)})


ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000)
NOT_A_SPREADSHEET = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00<<>>"
