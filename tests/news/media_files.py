"""Images and files for the media tests: real encodings made here, hostile ones crafted byte by
byte (a PNG bomb, an SVG with a script, polyglots)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image

SECRET = b"<script>alert('envhub')</script>"


def png(width: int = 1600, height: int = 900, colour=(30, 120, 200), **save) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 50):  # something to encode, not one flat colour
        image.putpixel((x, height // 2), (255, 255, 255))
    image.save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    """A camera's JPEG: EXIF with a GPS position, the camera's name and an orientation (6:
    turned 90° to the right), and a comment holding a script."""
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "Canon EOS ENVHUB-SECRET"  # Model
    exif[0x0112] = 6  # Orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=SECRET)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 40_000) -> bytes:
    """A real decompression bomb: a 1-bit `side` × `side` PNG of zeros (200 MB of pixels at
    8 bits) in a file of some 100 KB."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + \
        _chunk(b"IEND", b"")


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
       b'onload="alert(1)"><script>alert(document.cookie)</script><rect width="10" '
       b'height="10"/></svg>')


def polyglot_png_html() -> bytes:
    """A real PNG followed by an HTML page: a browser sniffing it might run the page."""
    return png(400, 300) + b"<html><body>" + SECRET + b"</body></html>"


def polyglot_png_zip() -> bytes:
    """A real PNG with a zip appended (a GIFAR-like file: an image and an archive at once)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", SECRET)
    return png(400, 300) + archive.getvalue()


def text_chunk_png() -> bytes:
    """A PNG carrying a text chunk with a script (and a comment someone hid)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    return png(300, 200, pnginfo=info)


def pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
