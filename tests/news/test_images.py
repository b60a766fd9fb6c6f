"""A post's image redrawn before it is kept (`news/images.py`): hostile files refused with a
reason, real ones kept as pixels only — no metadata, nothing appended, the right way up."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from envhub.library.formats import FormatError
from envhub.news import images
from tests.news import media_files as files


def clean(data: bytes, name: str) -> images.Cleaned:
    return images.clean(io.BytesIO(data), name)


@pytest.mark.parametrize("name,data,code", [
    ("logo.svg", files.SVG, "svg"),
    ("logo.png", files.SVG, "svg"),  # an SVG named as a PNG
    ("bom.png", files.png_bomb(), "too_many_pixels"),
    ("anh.jpg", files.png(200, 100), "wrong_type"),  # a PNG named .jpg
    ("anh.png", files.jpeg_with_gps(), "wrong_type"),
    ("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "not_image"),
    ("anh.png", b"", "not_image"),
    ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "corrupt"),
    ("anh.png", files.png(300, 200)[:200], "corrupt"),  # cut short
    ("anh.png", files.pdf(), "not_image"),
    ("anh.html", files.polyglot_png_html(), "wrong_type"),
])
def test_it_refuses_what_is_not_a_plain_image(name, data, code):
    with pytest.raises(FormatError) as refused:
        clean(data, name)
    assert refused.value.code == code


@pytest.mark.parametrize("maker", [files.polyglot_png_html, files.polyglot_png_zip,
                                   files.text_chunk_png])
def test_what_hides_in_or_after_an_image_is_left_behind(maker):
    cleaned = clean(maker(), "anh.png")
    assert files.SECRET not in cleaned.full.data
    assert b"PK\x03\x04" not in cleaned.full.data
    with Image.open(io.BytesIO(cleaned.full.data)) as image:
        assert image.format == "PNG" and image.size in {(400, 300), (300, 200)}
        assert not image.text


def test_a_camera_picture_loses_its_metadata_and_stands_upright():
    cleaned = clean(files.jpeg_with_gps(1200, 800), "Ảnh hiện trường.JPG")
    data = cleaned.full.data
    assert b"ENVHUB-SECRET" not in data and files.SECRET not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (800, 1200)  # turned as its orientation said
        assert not image.getexif() and "comment" not in image.info
    assert (cleaned.full.width, cleaned.full.height) == (800, 1200)
    assert cleaned.phone is not None and cleaned.phone.width == images.PHONE_WIDTH
    assert cleaned.phone.height == 960


def test_a_large_image_is_bounded_and_a_narrow_one_has_no_phone_copy():
    big = clean(files.png(4000, 1000), "rong.png")
    assert (big.full.width, big.full.height) == (images.MAX_SIDE, 600)
    assert big.phone.width == images.PHONE_WIDTH and big.phone.height == 160
    small = clean(files.png(500, 300), "nho.png")
    assert (small.full.width, small.full.height) == (500, 300) and small.phone is None


def test_a_palette_image_with_transparency_keeps_it():
    out = io.BytesIO()
    image = Image.new("P", (100, 50), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.save(out, format="PNG", transparency=0)
    with Image.open(io.BytesIO(clean(out.getvalue(), "p.png").full.data)) as redrawn:
        assert redrawn.mode == "RGBA" and redrawn.getpixel((0, 0))[3] == 0


def test_the_share_card_fills_the_card():
    with Image.open(io.BytesIO(images.card(clean(files.png(800, 800), "a.png").full.data))) \
            as card:
        assert card.size == (1200, 630) and card.format == "PNG"


def test_a_cut_short_image_is_refused_after_weasyprint_is_loaded():
    """WeasyPrint turns on Pillow's process-wide reading of truncated files when imported (the
    reports and the press kit import it in the same process): uploads stay strict, and the
    switch is left as WeasyPrint wants it."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    with pytest.raises(FormatError) as refused:
        clean(files.png(300, 200)[:200], "anh.png")
    assert refused.value.code == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
