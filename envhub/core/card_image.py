"""Share cards: the 1200 × 630 PNG a social network shows beside a shared link — a title on
the site's band, and for a station its air quality badge in the category's colour.

Pure module (Pillow, no Django). The fonts are the Noto Sans files Debian's
`fonts-noto-core` installs, found through fontconfig: Vietnamese diacritics drawn right."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
BAND = (11, 79, 138)  # the site's blue
INK = (27, 27, 27)
MAX_TITLE_LINES = 4


class FontMissing(RuntimeError):
    """No Noto Sans on this machine: cards cannot be drawn (`envhub check` says so)."""


@cache
def font_file(bold: bool) -> str:
    if shutil.which("fc-match") is None:
        raise FontMissing("fontconfig's fc-match is not installed")
    pattern = "Noto Sans:bold" if bold else "Noto Sans:regular"
    found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                           text=True, timeout=10, check=False).stdout.strip()
    if "NotoSans" not in found:
        raise FontMissing(f"Noto Sans not found (fc-match gave {found or 'nothing'})")
    return found


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_file(bold), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int, lines: int) -> list[str]:
    """Words into lines no wider than `width`; the last shown line ends with … when cut."""
    result, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            result.append(line)
            line = word
    if line:
        result.append(line)
    if len(result) > lines:
        result = result[:lines]
        last = result[-1]
        while last and draw.textlength(last + " …", font=font) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        result[-1] = last + " …"
    return result


@dataclass(frozen=True)
class Badge:
    """An air quality badge: the index, its category's name and colour, and whether dark
    text reads better on that colour."""

    value: str
    label: str
    rgb: tuple[int, int, int]
    dark_text: bool


def draw(title: str, kicker: str, footer: str, badge: Badge | None = None) -> bytes:
    """The card as PNG bytes: `kicker` above the title (a category, "Trạm quan trắc"),
    `footer` along the bottom band (the site's name and address)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, HEIGHT - 90, WIDTH, HEIGHT), fill=BAND)
    pen.rectangle((0, 0, 16, HEIGHT - 90), fill=BAND)
    text_right = WIDTH - 70
    if badge is not None:
        left = WIDTH - 380
        pen.rounded_rectangle((left, 70, WIDTH - 60, 450), radius=28, fill=badge.rgb)
        colour = (17, 17, 17) if badge.dark_text else (255, 255, 255)
        value_font = _font(150, bold=True)
        pen.text(((left + WIDTH - 60) / 2, 215), badge.value, font=value_font, fill=colour,
                 anchor="mm")
        label_lines = _wrap(pen, badge.label, _font(40, bold=True), 280, 2)
        for number, line in enumerate(label_lines):
            pen.text(((left + WIDTH - 60) / 2, 355 + number * 48), line,
                     font=_font(40, bold=True), fill=colour, anchor="mm")
        text_right = left - 40
    kicker_lines = _wrap(pen, kicker, _font(34), text_right - 70, 2)
    for number, line in enumerate(kicker_lines):
        pen.text((70, 70 + number * 44), line, font=_font(34), fill=BAND)
    title_font = _font(64, bold=True)
    top = 90 + 44 * len(kicker_lines)
    for number, line in enumerate(_wrap(pen, title, title_font, text_right - 70,
                                        MAX_TITLE_LINES)):
        pen.text((70, top + number * 82), line, font=title_font, fill=INK)
    pen.text((70, HEIGHT - 45), footer, font=_font(34, bold=True), fill=(255, 255, 255),
             anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
