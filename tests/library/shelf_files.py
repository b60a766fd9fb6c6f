"""Files on the test shelf (for the pages' tests): the library storage in a temporary folder,
a real one-page PDF (drawn by pdftoppm in the preview tests), and the shelf's documents with
two versions each."""

from __future__ import annotations

import io

from envhub.library import intake
from envhub.library.models import DocumentFile


def one_page_pdf(text: str = "Bao cao") -> bytes:
    """A valid one-page PDF (A4) with a dark box and a line of text: enough for pdftoppm."""
    stream = (f"0.1 0.3 0.6 rg 50 600 495 180 re f BT /F1 36 Tf 70 520 Td ({text}) Tj ET"
              ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def add_versions(actor, document, names=("bản gốc.pdf", "bản sửa.pdf")) -> list[DocumentFile]:
    """Two versions of `document`, stored with intake (as the upload page does)."""
    files = []
    for number, name in enumerate(names, start=1):
        files.append(intake.add_version(actor, document, intake.Incoming(
            name, io.BytesIO(one_page_pdf(f"{document.identifier} phien ban {number}")))))
    return files
