"""A facility's compliance report for a period, as an XLSX workbook: the limits with their
derivation, every judged average, the exceedance events and the data completeness. Written in
openpyxl's write-only mode, so a year of hourly rows stays within bounded memory; text cells
hold text, never a formula (`core.spreadsheets`); numbers stay numbers, rounded and formatted
as the pages show them (`core.numbers`: the unit's decimals, never rounded onto the limit)."""

from __future__ import annotations

import datetime
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from envhub.compliance import sanctioning, services
from envhub.compliance.models import State
from envhub.core.numbers import DEFAULT_DECIMALS, MULTIPLE_DECIMALS, decimals_for_unit
from envhub.core.spreadsheets import DataSheet
from envhub.core.timeutil import VN
from envhub.registry import services as registry


def _local(moment: datetime.datetime | None):
    """Excel has no time zones: Viet Nam wall-clock time, stated in the header."""
    return None if moment is None else moment.astimezone(VN).replace(tzinfo=None)


def _header(sheet: DataSheet, titles):
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet.sheet, value=str(title))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def facility_workbook(actor, facility, first: datetime.date, last: datetime.date) -> bytes:
    start, end = services.period_bounds(first, last)
    book = Workbook(write_only=True)
    sources = list(registry.sources(actor, registry.SourceFilters(facility=facility.id)))
    state_labels = dict(State.choices)

    about = DataSheet(book.create_sheet(_("Report")))
    for row in (
        (_("Facility"), facility.name), (_("Tax code"), facility.tax_code_display),
        (_("Province"), facility.province.name),
        (_("Period"), f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"),
        (_("Times"), _("Viet Nam time (UTC+7); an hour is labelled by its end")),
        (_("Created"), _local(datetime.datetime.now(datetime.timezone.utc))),
    ):
        about.append([str(row[0]), row[1]])

    limit_decimals, share_decimals = decimals_for_unit("limit"), decimals_for_unit("%")
    limits = DataSheet(book.create_sheet(_("Limits")), {
        2: limit_decimals, 3: limit_decimals, 5: share_decimals}, round_numbers=True)
    _header(limits, [_("Source"), _("Parameter"), _("Limit"), _("Lower limit"), _("Unit"),
                     _("Reference O2 (%)"), _("Derivation"), _("Verification"), _("Problem"),
                     _("Permit")])
    for source in sources:
        found = services.source_limits(actor, source.id)
        for effective in found.limits:
            limit = effective.limit
            limits.append([source.code, effective.parameter.code,
                           limit.maximum if limit else None, limit.minimum if limit else None,
                           limit.unit if limit else effective.parameter.unit,
                           effective.reference_o2, effective.derivation,
                           str(effective.verification), str(effective.problem),
                           found.permit.number if found.permit else None])

    averages = DataSheet(book.create_sheet(_("Averages")), {
        3: 0, 4: DEFAULT_DECIMALS, 5: DEFAULT_DECIMALS, 6: limit_decimals, 7: MULTIPLE_DECIMALS,
        8: share_decimals}, round_numbers=True)
    _header(averages, [_("Source"), _("Parameter"), _("Window end"), _("Hours"),
                       _("Measured average"), _("Corrected average"), _("Limit"),
                       _("Times the limit"), _("Coverage (%)"), _("Judgement"), _("Band"),
                       _("Note")])
    for source in sources:
        for row in services.assessments(actor, source.id, start, end).iterator(chunk_size=2000):
            decimals = decimals_for_unit(row.parameter.unit)
            averages.append([source.code, row.parameter.code, _local(row.window_end),
                             row.window_hours, row.measured, row.value, row.limit, row.multiple,
                             row.coverage, str(state_labels[row.state]), row.band, row.note],
                            decimals={4: decimals, 5: decimals},
                            against={5: row.limit, 7: 1.0})

    found_events = list(services.events(actor, services.EventFilters(
        facility=facility.id, start=start, end=end)).order_by("start"))
    # Decree 45/2022's classification, the same as the page shows (`sanctioning`).
    sanction = sanctioning.SanctionContext(found_events)
    sanction_titles = sanctioning.sanction_column_labels()
    events = DataSheet(book.create_sheet(_("Exceedances")), {
        4: 0, 5: DEFAULT_DECIMALS, 7: MULTIPLE_DECIMALS, 9: limit_decimals}, round_numbers=True)
    _header(events, [_("Source"), _("Parameter"), _("Start"), _("End"), _("Hours exceeded"),
                     _("Peak value"), _("Unit"), _("Peak multiple"), _("Band"), _("Limit"),
                     _("Status"), *sanction_titles])
    for event in found_events:
        events.append([event.source.code, event.parameter.code, _local(event.start),
                       _local(event.end), event.hours, event.peak_value, event.unit,
                       event.peak_multiple, event.band, event.limit,
                       str(event.get_status_display()),
                       *sanctioning.sanction_columns(event, sanction).values()],
                      decimals={5: decimals_for_unit(event.unit)},
                      against={5: event.limit, 7: 1.0})

    # Counts are left empty, never 0, where the period was not judged (`coverage`).
    completeness = DataSheet(book.create_sheet(_("Completeness")), {
        2: 0, 3: 0, 4: share_decimals, 5: 0, 6: 0}, round_numbers=True)
    _header(completeness, [_("Source"), _("Parameter"), _("Windows"), _("With enough data"),
                           _("Share (%)"), _("Exceeding"), _("Hours exceeded"), _("Status")])
    for block in services.facility_coverage(actor, facility.id, first, last):
        for effective, figures in sorted(block.rows, key=lambda row: row[0].parameter.code):
            if figures is None:
                continue
            told = figures.told
            completeness.append([block.source.code, effective.parameter.code, told.expected,
                                 told.valid, told.coverage, figures.exceeded_shown,
                                 figures.hours_shown, figures.label])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
