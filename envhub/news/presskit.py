"""A bulletin's press kit: its charts as SVG and PNG, its tables as XLSX and the line to cite
it with, all drawn from the figures stored with the bulletin, so that the kit says what the
text says. Who may have it is the post's rule (`news.post` in the permission policy): anyone
once the bulletin is published and due, its writers (editors, stewards, administrators) while
it is a draft; to everyone else a draft's kit does not exist (404).

The PNG is drawn on the server from the same SVG with what the reports already use: WeasyPrint
lays the SVG out on a page of its size (fonts through fontconfig, Noto Sans for Vietnamese)
and poppler's `pdftoppm` (the library's previews) rasterises it. A picture is kept in the
default storage under the SHA-256 of its SVG, so each is drawn once."""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import logging
import re
import subprocess
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from envhub.core import permissions
from envhub.core.errors import EnvhubError, NotFound
from envhub.core.permissions import Actor
from envhub.news import bulletin_charts, bulletin_text
from envhub.news.bulletin_models import Bulletin, BulletinKind
from envhub.news.models import Post

logger = logging.getLogger("envhub.news")

# Pixels per CSS pixel of the chart: sharp in print and on a newspaper's page.
PNG_SCALE = 2
TIMEOUT_SECONDS = 60
PDFTOPPM = "pdftoppm"


class PictureUnavailable(EnvhubError):
    """The PNG could not be drawn on this machine (no pdftoppm, a renderer error): the SVG
    still can be had."""

    status = 503
    code = "picture_unavailable"
    default_message = _("The PNG picture cannot be drawn now; the SVG is available.")


def bulletin_for(actor: Actor, kind: str, first: str) -> Bulletin:
    """The bulletin of `kind` starting on `first` (YYYY-MM-DD) if the reader may see its post;
    otherwise — or when there is none — NotFound."""
    try:
        first_day = datetime.date.fromisoformat(first)
    except ValueError:
        raise NotFound() from None
    if kind not in BulletinKind.values:
        raise NotFound()
    found = Bulletin.objects.select_related("post").filter(kind=kind,
                                                           first_day=first_day).first()
    if found is None or not permissions.scope(actor, Post.objects.filter(
            pk=found.post_id)).exists():
        raise NotFound()
    return found


def chart_names(bulletin: Bulletin) -> list[str]:
    return list(bulletin_charts.CHARTS.get(bulletin.kind, {}))


def svg_of(bulletin: Bulletin, name: str) -> str:
    drawn = bulletin_charts.chart(bulletin.figures, name)
    if drawn is None:
        raise NotFound()
    return drawn


def _size(svg: str) -> tuple[float, float]:
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    return (float(found[1]), float(found[2])) if found else (640.0, 400.0)


def _pdf(svg: str) -> bytes:
    from envhub.dashboard.render import pdf_from_html

    width, height = _size(svg)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    page = (f"<html><head><style>@page {{ size: {width}px {height}px; margin: 0 }} "
            "html, body { margin: 0; background: #ffffff }</style></head><body>"
            f'<img src="data:image/svg+xml;base64,{data}" width="{width}" height="{height}">'
            "</body></html>")
    return pdf_from_html(page)[0]


def png_from_svg(svg: str) -> bytes:
    """The SVG as a PNG of PNG_SCALE times its size, white behind."""
    width, _height = _size(svg)
    with tempfile.TemporaryDirectory(prefix="envhub-presskit-") as folder:
        source = Path(folder) / "chart.pdf"
        source.write_bytes(_pdf(svg))
        target = Path(folder) / "chart"
        try:
            subprocess.run([PDFTOPPM, "-png", "-singlefile", "-scale-to-x",
                            str(round(width * PNG_SCALE)), "-scale-to-y", "-1", str(source),
                            str(target)], check=True, capture_output=True,
                           timeout=TIMEOUT_SECONDS)
            return target.with_suffix(".png").read_bytes()
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("a bulletin's chart could not be drawn as PNG: %s", error)
            raise PictureUnavailable() from error


def png_of(bulletin: Bulletin, name: str) -> bytes:
    svg = svg_of(bulletin, name)
    digest = hashlib.sha256(svg.encode("utf-8")).hexdigest()
    stored = f"presskit/{digest[:2]}/{digest}-{PNG_SCALE}x.png"
    if default_storage.exists(stored):
        with default_storage.open(stored, "rb") as kept:
            return kept.read()
    picture = png_from_svg(svg)
    saved = default_storage.save(stored, ContentFile(picture))
    if saved != stored:  # drawn at the same moment by another request: keep one
        default_storage.delete(saved)
    return picture


def citation(bulletin: Bulletin) -> str:
    return bulletin_text.citation(bulletin.figures)


def file_stem(bulletin: Bulletin) -> str:
    prefix = "ban-tin-khong-khi" if bulletin.kind == BulletinKind.AIR_WEEKLY \
        else "ban-tin-phat-thai"
    return f"{prefix}-{bulletin.first_day:%Y-%m-%d}"


SHEET_NAME_CHARS = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\\/?*\[\]:]")


def sheet_name(title: str) -> str:
    """A table's title as a sheet's name: Excel's 31 characters, cut between words with an
    ellipsis rather than in a word ("…cao nhất m"), and without the characters Excel refuses
    (a date's slashes become dashes)."""
    name = " ".join(_NOT_IN_SHEET_NAMES.sub("-", title).split())
    if len(name) <= SHEET_NAME_CHARS:
        return name
    cut = name[:SHEET_NAME_CHARS - 1]
    if " " in cut and not name[SHEET_NAME_CHARS - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" (,–-") + "…"


def xlsx_of(bulletin: Bulletin) -> bytes:
    """A sheet per table of the bulletin, its title and period above the headings, numbers as
    numbers (a missing one left empty, with the words the text uses beside the table), links
    as the catalogue's addresses; and a sheet with the citation and the datasets."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from envhub.core.site import absolute
    from envhub.core.spreadsheets import DataSheet

    post = bulletin.post
    period = f"{bulletin.first_day:%d/%m/%Y} – {bulletin.last_day:%d/%m/%Y}"
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in bulletin_text.tables(bulletin.figures):
        sheet = workbook.create_sheet(title=sheet_name(table.title))
        kinds = [kind for _heading, kind in table.columns]
        numbers = {index: (1 if kind == bulletin_text.PERCENT else 0)
                   for index, kind in enumerate(kinds)
                   if kind not in (bulletin_text.TEXT, bulletin_text.LINK)}
        out = DataSheet(sheet, numbers, round_numbers=True)
        out.append([table.title])
        out.append([post.title, period])
        out.append(["Ô trống: không có số liệu (thiếu số liệu), không phải 0."])
        headings = []
        for heading, _kind in table.columns:
            cell = WriteOnlyCell(sheet, value=heading)
            cell.font = bold
            headings.append(cell)
        sheet.append(headings)
        for row in table.rows:
            out.append([absolute(value) if kind == bulletin_text.LINK and value else value
                        for value, kind in zip(row, kinds, strict=True)])
    sheet = workbook.create_sheet(title="Nguồn")
    out = DataSheet(sheet)
    out.append([post.title])
    out.append([citation(bulletin)])
    for identifier in bulletin.figures.get("datasets", []):
        out.append([identifier, bulletin_text.DATASET_TITLES.get(identifier, identifier),
                    absolute(bulletin_text.dataset_page(identifier))])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def links(bulletin: Bulletin) -> dict:
    """What the bulletin's page offers: each chart's SVG and PNG, the XLSX, the citation."""
    from django.urls import reverse

    first = bulletin.first_day.isoformat()
    return {
        "charts": [{"name": name, "title": bulletin_charts.TITLES.get(name, name),
                    "svg": reverse("news-bulletin-chart", args=[bulletin.kind, first, name,
                                                                "svg"]),
                    "png": reverse("news-bulletin-chart", args=[bulletin.kind, first, name,
                                                                "png"])}
                   for name in chart_names(bulletin)],
        "xlsx": reverse("news-bulletin-xlsx", args=[bulletin.kind, first]),
        "citation": citation(bulletin),
        "datasets": bulletin.figures.get("datasets", []),
    }
