"""A post's image, made safe to publish (pure module: Pillow, no Django).

What an editor uploads is decoded and drawn again, never passed on: the bytes served are
Pillow's own encoding of the pixels, so metadata (EXIF with its GPS position, comments, ICC
profiles, text chunks) and anything appended or hidden in the file (a script, a zip, a second
format) are left behind. Only PNG and JPEG are taken, told by their first bytes, and the name
must agree; SVG (a document that can run scripts), GIF, WebP and the rest are refused. The
header is read before a pixel is decoded, so a small file that claims a huge picture (a
decompression bomb) is refused unread. Messages are marked for the catalogues and translated
by the caller."""

from __future__ import annotations

import contextlib
import io
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from envhub.library.formats import FormatError, gettext_noop

PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {".png": PNG, ".jpg": JPEG, ".jpeg": JPEG}
# Past this an image is a bomb or a photograph no post needs at full size (an 8,000 × 5,000
# camera picture is 40 million).
MAX_PIXELS = 50_000_000
# Kept on the longer side: enough for a wide screen at twice the density.
MAX_SIDE = 2400
# The phones' copy: a 390 px wide screen at about 1.6 times the density.
PHONE_WIDTH = 640
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Picture:
    """One encoding of the cleaned image."""

    data: bytes
    media_type: str
    width: int
    height: int


@dataclass(frozen=True)
class Cleaned:
    full: Picture
    phone: Picture | None  # None: the image is no wider than a phone's copy would be


def kind_of(head: bytes, name: str) -> str:
    """PNG or JPEG, by the first bytes; the name's extension must say the same."""
    found = PNG if head.startswith(b"\x89PNG\r\n\x1a\n") else \
        JPEG if head.startswith(b"\xff\xd8\xff") else None
    claimed = EXTENSIONS.get(PurePosixPath(name.lower()).suffix)
    if found is None:
        stripped = head.lstrip().lower()
        if stripped.startswith((b"<svg", b"<?xml")) or b"<svg" in stripped[:1024]:
            raise FormatError("svg", gettext_noop(
                "SVG images are not taken (they can carry scripts): send the picture as PNG "
                "or JPEG."))
        raise FormatError("not_image", gettext_noop(
            "“%(name)s” is not a PNG or JPEG image."), name=name[:100])
    if claimed != found:
        raise FormatError("wrong_type", gettext_noop(
            "“%(name)s” is named as another kind of file than its content (a %(kind)s "
            "image): name it .%(extension)s."), name=name[:100],
            kind="PNG" if found == PNG else "JPEG", extension="png" if found == PNG else "jpg")
    return found


def _corrupt() -> FormatError:
    return FormatError("corrupt", gettext_noop(
        "The image cannot be read: it is damaged or not a real image."))


def _too_many_pixels(max_pixels: int) -> FormatError:
    return FormatError("too_many_pixels", gettext_noop(
        "The image is larger than %(limit)s million pixels: make it smaller, then send it."),
        limit=max_pixels // 1_000_000)


def _encode(image: Image.Image, media_type: str) -> Picture:
    out = io.BytesIO()
    if media_type == JPEG:
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), media_type, image.width, image.height)


def _pixels_only(image: Image.Image, media_type: str) -> Image.Image:
    """A new image holding the pixels and nothing else (no `info`: no EXIF, ICC, text)."""
    if media_type == JPEG:
        mode = "L" if image.mode in ("1", "L", "LA", "I", "I;16", "F") else "RGB"
    elif image.mode in ("1", "L", "RGB", "RGBA", "LA"):
        mode = image.mode
    else:  # palette (with or without transparency), 16-bit, CMYK…
        has_alpha = image.mode in ("PA", "RGBa") or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
    converted = image.convert(mode) if image.mode != mode else image
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


_STRICT = threading.Lock()


@contextlib.contextmanager
def _truncated_refused():
    """Pillow's switch for reading cut-short files is process-wide, and WeasyPrint turns it on
    when it is imported (the reports, the press kit): a truncated upload would then be drawn
    with its missing rows grey. Off while an upload is decoded, as it was before."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def clean(local: BinaryIO, name: str, max_pixels: int = MAX_PIXELS,
          max_side: int = MAX_SIDE, phone_width: int = PHONE_WIDTH) -> Cleaned:
    """Check and redraw the image in `local` (seekable, from its start); FormatError if it is
    refused. The result is at most `max_side` pixels on its longer side, turned upright as
    its EXIF orientation said, and encoded as it came (PNG stays PNG, JPEG stays JPEG)."""
    local.seek(0)
    media_type = kind_of(local.read(16), name)
    local.seek(0)
    try:
        with _truncated_refused(), \
                Image.open(local, formats=["PNG" if media_type == PNG else "JPEG"]) as image:
            width, height = image.size
            if width < 1 or height < 1 or width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            if getattr(image, "n_frames", 1) > 1:  # an animated PNG: its first frame only
                image.seek(0)
            image.draft("RGB" if media_type == JPEG else None, (max_side, max_side))
            upright = ImageOps.exif_transpose(image)
            upright.load()
            picture = _pixels_only(upright, media_type)
    except FormatError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombWarning, ZeroDivisionError, TypeError, KeyError):
        raise _corrupt() from None
    picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    full = _encode(picture, media_type)
    phone = None
    if picture.width > phone_width:
        smaller = picture.resize((phone_width, max(1, round(picture.height * phone_width
                                                             / picture.width))),
                                 Image.Resampling.LANCZOS)
        phone = _encode(smaller, media_type)
    return Cleaned(full, phone)


def card(data: bytes, width: int = 1200, height: int = 630) -> bytes:
    """A share card (PNG) from a cleaned image (bytes this module made): the picture cropped
    about its centre to fill `width` × `height`."""
    with Image.open(io.BytesIO(data)) as image:
        filled = ImageOps.fit(image.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    filled.save(out, format="PNG", optimize=True)
    return out.getvalue()

