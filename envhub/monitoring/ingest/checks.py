"""Reading and checking one file, without writing anything: its size, its name, its station and
whether the sender may send for it, its lines (TT10), and each value — mapped to a parameter,
converted to the parameter's canonical unit, and within the times and ranges accepted."""

from __future__ import annotations

import datetime
import hashlib
import logging
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.core import units
from envhub.core.numbers import MAX_DECIMALS, format_number
from envhub.core.permissions import Actor
from envhub.monitoring.formats import tt10
from envhub.monitoring.ingest.registry_view import (
    MissingUnit,
    ParameterRef,
    StationRef,
    directory,
    may_send,
)
from envhub.monitoring.ingest.reports import (
    FILE_MESSAGES,
    LINE_MESSAGES,
    NAME_MESSAGES,
    BatchReport,
    IncomingFile,
    Reject,
    in_senders_language,
)
from envhub.monitoring.models import BatchStatus, DeviceStatus

logger = logging.getLogger("envhub.ingest")

# (parameter, reading time UTC, value in the canonical unit, device status, line number)
Value = tuple[ParameterRef, datetime.datetime, float | None, int, int]


@dataclass(slots=True)
class CheckedFile:
    """One file read and checked, ready to be written."""

    report: BatchReport
    sha256: str
    size: int
    content: bytes
    name: str = ""  # as received, for a retry
    station: StationRef | None = None
    # The accepted values; None when a reading process let them go (`backfill.without_values`).
    values: list[Value] | None = field(default_factory=list)
    # The earliest and latest of the values' times.
    first_time: datetime.datetime | None = None
    last_time: datetime.datetime | None = None
    # The code of a station the sender named but may not send for (kept for the audit log).
    refused_station: str | None = None
    # The lines of the accepted values that are at the stack's conditions.
    at_stack_conditions: list[int] = field(default_factory=list)

    def __reduce__(self):
        # A backfill's reading process sends checked files by the thousand: flat tuples
        # unpickle faster than dataclasses.
        report = self.report
        return _unpickle_checked_file, (
            tuple(getattr(report, name) for name in _REPORT_FIELDS), self.sha256, self.size,
            self.content, self.name, self.station, self.values, self.first_time,
            self.last_time, self.refused_station, self.at_stack_conditions)

    @property
    def readable(self) -> bool:
        """Its station is known and allowed, and the file as a whole could be read."""
        rejects = self.report.rejects
        return self.station is not None and not (rejects and any(r.line == 0 for r in rejects))

    def reject_file(self, code: str, message: str) -> CheckedFile:
        self.report.rejects.append(Reject(0, code, message))
        self.report.status = BatchStatus.REJECTED
        return self


_REPORT_FIELDS = tuple(f.name for f in fields(BatchReport))


def _unpickle_checked_file(report, sha256, size, content, name, station, values, first_time,
                           last_time, refused_station, at_stack_conditions) -> CheckedFile:
    return CheckedFile(BatchReport(*report), sha256, size, content, name, station, values,
                       first_time, last_time, refused_station, at_stack_conditions)


class Limits(NamedTuple):
    """What a file received at some time may be: its size, its lines, and the oldest and
    latest time of a value."""

    most_bytes: int
    most_lines: int
    accepted_times: tuple[datetime.datetime, datetime.datetime]


_limits_cache: tuple = (None, None)


def limits_at(now: datetime.datetime) -> Limits:
    """The limits for files received at `now`, worked out once for the files of a slice (they
    share their `now`): reading the settings is a noticeable part of a small file's check."""
    global _limits_cache
    cached_now, limits = _limits_cache  # one tuple: threads see a time with its own limits
    if cached_now is not now:
        accepted_times = (
            now - datetime.timedelta(days=settings.ENVHUB_MAX_AGE_DAYS),
            now + datetime.timedelta(minutes=settings.ENVHUB_FUTURE_TOLERANCE_MINUTES))
        limits = Limits(settings.ENVHUB_MAX_FILE_BYTES, settings.ENVHUB_MAX_FILE_LINES,
                        accepted_times)
        _limits_cache = (now, limits)
    return limits


@receiver(setting_changed)
def _forget_limits(**kwargs) -> None:
    global _limits_cache
    _limits_cache = (None, None)


def check_files(actor: Actor, files: Sequence[IncomingFile],
                now: datetime.datetime) -> list[CheckedFile]:
    return [check_file_safely(actor, incoming, now) for incoming in files]


def check_file_safely(actor: Actor, incoming: IncomingFile,
                      now: datetime.datetime) -> CheckedFile:
    """`check_file`, but a file that trips a bug in the checks is refused on its own, never
    the whole upload."""
    try:
        return check_file(actor, incoming, now)
    except Exception:  # noqa: BLE001 - logged; the sender is told, the others go on
        logger.exception("checking %s failed", incoming.name)
        content = incoming.content
        checked = CheckedFile(BatchReport(file_name=(incoming.name or "")[-255:]),
                              hashlib.sha256(content).hexdigest(), len(content), content,
                              incoming.name or "")
        return checked.reject_file("server_error", _(
            "This file could not be checked because of an internal error; it has been logged. "
            "Send it again later."))


def check_file(actor: Actor, incoming: IncomingFile, now: datetime.datetime) -> CheckedFile:
    content = incoming.content
    size = incoming.size if incoming.size is not None else len(content)
    report = BatchReport(file_name=(incoming.name or "")[-255:])
    checked = CheckedFile(report, hashlib.sha256(content).hexdigest(), size, content,
                          incoming.name or "")
    limits = limits_at(now)
    if size > limits.most_bytes:
        checked.content = b""  # not kept: it is over the limit
        return checked.reject_file("too_large", _(
            "The file has %(size)d bytes; the limit is %(limit)d.") % {
            "size": size, "limit": limits.most_bytes})
    if not _find_station(actor, checked):
        return checked

    parsed = tt10.parse(content, max_lines=limits.most_lines)
    if not parsed.ok:
        for error in parsed.file_errors:
            checked.reject_file(error.code, in_senders_language(FILE_MESSAGES, error.code,
                                                                error.message))
        return checked
    if parsed.columns is not None and _accept_whole_file(checked, parsed.columns,
                                                         limits.accepted_times):
        return checked
    report.lines = len(parsed.readings) + len(parsed.line_errors)
    for error in parsed.line_errors:
        report.rejects.append(Reject(
            error.line_number, error.reason_code,
            in_senders_language(LINE_MESSAGES, error.reason_code, error.message),
            error.raw_excerpt))
    for reading in parsed.readings:
        outcome = check_value(reading, checked.station, limits.accepted_times, report,
                              checked.at_stack_conditions)
        if type(outcome) is tuple:
            checked.values.append(outcome)
        else:
            report.rejects.append(outcome)
    report.rejected = len(report.rejects)
    if checked.values:
        times = {value[1] for value in checked.values}
        checked.first_time, checked.last_time = min(times), max(times)
    return checked


def _find_station(actor: Actor, checked: CheckedFile) -> bool:
    """Read the file's name and find its station, which the sender must be allowed to send
    for. Whether it was found (else the file is rejected)."""
    report = checked.report
    try:
        name = tt10.parse_filename(checked.name)
    except tt10.TT10Error as error:
        checked.reject_file(error.code, in_senders_language(NAME_MESSAGES, error.code,
                                                            error.message))
        return False
    station, note, contradicted = directory.station_for(name)
    if station is None or not may_send(actor, station):
        # A station the sender may not send for does not exist for it, as everywhere else: the
        # same answer as for a missing one (the refusal is audited when the batch is written).
        checked.refused_station = station.code if station is not None else None
        checked.reject_file("unknown_station", _(
            "No station has the file-name prefix %(prefix)s or the code %(code)s.") % {
            "prefix": name.prefix, "code": name.station})
        return False
    if contradicted:
        checked.reject_file("unknown_station", note)
        return False
    checked.station = station
    report.station = station.code
    if note:
        report.notes.append(note)
    if not station.active:
        report.notes.append(_("The station is marked inactive; its data is kept."))
    return True


def _accept_whole_file(checked: CheckedFile, columns: tt10.Columns, accepted_times) -> bool:
    """Accept the usual file whole, a column at a time, when `check_value` would accept each
    of its values as sent (a known parameter in its canonical unit, within its bounds and the
    accepted times: see the tests). Whether it was."""
    oldest, latest = accepted_times
    time = columns.utc_time
    station = checked.station
    if not oldest <= time <= latest:
        return False
    layout = directory.canonical_layout(station, columns.symbols, columns.units)
    if layout is None:
        return False
    values = columns.values
    if not (all(map(operator.ge, values, layout.lowest))
            and all(map(operator.le, values, layout.highest))):
        return False
    ranges = directory.ranges
    if ranges and any((station.id, parameter.id) in ranges for parameter in layout.parameters):
        return False
    count = len(values)
    checked.values = list(zip(layout.parameters, repeat(time, count), values, columns.statuses,
                              range(1, count + 1), strict=True))
    checked.report.lines = count
    checked.first_time = checked.last_time = time
    return True


def check_value(reading: tt10.Reading, station: StationRef, accepted_times,
                report: BatchReport, at_stack_conditions: list | None = None) -> Value | Reject:
    """Map, convert and validate one reading: the value to store, or the Reject that says why
    not. Notes for the sender go to `report`; the line of a value that stays at the stack's
    conditions to `at_stack_conditions`."""
    line, symbol, value, unit, local_time, utc_time, status = reading
    parameter = directory.parameter_for(station.medium, symbol)
    if parameter is None:
        return Reject(line, "unknown_parameter", _(
            "%(symbol)s is not a known parameter symbol for this kind of station.") % {
            "symbol": symbol}, _line_text(reading))
    try:
        convert, note, stack_conditions = directory.conversion_for(unit, parameter, station)
    except MissingUnit:
        return Reject(line, "missing_unit", _(
            "The unit is missing: a line gives its value's unit (%(canonical)s for %(code)s), "
            "unless the station declares the unit its datalogger uses for it.") % {
            "canonical": parameter.unit, "code": parameter.code}, _line_text(reading))
    except units.UnitError:
        return Reject(line, "bad_unit", _(
            "The unit %(unit)s cannot be converted to %(canonical)s for %(code)s.") % {
            "unit": unit, "canonical": parameter.unit or "pH", "code": parameter.code},
            _line_text(reading))
    if note:
        report.add_note(note)
    oldest, latest = accepted_times
    if utc_time > latest:
        return Reject(line, "future_time", _(
            "The time %(time)s is in the future.") % {
            "time": local_time.strftime("%d/%m/%Y %H:%M:%S")}, _line_text(reading))
    if utc_time < oldest:
        return Reject(line, "too_old", _(
            "The time %(time)s is older than the %(days)d days accepted; check the "
            "datalogger's clock.") % {
            "time": local_time.strftime("%d/%m/%Y %H:%M:%S"),
            "days": settings.ENVHUB_MAX_AGE_DAYS}, _line_text(reading))
    if value is not None:
        if convert is not None:
            try:
                value = convert(value)
            except units.UnitError:
                return Reject(line, "bad_value", _(
                    "The value is too large to convert to %(unit)s.") % {
                    "unit": parameter.unit}, _line_text(reading))
        outside = _outside_ranges(reading, station, parameter, value, report)
        if outside is not None:
            return outside
    if stack_conditions and at_stack_conditions is not None:
        at_stack_conditions.append(line)
    return (parameter, utc_time, value, status, line)


def _outside_ranges(reading, station: StationRef, parameter: ParameterRef, value: float,
                    report: BatchReport) -> Reject | None:
    """The Reject of a measured value outside the parameter's possible range or the station's
    analyser's range. A calibrating or failing device may send anything: such a value is kept
    as sent (nothing received is lost) under its status, which keeps it out of every mean."""
    low, high = parameter.minimum, parameter.maximum
    code = "out_of_range"
    if not _outside(value, low, high):
        low, high = directory.ranges.get((station.id, parameter.id), (None, None))
        code = "outside_instrument_range"
        if not _outside(value, low, high):
            return None
    if reading[6] != DeviceStatus.MEASURING:
        report.add_note(_("Values outside the plausible range were kept because their device "
                          "status is 01 (calibrating) or 02 (error); they count in no mean."))
        return None
    # As sent, every decimal, in the reader's marks (core/numbers.py).
    language = get_language()
    values = {"value": format_number(value, language, decimals=MAX_DECIMALS),
              "unit": parameter.unit, "code": parameter.code,
              "low": "−∞" if low is None else format_number(low, language, unit="limit"),
              "high": "∞" if high is None else format_number(high, language, unit="limit")}
    if code == "out_of_range":
        message = _("%(value)s %(unit)s is outside the possible range of %(code)s "
                    "(%(low)s to %(high)s).") % values
    else:
        message = _("%(value)s %(unit)s is outside the measuring range of this station's "
                    "analyser for %(code)s (%(low)s to %(high)s).") % values
    return Reject(reading[0], code, message, _line_text(reading))


def _outside(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def _line_text(reading) -> str:
    return f"{reading[1]}\t{reading[2]}\t{reading[3]}"
