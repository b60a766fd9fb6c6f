"""The one ingestion service: every receiver (FTP, HTTP, folder) hands files to `ingest`.

Called with one file, `ingest` raises `DatabaseError` when the database cannot store it; called
with several, a file that cannot be stored gets a report with status `error` and the others go
on.

For each file: check its size, read its name (`<Province>_<Facility>_<Station>_<time>.txt`),
find the station and check that the sender may send for it, parse it (TT10), map each symbol to
a parameter through the registry's aliases, convert the unit to the parameter's canonical unit,
and validate the value. Then, for a whole slice of files: work out what it will write (`plan`:
the rows, the batch rows, their encoding for the database; in a reading thread during a backfill,
see `monitoring.parallel`), and in one transaction record a batch per file (with its raw bytes
and its rejects), write the new observations, tell duplicates from conflicts, mark the touched
hours for the rollup worker, and note when each station last sent.

A file that was already received (same station, same SHA-256) adds nothing and says so. A value
for a (series, time) that exists with a different value is kept as the first one and reported as
a conflict; a steward may re-ingest with `replace=True`, which overwrites and is audited. If the
database fails while writing a slice, nothing of it stays, and the files are retried one by one
so that one bad file cannot hold back the others.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import logging
import math
import operator
import threading
import time as clock
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, field, fields
from itertools import repeat
from typing import NamedTuple

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from envhub.core import audit, permissions, units
from envhub.core.errors import Forbidden
from envhub.core.permissions import Actor
from envhub.core.timeutil import hour_end, local_iso
from envhub.monitoring import storage
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import BatchStatus, DeviceStatus, Series

logger = logging.getLogger("envhub.ingest")

# A batch keeps the first rejects in full; the count stays exact.
MAX_STORED_REJECTS = 200
# How long the station and parameter directory is trusted before it is read again.
DIRECTORY_TTL_SECONDS = 30


# --- what a file became --------------------------------------------------------------------

# The status of a file that could not be stored at all (it has no batch): send it again.
ERROR = "error"


@dataclass
class Reject:
    line: int  # 0 for the file as a whole
    code: str
    message: str
    text: str = ""

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "message": self.message, "text": self.text}


@dataclass(slots=True)
class BatchReport:
    """The answer a sender gets for one file. (Slots: a backfill holds two slices of them.)"""

    file_name: str
    status: str = BatchStatus.REJECTED
    station: str | None = None
    batch_id: int | None = None
    lines: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejects: list[Reject] = field(default_factory=list)
    conflict_details: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicate_of: int | None = None

    def as_dict(self) -> dict:
        return {
            "file_name": self.file_name, "status": self.status, "station": self.station,
            "batch_id": self.batch_id, "lines": self.lines, "accepted": self.accepted,
            "rejected": self.rejected, "duplicates": self.duplicates,
            "conflicts": self.conflicts, "rejects": [r.as_dict() for r in self.rejects],
            "conflict_details": self.conflict_details, "notes": self.notes,
            "duplicate_of": self.duplicate_of,
        }


@dataclass(slots=True)
class IncomingFile:
    name: str
    content: bytes
    # The size as received, when the content was not read because it is over the limit.
    size: int | None = None


# The parser's reasons, said to the sender in their language (the parser itself speaks English
# and gives stable codes; its English detail stays in the logs).
LINE_MESSAGES = {
    "wrong_field_count": gettext_lazy(
        "A line has five fields separated by TAB: symbol, value, unit, time "
        "and device status."
    ),
    "empty_symbol": gettext_lazy(
        "The parameter symbol is empty."
    ),
    "bad_value": gettext_lazy(
        "The value is not a number (digits with one decimal point or comma)."
    ),
    "empty_value": gettext_lazy(
        "The value is empty; an empty value is allowed only with status 02 "
        "(device error)."
    ),
    "bad_time": gettext_lazy(
        "The time is not a real time in the form yyyyMMddHHmmss."
    ),
    "bad_status": gettext_lazy(
        "Unknown device status: expected 00, 01 or 02."
    ),
    "bad_character": gettext_lazy(
        "The line contains a control character."
    ),
    "line_too_long": gettext_lazy(
        "The line is too long."
    ),
    "duplicate_in_file": gettext_lazy(
        "This parameter and time came earlier in the file; the first value is "
        "kept."
    ),
}
FILE_MESSAGES = {
    "empty_file": gettext_lazy(
        "The file holds no data lines."
    ),
    "not_utf8": gettext_lazy(
        "The file is not UTF-8 text; save it as UTF-8, not Windows-1258 or "
        "another code page."
    ),
    "binary_content": gettext_lazy(
        "The file is binary (or UTF-16), not a UTF-8 text file."
    ),
    "too_many_lines": gettext_lazy(
        "The file has more lines than allowed."
    ),
}
NAME_MESSAGES = {
    "bad_name": gettext_lazy(
        "The file name is not valid."
    ),
    "name_too_long": gettext_lazy(
        "The file name is too long."
    ),
    "bad_extension": gettext_lazy(
        "A TT10 file name ends in .txt."
    ),
    "wrong_part_count": gettext_lazy(
        "The file name must be four parts joined by '_': "
        "Province_Facility_Station_yyyyMMddHHmmss.txt."
    ),
    "bad_code": gettext_lazy(
        "The parts of a file name may hold only letters without diacritics, "
        "digits and '-'."
    ),
    "bad_time": gettext_lazy(
        "The time in the file name is not a real time yyyyMMddHHmmss."
    ),
}


def _said(messages: dict, code: str, detail: str) -> str:
    return str(messages[code]) if code in messages else detail


# --- the registry as ingestion sees it ---------------------------------------------------------

@dataclass(frozen=True)
class StationRef:
    id: int
    code: str
    prefix: str
    medium: str
    province_id: int
    facility_id: int | None
    active: bool

    def __reduce__(self):
        return StationRef, astuple(self)


@dataclass(frozen=True)
class ParameterRef:
    id: int
    code: str
    unit: str
    minimum: float | None
    maximum: float | None

    def __reduce__(self):
        return ParameterRef, astuple(self)


class UsualLines(NamedTuple):
    """A file's lines that each name a known parameter in its canonical unit (see
    `Directory.plain`): the parameters in line order, and the lowest and highest possible
    value of each (infinite where there is no bound)."""

    parameters: tuple[ParameterRef, ...]
    lowest: tuple[float, ...]
    highest: tuple[float, ...]


class Directory:
    """Stations by file-name prefix and code, parameters by (medium, symbol), series by
    (station, parameter): read once and kept for a few seconds, so that ingesting a file costs
    no registry queries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self.by_prefix: dict[str, StationRef] = {}
        self.by_code: dict[str, StationRef] = {}
        self.aliases: dict[tuple[str, str], ParameterRef] = {}
        self._by_symbol: dict[tuple[str, str], ParameterRef | None] = {}
        # (medium, symbol, unit) as written → (parameter, lowest, highest possible value), for
        # the spellings that need neither a conversion nor a note: see `plain`.
        self._plain: dict[tuple[str, str, str], tuple] = {}
        # (medium, symbols, units) of a file's lines → `usual`'s answer.
        self._usual: dict[tuple, UsualLines | None] = {}
        self.series: dict[tuple[int, int], int] = {}
        # (station, parameter) → (lowest, highest) the analyser measures, where entered.
        self.ranges: dict[tuple[int, int], tuple[float | None, float | None]] = {}

    def refresh(self, force: bool = False) -> None:
        if not force and clock.monotonic() - self._loaded_at < DIRECTORY_TTL_SECONDS:
            return
        from envhub.registry.models import ParameterAlias, Station

        with self._lock:
            by_prefix, by_code = {}, {}
            for row in Station.objects.values_list(
                "id", "code", "tt10_prefix", "medium", "province_id", "facility_id", "active"
            ):
                ref = StationRef(*row)
                by_code[ref.code.upper()] = ref
                if ref.prefix:
                    by_prefix[ref.prefix.upper()] = ref
            aliases = {}
            for alias in ParameterAlias.objects.select_related("parameter"):
                p = alias.parameter
                aliases[(alias.medium, alias.alias_key)] = ParameterRef(
                    p.id, p.code, p.unit, p.minimum, p.maximum)
            series, ranges = {}, {}
            for series_id, station_id, parameter_id, low, high in Series.objects.values_list(
                "id", "station_id", "parameter_id", "range_min", "range_max"
            ):
                series[(station_id, parameter_id)] = series_id
                if low is not None or high is not None:
                    ranges[(station_id, parameter_id)] = (low, high)
            self.by_prefix, self.by_code, self.aliases = by_prefix, by_code, aliases
            _forget_converters()  # a unit changed in another process is read again too
            self._by_symbol, self._plain, self._usual = {}, {}, {}
            self.series, self.ranges = series, ranges
            self._loaded_at = clock.monotonic()

    def station_for(self, name: tt10.FileName) -> tuple[StationRef | None, str | None]:
        """The station a file name points at, and a note when only its code matched."""
        self.refresh()
        ref = self.by_prefix.get(name.prefix.upper())
        if ref is not None:
            return ref, None
        ref = self.by_code.get(name.station_code)
        if ref is None:
            self.refresh(force=True)  # a station created seconds ago
            ref = self.by_prefix.get(name.prefix.upper()) or self.by_code.get(name.station_code)
            if ref is None:
                return None, None
        if ref.prefix and name.prefix.upper() != ref.prefix.upper():
            # A code alone could be a datalogger set up with another site's code: the province
            # or the facility part must agree too (one of them may have been renamed).
            parts = ref.prefix.upper().rstrip("_").split("_")
            if len(parts) >= 3 and parts[0] != name.province_code \
                    and parts[1] != name.facility_code:
                return None, _("Station %(code)s has the prefix %(expected)s: neither the "
                               "province nor the facility part of %(sent)s matches it.") % {
                    "code": ref.code, "sent": name.prefix, "expected": ref.prefix}
            return ref, _("The file name starts with %(sent)s but this station's prefix is "
                          "%(expected)s; the station was found by its code.") % {
                "sent": name.prefix, "expected": ref.prefix}
        return ref, None

    def parameter_for(self, medium: str, symbol: str) -> ParameterRef | None:
        """The parameter a symbol names; symbols as written are remembered, since folding each
        one again would cost more than the rest of the check."""
        # This cache, even if a refresh replaces it meanwhile (a refresh puts in the new
        # aliases before it empties the caches: what goes into a new cache is never stale).
        cache = self._by_symbol
        found = cache.get((medium, symbol), _MISSING)
        if found is _MISSING:
            from envhub.registry.models import ParameterAlias

            found = self.aliases.get((medium, ParameterAlias.key(symbol)))
            if len(cache) < 10_000:  # bounded: symbols come from outside
                cache[(medium, symbol)] = found
        return found

    def plain(self, medium: str, symbol: str, unit: str) -> tuple | None:
        """(parameter, lowest, highest) when a value with this symbol and unit needs no more
        than a range check: a known parameter in its canonical unit, taken without a note.
        None otherwise (unknown symbol or unit, a conversion, a note): `_check` then says
        what to do. Remembered per spelling, like `parameter_for`."""
        key = (medium, symbol, unit)
        cache = self._plain  # this one, even if a refresh replaces it (see parameter_for)
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = None
            parameter = self.parameter_for(medium, symbol)
            if parameter is not None:
                try:
                    convert, note = _converter_for(unit, parameter)
                except units.UnitError:
                    convert, note = True, None
                if convert is None and note is None:
                    found = (parameter, parameter.minimum, parameter.maximum)
            if len(cache) < 10_000:  # bounded: symbols and units come from outside
                cache[key] = found
        return found

    def usual(self, medium: str, symbols: Sequence[str], units: Sequence[str]) -> UsualLines | None:
        """For a file's lines, by their symbols and units as written: what `plain` says of
        each, when it says something of each (None otherwise). Remembered per file layout:
        a station sends the same lines in every file."""
        key = (medium, tuple(symbols), tuple(units))
        cache = self._usual  # this one, even if a refresh replaces it (see parameter_for)
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = None
            plain = [self.plain(medium, symbol, unit)
                     for symbol, unit in zip(symbols, units, strict=True)]
            if None not in plain:
                found = UsualLines(
                    tuple(parameter for parameter, _low, _high in plain),
                    tuple(-math.inf if low is None else low for _p, low, _high in plain),
                    tuple(math.inf if high is None else high for _p, _low, high in plain))
            if len(cache) < 10_000:  # bounded: layouts come from outside
                cache[key] = found
        return found

    def plain_known(self) -> dict[tuple[str, str, str], tuple | None]:
        """What `plain` has worked out so far: (medium, symbol, unit) → its answer."""
        return self._plain

    def forget(self) -> None:
        """Read everything again on next use (after registry changes the cache cannot see)."""
        with self._lock:
            self._loaded_at = -1e9
            _forget_converters()  # a parameter's canonical unit may have changed too


_MISSING = object()
directory = Directory()


def may_send(actor: Actor, station: StationRef) -> bool:
    """Whether `actor` may send data for this station: a station's own token, a facility's
    token or operator for its stations, a provincial officer in their provinces, stewards and
    admins, and the server itself (folder ingest)."""
    if actor.manages_everything:
        return True
    if station.id in actor.station_ids:
        return True
    if station.facility_id is not None and station.facility_id in actor.facility_ids:
        return True
    return permissions.PROVINCIAL_OFFICER in actor.roles and station.province_id in \
        actor.province_ids


# --- reading one file (no writes) --------------------------------------------------------------

@dataclass(slots=True)
class Prepared:
    """One file read and checked, ready to be written."""

    report: BatchReport
    sha256: str
    size: int
    content: bytes
    name: str = ""  # as received, for a retry
    station: StationRef | None = None
    # (parameter, reading time UTC, value in the canonical unit, device status, line number)
    values: list[tuple[ParameterRef, datetime.datetime, float | None, int, int]] = field(
        default_factory=list)
    # The earliest and latest of the values' times.
    first_time: datetime.datetime | None = None
    last_time: datetime.datetime | None = None

    def __reduce__(self):
        # Prepared files go to the writing process by the thousand: flat tuples unpickle several
        # times faster than dataclasses (the readings' times are shared objects, see tt10).
        report = self.report
        return _unpickle_prepared, (
            tuple(getattr(report, name) for name in _REPORT_FIELDS), self.sha256, self.size,
            self.content, self.name, self.station, self.values, self.first_time,
            self.last_time)

    @property
    def readable(self) -> bool:
        """Its station is known and allowed, and the file as a whole could be read."""
        rejects = self.report.rejects
        return self.station is not None and not (rejects and any(r.line == 0 for r in rejects))

    def reject_file(self, code: str, message: str) -> Prepared:
        self.report.rejects.append(Reject(0, code, message))
        self.report.status = BatchStatus.REJECTED
        return self


_REPORT_FIELDS = tuple(f.name for f in fields(BatchReport))


def _unpickle_prepared(report, sha256, size, content, name, station, values, first_time,
                       last_time) -> Prepared:
    return Prepared(BatchReport(*report), sha256, size, content, name, station, values,
                    first_time, last_time)


_converters: dict[tuple[str, int], object] = {}


def _forget_converters() -> None:
    # A new dict rather than clear(): a conversion being worked out in another thread from the
    # old units goes into the old one.
    global _converters
    _converters = {}


def _converter_for(unit_text: str, parameter: ParameterRef):
    """The conversion from a unit as written to the parameter's canonical unit (cached), plus a
    note when the unit was read by a rule rather than matched exactly."""
    key = (unit_text, parameter.id)
    cache = _converters
    found = cache.get(key)
    if found is not None:
        return found
    note = None
    if unit_text.strip() == "":
        convert, note = None, _("Values without a unit were taken to be in %(unit)s.") % {
            "unit": parameter.unit or "pH"}
    else:
        unit = units.normalise(unit_text)  # UnitError for an unknown spelling
        if units.equivalent(unit, parameter.unit):
            convert = None
        elif units.normal_counterpart(unit) == parameter.unit:
            # Stack analysers often write mg/m3 for values already at normal conditions.
            convert, note = None, _("%(sent)s was read as %(unit)s (normal conditions).") % {
                "sent": unit_text, "unit": parameter.unit}
        else:
            molar_mass = parameter.code if parameter.code in units.MOLAR_MASS else None
            convert = units.converter(unit, parameter.unit, molar_mass=molar_mass)
    found = cache[key] = (convert, note)
    return found


def prepare(actor: Actor, incoming: IncomingFile, now: datetime.datetime) -> Prepared:
    content = incoming.content
    size = incoming.size if incoming.size is not None else len(content)
    report = BatchReport(file_name=(incoming.name or "")[-255:])
    prepared = Prepared(report, hashlib.sha256(content).hexdigest(), size, content,
                        incoming.name or "")
    limits = _limits(now)
    if size > limits.most_bytes:
        prepared.content = b""  # not kept: it is over the limit
        return prepared.reject_file("too_large", _(
            "The file has %(size)d bytes; the limit is %(limit)d.") % {
            "size": size, "limit": limits.most_bytes})
    try:
        name = tt10.parse_filename(incoming.name or "")
    except tt10.TT10Error as error:
        return prepared.reject_file(error.code, _said(NAME_MESSAGES, error.code, error.message))
    station, note = directory.station_for(name)
    if station is None:
        return prepared.reject_file("unknown_station", note or _(
            "No station has the file-name prefix %(prefix)s or the code %(code)s.") % {
            "prefix": name.prefix, "code": name.station})
    if not may_send(actor, station):
        return prepared.reject_file("station_not_allowed", _(
            "This sender may not send data for station %(code)s.") % {"code": station.code})
    prepared.station = station
    report.station = station.code
    if note:
        report.notes.append(note)
    if not station.active:
        report.notes.append(_("The station is marked inactive; its data is kept."))

    window = limits.window
    parsed = tt10.parse_columns(content, max_lines=limits.most_lines)
    if type(parsed) is tt10.PlainFile:
        if _accept_usual_file(prepared, parsed, window):
            return prepared
        parsed = parsed.parsed()
    if not parsed.ok:
        for error in parsed.file_errors:
            prepared.reject_file(error.code, _said(FILE_MESSAGES, error.code, error.message))
        return prepared
    report.lines = len(parsed.readings) + len(parsed.line_errors)
    for error in parsed.line_errors:
        report.rejects.append(Reject(error.line_number, error.reason_code,
                                     _said(LINE_MESSAGES, error.reason_code, error.message),
                                     error.raw_excerpt))
    oldest, latest = window
    values, rejects = prepared.values, report.rejects
    accept = values.append
    medium, plain = station.medium, directory.plain
    # `plain`'s own memory, looked in here first: a call per value cost more than the check.
    plain_known = directory.plain_known()
    ranges = directory.ranges
    for reading in parsed.readings:
        # The usual value, accepted here at the cost of one lookup; anything else (a unit to
        # convert, a note, a range to check, a time or value to refuse) goes through `_check`,
        # which gives the same outcome for the usual value too (see the tests).
        line, symbol, value, unit, _local, utc_time, status = reading
        known = plain_known.get((medium, symbol, unit), _MISSING)
        if known is _MISSING:
            known = plain(medium, symbol, unit)
        if known is not None and value is not None and oldest <= utc_time <= latest:
            parameter, low, high = known
            if (low is None or value >= low) and (high is None or value <= high) and not (
                    ranges and (station.id, parameter.id) in ranges):
                accept((parameter, utc_time, value, status, line))
                continue
        outcome = _check(reading, station, window, report)
        if type(outcome) is tuple:
            accept(outcome)
        else:
            rejects.append(outcome)
    report.rejected = len(report.rejects)
    if values:
        times = {value[1] for value in values}
        prepared.first_time, prepared.last_time = min(times), max(times)
    return prepared


def _accept_usual_file(prepared: Prepared, plain: tt10.PlainFile, window) -> bool:
    """Accept the usual file whole, a column at a time, when each of its values would be
    accepted by the usual value's shortcut in `prepare` (so by `_check` too: see the tests).
    Whether it was."""
    oldest, latest = window
    time = plain.utc_time
    station = prepared.station
    if not oldest <= time <= latest:
        return False
    usual = directory.usual(station.medium, plain.symbols, plain.units)
    if usual is None:
        return False
    values = plain.values
    if not (all(map(operator.ge, values, usual.lowest))
            and all(map(operator.le, values, usual.highest))):
        return False
    ranges = directory.ranges
    if ranges and any((station.id, parameter.id) in ranges for parameter in usual.parameters):
        return False
    count = len(values)
    prepared.values = list(zip(usual.parameters, repeat(time, count), values, plain.statuses,
                               range(1, count + 1), strict=True))
    prepared.report.lines = count
    prepared.first_time = prepared.last_time = time
    return True


class Limits(NamedTuple):
    """What a file received at some time may be: its size, its lines, and the oldest and
    latest value time (`window`)."""

    most_bytes: int
    most_lines: int
    window: tuple[datetime.datetime, datetime.datetime]


_limits_cache: tuple = (None, None)


def _limits(now: datetime.datetime) -> Limits:
    """The limits for files received at `now`, worked out once for the files of a slice (they
    share their `now`): reading the settings for each file was a tenth of its check."""
    global _limits_cache
    cached_now, limits = _limits_cache  # one tuple: threads see a time with its own limits
    if cached_now is not now:
        window = (now - datetime.timedelta(days=settings.ENVHUB_MAX_AGE_DAYS),
                  now + datetime.timedelta(minutes=settings.ENVHUB_FUTURE_TOLERANCE_MINUTES))
        limits = Limits(settings.ENVHUB_MAX_FILE_BYTES, settings.ENVHUB_MAX_FILE_LINES, window)
        _limits_cache = (now, limits)
    return limits


@receiver(setting_changed)
def _forget_limits(**kwargs) -> None:
    global _limits_cache
    _limits_cache = (None, None)


def _check(reading: tuple, station: StationRef, window, report: BatchReport):
    """Map, convert and validate one reading (a `tt10.Reading` or the same fields as a plain
    tuple, as `tt10.parse_rows` gives them): a value tuple, or the Reject that says why not.
    (Runs for every value received: the accepted path does as little as it can.)"""
    line, symbol, value, unit, local_time, utc_time, status = reading
    parameter = directory.parameter_for(station.medium, symbol)
    if parameter is None:
        return Reject(line, "unknown_parameter", _(
            "%(symbol)s is not a known parameter symbol for this kind of station.") % {
            "symbol": symbol}, _line_text(reading))
    try:
        convert, note = _converter_for(unit, parameter)
    except units.UnitError:
        return Reject(line, "bad_unit", _(
            "The unit %(unit)s cannot be converted to %(canonical)s for %(code)s.") % {
            "unit": unit, "canonical": parameter.unit or "pH", "code": parameter.code},
            _line_text(reading))
    if note and note not in report.notes:
        report.notes.append(note)
    oldest, latest = window
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
        low, high = parameter.minimum, parameter.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if status == DeviceStatus.MEASURING:
                return _range_reject(reading, parameter, value, low, high, "out_of_range")
            _note_kept_out_of_range(report)
        elif directory.ranges:
            low, high = directory.ranges.get((station.id, parameter.id), (None, None))
            if (low is not None and value < low) or (high is not None and value > high):
                if status == DeviceStatus.MEASURING:
                    return _range_reject(reading, parameter, value, low, high,
                                         "outside_instrument_range")
                _note_kept_out_of_range(report)
    return (parameter, utc_time, value, status, line)


def _note_kept_out_of_range(report: BatchReport) -> None:
    # A calibrating or failing device may send anything. The value is kept as sent (nothing
    # received is lost) under its status, which keeps it out of every mean and index.
    note = _("Values outside the plausible range were kept because their device status is "
             "01 (calibrating) or 02 (error); they count in no mean.")
    if note not in report.notes:
        report.notes.append(note)


def _line_text(reading: tuple) -> str:
    return f"{reading[1]}\t{reading[2]}\t{reading[3]}"


def _range_reject(reading, parameter: ParameterRef, value: float, low, high, code: str):
    values = {"value": f"{value:g}", "unit": parameter.unit, "code": parameter.code,
              "low": "−∞" if low is None else f"{low:g}",
              "high": "∞" if high is None else f"{high:g}"}
    if code == "out_of_range":
        message = _("%(value)s %(unit)s is outside the possible range of %(code)s "
                    "(%(low)s to %(high)s).") % values
    else:
        message = _("%(value)s %(unit)s is outside the measuring range of this station's "
                    "analyser for %(code)s (%(low)s to %(high)s).") % values
    return Reject(reading[0], code, message, _line_text(reading))


# --- writing a slice of files ------------------------------------------------------------------

def _series_ids(prepared: Sequence[Prepared]) -> dict[tuple[int, int], int]:
    """Series ids for every (station, parameter) in these files, creating the missing ones."""
    wanted = {(p.station.id, value[0].id) for p in prepared if p.station for value in p.values}
    known = {key: directory.series[key] for key in wanted if key in directory.series}
    missing = wanted - set(known)
    if missing:
        # A station's first values: create its series (another process may race us: ignore).
        Series.objects.bulk_create(
            [Series(station_id=station_id, parameter_id=parameter_id)
             for station_id, parameter_id in sorted(missing)], ignore_conflicts=True)
        stations = {station_id for station_id, _ in missing}
        for series_id, station_id, parameter_id in Series.objects.filter(
            station_id__in=stations
        ).values_list("id", "station_id", "parameter_id"):
            if (station_id, parameter_id) in missing:
                known[(station_id, parameter_id)] = series_id
        # Only once committed do new ids become known to other files.
        new = {key: known[key] for key in missing}
        transaction.on_commit(lambda: directory.series.update(new))
    return known


def _refuse_deleted_stations(prepared: Sequence[Prepared]) -> bool:
    """Files whose station was deleted since the directory was read are refused as if it had
    never existed (the batch names no station); the others' stations are held until commit.
    Whether any file was refused."""
    gone = storage.hold_stations({p.station.id for p in prepared if p.station is not None})
    if not gone:
        return False
    directory.forget()
    for p in prepared:
        if p.station is not None and p.station.id in gone:
            p.station, p.values = None, []
            p.report.station = None
            p.reject_file("unknown_station", _(
                "The station of this file was deleted from the registry while the file was "
                "being received."))
    return True


def _mark_duplicate_files(actor: Actor, prepared: Sequence[Prepared],
                          now: datetime.datetime) -> bool:
    """Same station and same bytes as a file already received (or earlier in this slice).
    Whether any file was."""
    candidates = [p for p in prepared if p.readable]
    if not candidates:
        return False
    # Looked up by SHA-256 alone (its own index) and matched to the station here: with both in
    # the query, SQLite may pick the station index and scan every batch of those stations.
    keys = [(p.sha256, p.station.id) for p in candidates]
    digests, stations = zip(*keys, strict=True)
    earlier = storage.earlier_batches(set(digests), set(stations))
    if not earlier and len(set(keys)) == len(keys):  # the usual slice: no file seen before
        return False
    seen: set[tuple[str, int]] = set()
    marked = False
    for p, key in zip(candidates, keys, strict=True):
        if key in earlier or key in seen:
            marked = True
            fill_values(actor, [p], now)  # their number is told
            report = p.report
            report.status = BatchStatus.DUPLICATE_FILE
            report.duplicate_of = earlier.get(key)
            report.duplicates = len(p.values)
            report.notes.append(_("This file was already received; nothing was added."))
            p.values = []
        else:
            seen.add(key)
    return marked


def _rows(prepared: Sequence[Prepared], series_ids, db_time, gate=None):
    """The rows of the slice as the database takes them: (series, time in the database's form,
    value, status, the file's place in the slice) for every value new in the slice. Within the
    slice the first value for a (series, time) wins, like against the database; the later ones
    are (the file's place, the value as a row (series, time, value, status, line, parameter
    code), the row held) in `repeats`. Also the (series, hour end) pairs the rows fall in, for
    the rollup queue. A KeyError when a series is not in `series_ids`. (Runs for every value:
    as little as it can per value; a file's values usually share one time.)"""
    # time → {series → the first row for it}: the first value for each (series, time), found
    # without a key tuple per value.
    first_at: dict[datetime.datetime, dict[int, tuple]] = {}
    observation_rows: list[tuple] = []
    add_observation = observation_rows.append
    series_by_hour: dict[datetime.datetime, set[int]] = {}
    # time → (its database form, `setdefault` of the first rows at that time, `add` of the
    # series of its hour), once per time of the slice.
    times: dict[datetime.datetime, tuple] = {}

    def forms_of(time):
        db_form, hour = db_time(time), hour_end(time)
        found = times[time] = (db_form, first_at.setdefault(time, {}).setdefault,
                               series_by_hour.setdefault(hour, set()).add)
        return found

    repeats = []
    for place, p in enumerate(prepared):
        if gate is not None:
            gate.wait()
        if not p.values:
            continue
        station_id = p.station.id
        one_time = p.first_time if p.first_time == p.last_time else None
        if one_time is not None:
            at_db, held_for, mark_dirty = times.get(one_time) or forms_of(one_time)
        for parameter, time, value, status, line in p.values:
            series_id = series_ids[(station_id, parameter.id)]
            if one_time is None:
                at_db, held_for, mark_dirty = times.get(time) or forms_of(time)
            row = (series_id, at_db, value, status, place)
            held = held_for(series_id, row)
            if held is row:
                add_observation(row)
                mark_dirty(series_id)
            else:
                repeats.append((place, (series_id, time, value, status, line, parameter.code),
                                held))
    dirty_hours = {(series_id, hour) for hour, series in series_by_hour.items()
                   for series_id in series}
    return observation_rows, repeats, dirty_hours


# --- what a slice will write --------------------------------------------------------------------

@dataclass
class Plan:
    """What a slice of checked files will write, worked out before the database is touched: in
    the reading thread when there is one (`parallel.ReadAhead`), which leaves the writer with
    little but the database's own work. The writer works it out again when the database says
    otherwise (a file received before, a station deleted, a station's first values)."""

    dirty_hours: set[tuple[int, datetime.datetime]]
    batches: list[storage.BatchRow]
    observations: storage.PendingObservations
    pending_batches: storage.PendingBatches
    # The series ids the rows were made with, and for the files with values that an earlier
    # file of the slice sent too, the lines of those values.
    series_ids: dict[tuple[int, int], int]
    repeated_lines_of: dict[int, set[int]]
    # File place → its conflicts in full, for the files with values that an earlier file of
    # the slice sent otherwise (a batch keeps the first ones).
    conflicts_of: dict[int, list[dict]]

    def rows_of(self, prepared: Sequence[Prepared]) -> list[list[tuple]]:
        """Per file, its values new in the slice as rows (series, time, value, status, line,
        parameter code): needed only when the database holds some of them already."""
        return [_kept_rows(p, self.series_ids, self.repeated_lines_of.get(place, ()))
                for place, p in enumerate(prepared)]


def _kept_rows(p: Prepared, series_ids, repeated_lines) -> list[tuple]:
    if not p.values:
        return []
    station_id = p.station.id
    return [(series_ids[(station_id, parameter.id)], time, value, status, line, parameter.code)
            for parameter, time, value, status, line in p.values if line not in repeated_lines]


def plan(prepared: Sequence[Prepared], gate=None) -> Plan | None:
    """The plan for these files, or None when some of their series do not exist yet (the
    writer creates them). `gate`: waited on between files (see `parallel.Gate`)."""
    try:
        return _plan(prepared, directory.series, gate)
    except KeyError:
        return None


def _plan(prepared: Sequence[Prepared], series_ids, gate=None) -> Plan:
    observation_rows, repeats, dirty_hours = _rows(
        prepared, series_ids, storage.time_adapter(), gate)
    repeats_of: dict[int, list] = {}
    for place, row, held in repeats:
        repeats_of.setdefault(place, []).append((row, held))
    repeated_lines_of = {place: {row[4] for row, _held in found}
                         for place, found in repeats_of.items()}
    batches, conflicts_of = [], {}
    for place, p in enumerate(prepared):
        if place in repeats_of:
            batch = _batch_row(p, _kept_rows(p, series_ids, repeated_lines_of[place]))
            conflicts_of[place] = _count_repeats(batch, p.report, repeats_of[place])
        else:
            batch = _batch_row(p)
        batches.append(batch)
    # A file received before is not archived again: its batch points at the first one.
    contents = [b"" if p.report.status == BatchStatus.DUPLICATE_FILE else p.content
                for p in prepared]
    if gate is not None:
        gate.wait()
    return Plan(dirty_hours, batches, storage.encode_observations(observation_rows),
                storage.encode_batches(batches, contents), series_ids, repeated_lines_of,
                conflicts_of)


def _batch_row(p: Prepared, kept: list[tuple] | None = None) -> storage.BatchRow:
    """The batch of a file as it stands before the database is asked (the file's report is
    told at writing: see `_told`). `kept`: its rows when some of its values were sent by an
    earlier file of the slice; all its values are new otherwise."""
    report = p.report
    if kept is None:
        accepted, first_time, last_time = len(p.values), p.first_time, p.last_time
    elif kept:
        times = [row[1] for row in kept]
        accepted, first_time, last_time = len(kept), min(times), max(times)
    else:
        accepted, first_time, last_time = 0, None, None
    if report.rejects:
        report.rejects.sort(key=lambda reject: reject.line)
    batch = storage.BatchRow(
        p.station.id if p.station is not None else None, report.file_name, p.sha256, p.size,
        report.lines, first_time, last_time, report.duplicate_of, accepted=accepted,
        rejected=len(report.rejects), duplicates=report.duplicates, conflicts=report.conflicts,
        rejects=[r.as_dict() for r in report.rejects[:MAX_STORED_REJECTS]],
        conflict_details=report.conflict_details[:MAX_STORED_REJECTS],
        notes=list(report.notes))
    batch.status = _status(report.status, batch)
    return batch


def _count_repeats(batch: storage.BatchRow, report: BatchReport, repeats) -> list[dict]:
    """Count a file's values that an earlier file of the slice sent too: duplicates when the
    same, conflicts when not. The file's conflicts in full."""
    details = list(report.conflict_details)
    for (_series, time, value, status, line, code), held in repeats:
        held_value, held_status = held[2], held[3]
        if held_value == value and held_status == status:
            batch.duplicates += 1
        else:
            batch.conflicts += 1
            details.append({
                "line": line, "parameter": code, "time": local_iso(time),
                "kept": held_value, "sent": value,
                "note": _("an earlier file in the same upload sent another value"),
            })
    batch.conflict_details = details[:MAX_STORED_REJECTS]
    batch.status = _status(report.status, batch)
    return details


def _status(status: str, counts) -> str:
    """A file's status from its counts (`counts`: a report or a batch row)."""
    if status == BatchStatus.DUPLICATE_FILE:
        return status
    if counts.accepted == 0 and counts.rejected and not (counts.duplicates or counts.conflicts):
        return BatchStatus.REJECTED
    if counts.rejected or counts.conflicts:
        return BatchStatus.PARTIAL
    return BatchStatus.ACCEPTED


def _told(report: BatchReport, batch: storage.BatchRow, conflicts: list[dict] | None) -> None:
    """The file's report says what its batch says."""
    report.batch_id = batch.id
    report.status = batch.status
    report.accepted, report.rejected = batch.accepted, batch.rejected
    report.duplicates, report.conflicts = batch.duplicates, batch.conflicts
    if conflicts is not None:
        report.conflict_details = conflicts


# --- writing a slice -----------------------------------------------------------------------------

def _write(actor: Actor, channel: str, prepared: Sequence[Prepared], planned: Plan | None,
           now: datetime.datetime, replace: bool, live: bool, window) -> None:
    changed = _refuse_deleted_stations(prepared)
    if not replace:
        changed = _mark_duplicate_files(actor, prepared, now) or changed
    if planned is None or changed:
        fill_values(actor, prepared, now)
    work = planned if planned is not None and not changed else plan(prepared)
    if work is None:  # a station's first values: its series are created first
        work = _plan(prepared, _series_ids(prepared))
    # The batches' ids: every observation row carries its file's.
    batch_ids = storage.allocate_batch_ids(len(prepared))
    conflicts_of = work.conflicts_of
    for place, (p, batch, batch_id) in enumerate(zip(prepared, work.batches, batch_ids,
                                                     strict=True)):
        batch.id = batch_id
        _told(p.report, batch, conflicts_of.get(place))
    sending = storage.Sending(
        actor.label[:200], actor.user.pk if actor.user is not None else None,
        actor.token.pk if actor.token is not None else None, channel, now, replace)
    received = now if live and not replace else None
    with window():
        storage.insert_batches(work.pending_batches, batch_ids, sending)
        inserted = storage.insert_observations(work.observations, batch_ids)
        if inserted == work.observations.count:
            storage.queue_rollups(work.dirty_hours, now)
            storage.note_station_activity(_newest_by_station(
                (p.station, batch.last_time)
                for p, batch in zip(prepared, work.batches, strict=True) if batch.accepted),
                received)
    if inserted < work.observations.count:
        fill_values(actor, prepared, now)
        rows_of = work.rows_of(prepared)
        changed = _settle_collisions(actor, work.batches, prepared, rows_of, replace)
        for batch, p in changed:
            _finish(batch, p.report)
            storage.update_batch_counts(batch)
        # Only the hours of the rows that stayed (new, or replaced) are dirty.
        touched = {(row[0], row[1]) for rows in rows_of for row in rows}
        hours = {time: hour_end(time) for time in {time for _series, time in touched}}
        storage.queue_rollups({(series_id, hours[time]) for series_id, time in touched}, now)
        storage.note_station_activity(_newest_by_station(
            (p.station, max(row[1] for row in rows))
            for p, rows in zip(prepared, rows_of, strict=True) if rows), received)
    for p, batch in zip(prepared, work.batches, strict=True):
        if p.report.rejects and p.report.rejects[0].code == "station_not_allowed":
            audit.record(actor, "ingest_refused", object_type="monitoring.batch",
                         object_id=str(batch.id), object_repr=batch.file_name,
                         changes={"station": [None, p.report.station]})


def _settle_collisions(actor: Actor, batches, prepared, rows_of, replace: bool) -> list:
    """Some rows were already stored: tell duplicates (same value and status) from conflicts."""
    keys = [(row[0], row[1]) for rows in rows_of for row in rows]
    stored = storage.existing(keys)
    replacements, changed = [], []
    for batch, p, rows in zip(batches, prepared, rows_of, strict=True):
        before = (p.report.accepted, p.report.duplicates, p.report.conflicts)
        kept_rows = []
        for series_id, time, value, status, line, code in rows:
            old_value, old_status, old_batch = stored.get((series_id, time), (None, None, None))
            if old_batch == batch.id:
                kept_rows.append((series_id, time, value, status, line, code))
                continue
            p.report.accepted -= 1
            if old_value == value and old_status == status:
                p.report.duplicates += 1
            elif replace:
                p.report.accepted += 1
                replacements.append((series_id, time, value, status, batch.id))
                kept_rows.append((series_id, time, value, status, line, code))
                p.report.conflict_details.append({
                    "line": line, "parameter": code, "time": local_iso(time),
                    "replaced": old_value, "sent": value})
            else:
                p.report.conflicts += 1
                p.report.conflict_details.append({
                    "line": line, "parameter": code, "time": local_iso(time),
                    "kept": old_value, "sent": value})
        rows[:] = kept_rows
        if (p.report.accepted, p.report.duplicates, p.report.conflicts) != before:
            changed.append((batch, p))
    if replacements:
        storage.replace_observations(replacements)
        audit.record(actor, "ingest_replace", object_type="monitoring.batch",
                     object_id=",".join(str(b.id) for b in batches)[:100],
                     object_repr=f"{len(replacements)} values replaced",
                     changes={"values": [None, len(replacements)]})
    return changed


def _finish(batch: storage.BatchRow, report: BatchReport) -> None:
    """The batch and its report after the database showed some values stored already."""
    report.status = _status(report.status, report)
    batch.status = report.status
    batch.accepted, batch.rejected = report.accepted, report.rejected
    batch.duplicates, batch.conflicts = report.duplicates, report.conflicts
    batch.conflict_details = report.conflict_details[:MAX_STORED_REJECTS]


def _newest_by_station(latest_of_files) -> dict[int, datetime.datetime]:
    """The newest accepted value time of each station in the slice, from (station, the newest
    accepted value time) of each file with any."""
    newest: dict[int, datetime.datetime] = {}
    for station, latest in latest_of_files:
        if station.id not in newest or latest > newest[station.id]:
            newest[station.id] = latest
    return newest


# --- the entry point -----------------------------------------------------------------------------

# Files that come from the station itself, as it sends them: their arrival is what a station's
# connectivity follows. A backfill from a folder is not a sign of life (unless said so).
LIVE_CHANNELS = {"ftp", "http"}


def ingest(actor: Actor, channel: str, files: Sequence[IncomingFile], *, replace: bool = False,
           now: datetime.datetime | None = None, live: bool | None = None) -> list[BatchReport]:
    """Ingest files in one transaction; if the database fails, retry them one at a time."""
    check_replace(actor, replace)
    now = now or timezone.now()
    return write(actor, channel, prepare_files(actor, files, now), now=now, replace=replace,
                 live=live)


def check_replace(actor: Actor, replace: bool) -> None:
    if replace and not actor.manages_everything:
        raise Forbidden(_("Only a data steward may re-ingest with replace."))


_collector_lock = threading.Lock()
_collector_pauses = 0


@contextlib.contextmanager
def collector_paused():
    """Python's cycle collector paused while a slice is read or written. A slice makes some
    100,000 small tuples and lists, none of them in a reference cycle, and the collector, set
    off by their number, would walk the whole heap again and again for them (most of it the
    caller's: a folder's files, Django) — that took more time than the work itself. It runs
    as usual again once no slice is being read or written (a slice is bounded in size: nothing
    piles up). Counted, because a slice may be read in one thread while another is written."""
    global _collector_pauses
    with _collector_lock:
        if _collector_pauses == 0 and not gc.isenabled():
            paused_here = False  # paused by someone else: theirs to resume
        else:
            paused_here = True
            _collector_pauses += 1
            gc.disable()
    try:
        yield
    finally:
        if paused_here:
            with _collector_lock:
                _collector_pauses -= 1
                if _collector_pauses == 0:
                    gc.enable()


def prepare_files(actor: Actor, files: Sequence[IncomingFile],
                  now: datetime.datetime, gate=None) -> list[Prepared]:
    """Read and check files without writing anything: the part of ingestion that may run in
    another thread or other processes (see `monitoring.parallel`) while this one writes.
    `gate`: waited on between files (see `parallel.Gate`)."""
    prepared = []
    with collector_paused():
        for incoming in files:
            if gate is not None:
                gate.wait()
            prepared.append(_prepare_safely(actor, incoming, now))
    return prepared


def without_values(prepared: Sequence[Prepared], planned: Plan) -> None:
    """Let go of the checked values of planned files before they are sent to the writing
    process: the plan holds what will be written, and the values are only needed again when
    the database disagrees with the plan (`fill_values`). Unpickling them took the writer a
    good part of its time (docs/benchmarks.md: 16.8 and 13.5 s with them, 14.7 and 11.4
    without). The plan keeps the ids of the slice's series only, not the directory's."""
    planned.series_ids = {key: planned.series_ids[key] for key in {
        (p.station.id, value[0].id) for p in prepared if p.values for value in p.values}}
    for p in prepared:
        if p.values:
            p.values = None


def fill_values(actor: Actor, prepared: Sequence[Prepared], now: datetime.datetime) -> None:
    """Check again, here, the files whose values were let go (`without_values`)."""
    for p in prepared:
        if p.values is None:
            p.values = prepare(actor, IncomingFile(p.name, p.content), now).values


def _prepare_safely(actor: Actor, incoming: IncomingFile, now: datetime.datetime) -> Prepared:
    """A file that trips a bug in the checks is refused on its own, never the whole upload."""
    try:
        return prepare(actor, incoming, now)
    except Exception:  # noqa: BLE001 - logged; the sender is told, the others go on
        logger.exception("checking %s failed", incoming.name)
        content = incoming.content
        prepared = Prepared(BatchReport(file_name=(incoming.name or "")[-255:]),
                            hashlib.sha256(content).hexdigest(), len(content), content,
                            incoming.name or "")
        return prepared.reject_file("server_error", _(
            "This file could not be checked because of an internal error; it has been logged. "
            "Send it again later."))


def write(actor: Actor, channel: str, prepared: Sequence[Prepared], *,
          now: datetime.datetime, replace: bool = False, live: bool | None = None,
          plan: Plan | None = None, gate=None) -> list[BatchReport]:
    """Write prepared files in one transaction; if the database fails, retry them one by
    one. `live`: the files arrived from the stations now (default: FTP and HTTP). `plan`:
    worked out for these files ahead (see `plan`). `gate`: a reading thread's
    (`parallel.Gate`), opened while the database works on its own: in the long statements
    that write the slice, where they run without Python's interpreter lock, and the commit."""
    live = channel in LIVE_CHANNELS if live is None else live
    # Partitions of new months first, in their own short transaction (see `partitions`).
    storage.prepare_for(_value_times(actor, prepared, now))
    window = contextlib.nullcontext
    if gate is not None and storage.bulk_writes_release_interpreter():
        window = gate.opened
    try:
        with collector_paused():
            try:
                with transaction.atomic():
                    _write(actor, channel, prepared, plan, now, replace, live, window)
                    if gate is not None:
                        gate.open()  # for the commit
            finally:
                if gate is not None:
                    gate.shut()
    except DatabaseError:
        # A station or series deleted since the directory was read shows up here: read it again.
        directory.forget()
        if len(prepared) == 1:
            logger.exception("ingesting %s failed", prepared[0].report.file_name)
            raise
        logger.warning("a slice of %d files failed; retrying one by one", len(prepared))
        return [_ingest_alone(actor, channel, IncomingFile(p.name, p.content, p.size), replace,
                              now, live) for p in prepared]
    return [p.report for p in prepared]


def write_in_transactions(actor: Actor, channel: str, reads: Iterable, *,
                          files_per_transaction: int, replace: bool = False, gate=None,
                          kept=lambda item: item) -> Iterator[tuple[list, list[BatchReport]]]:
    """Write slices as a reader gives them (`parallel.ReadSlice`s) in transactions of about
    `files_per_transaction` files, several slices each; yield (what `kept` keeps of each
    item, their reports) for each transaction once it is committed. A backfill's commits cost
    more than its slices' reading can hide: each writes back (and on SQLite checkpoints) the
    pages of the observations' key of every series it touches, whatever the number of values,
    and few slices are held in memory at a time (docs/benchmarks.md).

    Each slice is written as `write` writes it, inside the transaction (a savepoint): a slice
    the database refuses is rolled back alone and retried file by file, and a file it still
    refuses is reported with the status ERROR. A transaction whose commit fails stores
    nothing: each of its files is reported so."""
    def written(read) -> list[BatchReport]:
        try:
            return write(actor, channel, read.prepared, now=read.now, replace=replace,
                         plan=read.plan, gate=gate)
        except DatabaseError:  # a slice of one file, rolled back alone
            return [_not_stored(p.report.file_name) for p in read.prepared]

    reads = iter(reads)
    for read in reads:  # the first slice of a transaction
        items = [kept(item) for item in read.items]
        if len(items) >= files_per_transaction:
            # A transaction of one slice: `write`'s own (a savepoint would only cost; on
            # PostgreSQL a subtransaction for every slice).
            reports = written(read)
            read = None
            yield items, reports
            continue
        reports: list[BatchReport] = []
        try:
            with transaction.atomic():
                while read is not None:
                    reports += written(read)
                    read = None  # the written slice goes before the next is read
                    if len(items) < files_per_transaction:
                        read = next(reads, None)
                        if read is not None:
                            items += map(kept, read.items)  # not the files' contents
                if gate is not None and storage.bulk_writes_release_interpreter():
                    gate.open()  # the reading thread runs while the database commits
        except DatabaseError as error:
            directory.forget()  # series created in the transaction are gone with it
            logger.warning("a transaction of %d files failed at its commit: %s", len(items),
                           error)
            reports = [_not_stored(report.file_name) for report in reports]
        finally:
            if gate is not None:
                gate.shut()
        yield items, reports


def _not_stored(file_name: str) -> BatchReport:
    report = BatchReport(file_name=file_name, status=ERROR)
    report.rejects.append(Reject(0, "server_error", _(
        "The database could not store this file; nothing of it was kept. Send it again.")))
    report.rejected = 1
    return report


def _value_times(actor: Actor, prepared: Sequence[Prepared],
                 now: datetime.datetime) -> Iterator[datetime.datetime]:
    """Times that cover every month the files' values fall in. (Given one by one: only
    PostgreSQL's partitions need them.)"""
    for p in prepared:
        if p.values or p.values is None:
            first, last = p.first_time, p.last_time
            if first is None or (first.year, first.month) != (last.year, last.month):
                fill_values(actor, [p], now)
                yield from (value[1] for value in p.values)
            else:
                yield first


def _ingest_alone(actor: Actor, channel: str, incoming: IncomingFile, replace: bool,
                  now: datetime.datetime, live: bool) -> BatchReport:
    """One file of a failed slice: its own report, or an `error` report when the database
    cannot store even this file (nothing of it is stored; the sender should send it again)."""
    try:
        return ingest(actor, channel, [incoming], replace=replace, now=now, live=live)[0]
    except DatabaseError:
        return _not_stored((incoming.name or "")[-255:])

