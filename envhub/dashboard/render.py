"""A report's files from its figures (`ReportData`): the PDF (WeasyPrint, from an HTML page
with the map and charts drawn as SVG by `svg.py`) and the XLSX (openpyxl, write-only) with the
same tables. Both are written in the report's language with the one number formatter
(`core.numbers`); text written to the XLSX is data, never a formula (`core.spreadsheets`).

Rendering reads nothing from the network: the fetcher refuses every URL but inline `data:`
ones, and the fonts are the Noto families Debian's `fonts-noto-core` installs, found by name
through fontconfig (Vietnamese diacritics included)."""

from __future__ import annotations

import datetime
import io
import json
import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from envhub.core.numbers import format_number
from envhub.dashboard import svg
from envhub.dashboard.report_data import ReportData

TEXT, COUNT, PERCENT = "text", "count", "percent"

# WeasyPrint logs each step of each PDF at INFO; the worker's log keeps its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (heading, kind)
    rows: list[list]
    empty: str


def _aqi_parts(language: str) -> list[tuple[str, str, str]]:
    from envhub.airquality.vn_aqi import CATEGORIES

    english = language.startswith("en")
    return [(c.code, c.name_en if english else c.name_vi, c.hex) for c in CATEGORIES]


def _survey_parts() -> list[tuple[tuple[str, ...], str]]:
    from envhub.dashboard.tables import NOT_STARTED

    return [((NOT_STARTED,), _("Not started")), (("draft",), _("Draft")),
            (("submitted", "resubmitted"), _("Sent for review")),
            (("returned",), _("Returned with comments")), (("approved",), _("Approved")),
            (("loaded",), _("Loaded"))]


def tables(data: ReportData, language: str) -> list[Table]:
    """The report's tables, in order, in the active language: the PDF and the XLSX both."""
    nothing = _("Nothing in this period.")
    aqi = _aqi_parts(language)
    survey = _survey_parts()
    return [
        Table("by_province", _("Exceedances by province"),
              [(_("Province"), TEXT), (_("Facilities over a limit"), COUNT),
               (_("Hours over the limit"), COUNT), (_("Exceedance events"), COUNT),
               (_("Still open"), COUNT)],
              [[r["name"], r["facilities"], r["hours"], r["events"], r["open_events"]]
               for r in data.by_province], nothing),
        Table("by_sector", _("Exceedances by sector"),
              [(_("Sector"), TEXT), (_("Hours over the limit"), COUNT),
               (_("Exceedance events"), COUNT), (_("Still open"), COUNT)],
              [[r["name"], r["hours"], r["events"], r["open_events"]] for r in data.by_sector],
              nothing),
        Table("top_facilities", _("Facilities with the most hours over the limit"),
              [(_("Facility"), TEXT), (_("Province"), TEXT), (_("Sector"), TEXT),
               (_("Hours over the limit"), COUNT), (_("Exceedance events"), COUNT)],
              [[r["name"], r["province_name"], r["sector_name"], r["hours"], r["events"]]
               for r in data.top_facilities], nothing),
        Table("completeness", _("Data completeness and transmission outages"),
              [(_("Province"), TEXT), (_("Automatic stations"), COUNT),
               (_("Parameter-hours expected"), COUNT), (_("Parameter-hours missing"), COUNT),
               (_("Data completeness (%)"), PERCENT), (_("Transmission outages"), COUNT)],
              [[r["name"], r["stations"], r["expected_hours"], r["missing_hours"],
                r["completeness"], r["outages"]] for r in data.completeness], nothing),
        Table("stations_with_gaps", _("Stations with the most gaps"),
              [(_("Station"), TEXT), (_("Name"), TEXT), (_("Province"), TEXT),
               (_("Parameter-hours missing"), COUNT), (_("Data completeness (%)"), PERCENT),
               (_("Transmission outages"), COUNT)],
              [[r["station"], r["name"], r["province_name"], r["missing_hours"],
                r["completeness"], r["outages"]] for r in data.stations_with_gaps], nothing),
        Table("aqi_days", _("VN_AQI days per category"),
              [(_("City"), TEXT)] + [(name, COUNT) for _code, name, _hex in aqi]
              + [(_("Days without an index"), COUNT)],
              [[r["name"]] + [r["days"].get(code, 0) for code, _n, _h in aqi]
               + [r["without_index"]] for r in data.aqi_days],
              _("No daily index in this period.")),
        Table("surveys", _("Survey submissions"),
              [(_("Campaign"), TEXT), (_("Year"), TEXT), (_("Assignments"), COUNT)]
              + [(label, COUNT) for _states, label in survey],
              [[r["title"], str(r["year"]), r["assignments"]]
               + [sum(r["states"].get(state, 0) for state in states)
                  for states, _label in survey] for r in data.surveys], nothing),
    ]


def scope_words(data: ReportData) -> str:
    return data.scope_name or _("Viet Nam (whole country)")


def period_words(data: ReportData) -> str:
    first = datetime.date.fromisoformat(data.first)
    last = datetime.date.fromisoformat(data.last)
    if data.period_kind == "month":
        return pgettext("report period", "Month %(month)02d/%(year)d") % {
            "month": first.month, "year": first.year}
    return _("%(first)s to %(last)s") % {"first": first.strftime("%d/%m/%Y"),
                                          "last": last.strftime("%d/%m/%Y")}


# --- PDF -------------------------------------------------------------------------------------

@cache
def _basemap() -> tuple[dict, ...]:
    path = Path(settings.BASE_DIR) / "envhub" / "static" / "envhub" / "vietnam-basemap.geojson"
    return tuple(json.loads(path.read_text(encoding="utf-8"))["features"])


def _number(language: str):
    return lambda value: format_number(value, language, decimals=1)


def figures_svg(data: ReportData, language: str) -> dict[str, str]:
    """The map and charts of the report, as SVG text."""
    number = _number(language)
    hours = {row["province"]: row["hours"] for row in data.by_province}
    places = [{"name": c["name"], "lat": c["lat"], "lon": c["lon"],
               "value": hours.get(c["code"], 0)} for c in data.centres]
    aqi = _aqi_parts(language)
    days = [datetime.date.fromisoformat(row["day"]) for row in data.daily]
    return {
        "map": svg.choropleth_points(_basemap(), places, number=number,
                                     title=_("Hours over the limit by province"),
                                     legend=_("Hours over the limit")),
        "provinces": svg.bars([(r["name"], r["hours"]) for r in data.by_province[:12]],
                              title=_("Hours over the limit by province"), number=number),
        "sectors": svg.bars([(r["name"], r["hours"]) for r in data.by_sector],
                            title=_("Hours over the limit by sector"), number=number),
        "daily": svg.lines([day.strftime("%d/%m") for day in days],
                           [(_("Hours over the limit"), [row["hours"] for row in data.daily]),
                            (_("Exceedance events begun"),
                             [row["events"] for row in data.daily])],
                           title=_("Hours over the limit per day"), number=number),
        "aqi": svg.stacked_bars([(r["name"], [r["days"].get(code, 0) for code, _n, _h in aqi])
                                 for r in data.aqi_days],
                                [(name, colour) for _code, name, colour in aqi],
                                title=_("VN_AQI days per category"), number=number),
    }


def _cell(value, kind: str, language: str) -> str:
    if kind == TEXT:
        return "" if value is None else str(value)
    return format_number(value, language, decimals=1 if kind == PERCENT else 0)


def html(data: ReportData, language: str, made_at: datetime.datetime | None = None) -> str:
    number = _number(language)
    sections = [{"title": table.title, "empty": table.empty, "key": table.key,
                 "columns": table.columns,
                 "rows": [[(_cell(value, kind, language), kind)
                           for value, (_heading, kind) in zip(row, table.columns, strict=True)]
                          for row in table.rows]}
                for table in tables(data, language)]
    totals = data.totals
    headline = [
        (_("Hours over the limit"), number(totals.get("hours", 0))),
        (_("Facilities over a limit"), number(totals.get("facilities", 0))),
        (_("Exceedance events"), number(totals.get("events", 0))),
        (_("Automatic stations"), number(totals.get("stations", 0))),
        (_("Data completeness (%)"), format_number(totals.get("completeness"), language,
                                                   decimals=1)),
        (_("Transmission outages"), number(totals.get("outages", 0))),
        (_("Survey submissions"), number(totals.get("submissions", 0))),
    ]
    return render_to_string("dashboard/report_pdf.html", {
        "data": data, "language": language, "scope": scope_words(data),
        "period": period_words(data), "headline": headline, "sections": sections,
        "figures": figures_svg(data, language), "made_at": made_at,
    })


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        """Inline `data:` resources only: a report never waits on, or leaks to, the network."""

        refused: list[str]

        def fetch(self, url, headers=None):
            if not url.startswith("data:"):
                self.refused.append(url[:200])
                raise ValueError(f"refused: {url[:200]}")
            return super().fetch(url, headers)

    fetcher = LocalOnly(allowed_protocols={"data"})
    fetcher.refused = []
    return fetcher


def pdf_from_html(text: str) -> tuple[bytes, list[str]]:
    """The PDF of an HTML page, and the URLs it asked for that were refused."""
    from weasyprint import HTML

    fetcher = _fetcher()
    document = HTML(string=text, base_url="data:,", url_fetcher=fetcher)
    return document.write_pdf(), fetcher.refused


def pdf(data: ReportData, language: str, made_at: datetime.datetime | None = None) -> bytes:
    with translation.override(language):
        return pdf_from_html(html(data, language, made_at))[0]


# --- XLSX ------------------------------------------------------------------------------------

def xlsx(data: ReportData, language: str) -> bytes:
    """A sheet per table, with the report's scope and period above the headings."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from envhub.core.spreadsheets import DataSheet

    with translation.override(language):
        workbook = Workbook(write_only=True)
        bold = Font(bold=True)
        for table in tables(data, language):
            sheet = workbook.create_sheet(title=table.title[:31])
            numbers = {index: (1 if kind == PERCENT else 0)
                       for index, (_h, kind) in enumerate(table.columns) if kind != TEXT}
            out = DataSheet(sheet, numbers, round_numbers=True)
            out.append([table.title])
            out.append([scope_words(data), period_words(data)])
            headings = []
            for heading, _kind in table.columns:
                cell = WriteOnlyCell(sheet, value=str(heading))
                cell.font = bold
                headings.append(cell)
            sheet.append(headings)
            for row in table.rows:
                out.append(list(row))
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()
