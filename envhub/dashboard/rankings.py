"""The dashboard's rankings for a view: provinces and facilities by hours over the limit, and
stations by missing hours — the rows of `tables`, each with the link to the list behind it, and
their spreadsheet form (CSV and XLSX: text is data, never a formula)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from envhub.compliance.services import MAX_DAYS
from envhub.core.spreadsheets import DataSheet, csv_row
from envhub.dashboard import tables
from envhub.dashboard.filters import View
from envhub.dashboard.reading import Reading

LIMIT = 10
MAX_LIMIT = 100
KINDS = ("provinces", "facilities", "stations")


def _facility_url(view: View, facility_id: int) -> str:
    url = reverse("facility-compliance", args=[facility_id])
    if view.period.days <= MAX_DAYS:  # the compliance page shows at most MAX_DAYS days
        url += "?" + urlencode({"from": view.period.first.isoformat(),
                                "to": view.period.last.isoformat()})
    return url


def provinces(view: View, limit: int | None = LIMIT, reading: Reading | None = None) -> list[dict]:
    rows = tables.exceedances_by_province(view, limit, reading)
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        row["url"] = _dashboard_url() + "?" + view.query(province=row["province"])
    return rows


def facilities(view: View, limit: int | None = LIMIT,
               reading: Reading | None = None) -> list[dict]:
    rows = tables.top_facilities(view, limit, reading)
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        row["url"] = _facility_url(view, row["facility"])
    return rows


def stations(view: View, limit: int | None = LIMIT, reading: Reading | None = None) -> list[dict]:
    rows = tables.stations_with_most_gaps(view, limit, reading)
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
        row["url"] = reverse("station-detail", args=[row["station"]])
    return rows


def _dashboard_url() -> str:
    """The dashboard page, which shows a province's view (its name is the dashboard's own)."""
    try:
        return reverse("dashboard")
    except NoReverseMatch:
        return "/dashboard/"


def rankings(view: View, limit: int | None = LIMIT, reading: Reading | None = None) -> dict:
    """The three rankings; `reading`: the request's shared reads (one is made when none is
    given, so the provinces and facilities read the judged windows' summaries once)."""
    reading = reading or Reading(view)
    return {"provinces": provinces(view, limit, reading),
            "facilities": facilities(view, limit, reading),
            "stations": stations(view, limit, reading)}


# --- spreadsheets ---------------------------------------------------------------------------

def _sheets(view: View, limit: int | None) -> list[tuple[str, list[str], list[list], dict]]:
    """(sheet title, header, rows, {column: most decimals}) of each ranking."""
    found = rankings(view, limit)
    return [
        (_("Provinces"),
         [_("Rank"), _("Province code"), _("Province"), _("Hours over the limit"),
          _("Events"), _("Open events"), _("Facilities over the limit")],
         [[row["rank"], row["province"], row["name"], row["hours"], row["events"],
           row["open_events"], row["facilities"]] for row in found["provinces"]], {}),
        (_("Facilities"),
         [_("Rank"), _("Facility"), _("Province"), _("Sector"), _("Hours over the limit"),
          _("Events"), _("Open events"), _("Worst band")],
         [[row["rank"], row["name"], row["province_name"], row["sector_name"], row["hours"],
           row["events"], row["open_events"], row["worst_band"]]
          for row in found["facilities"]], {}),
        (_("Stations"),
         [_("Rank"), _("Station code"), _("Station"), _("Province"), _("Parameters"),
          _("Expected hours"), _("Valid hours"), _("Missing hours"), _("Completeness (%)"),
          _("Outages")],
         [[row["rank"], row["station"], row["name"], row["province_name"], row["series"],
           row["expected_hours"], row["received_hours"], row["missing_hours"],
           row["completeness"], row["outages"]] for row in found["stations"]], {8: 1}),
    ]


def csv_bytes(view: View, limit: int | None = LIMIT) -> bytes:
    """The three rankings one after the other, each under its title, UTF-8 with a BOM (so
    Excel reads the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, (title, header, rows, _decimals) in enumerate(_sheets(view, limit)):
        if index:
            writer.writerow([])
        writer.writerow(csv_row([title]))
        writer.writerow(csv_row(header))
        for row in rows:
            writer.writerow(csv_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    """A sheet's name as Excel allows it: 31 characters, none of []:*?/\\."""
    return "".join("-" if char in "[]:*?/\\" else char for char in title)[:31]


def xlsx_bytes(view: View, limit: int | None = LIMIT) -> bytes:
    """One sheet per ranking, numbers as the site shows them."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, header, rows, decimals in _sheets(view, limit):
        sheet = DataSheet(book.create_sheet(_sheet_title(title)), decimals)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
