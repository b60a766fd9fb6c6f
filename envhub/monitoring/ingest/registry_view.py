"""The registry as ingestion sees it, its directory: stations by file-name prefix and code,
parameters by the symbols dataloggers write, series by (station, parameter), and who may send
for a station.

Read once and kept for a few seconds (`DIRECTORY_TTL_SECONDS`) so that checking a file costs
no registry query; a change saved in this process is seen at once (`forget`, called from
`monitoring.apps`)."""

from __future__ import annotations

import math
import threading
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _

from envhub.core import permissions, units
from envhub.core.permissions import Actor
from envhub.monitoring.formats import tt10
from envhub.monitoring.models import Series
from envhub.registry.models import Medium

# How long the directory is trusted before it is read again.
DIRECTORY_TTL_SECONDS = 30
# Caches keyed by what senders write are bounded: it comes from outside.
MAX_CACHED_SPELLINGS = 10_000

_MISSING = object()


@dataclass(frozen=True)
class StationRef:
    id: int
    code: str
    prefix: str
    medium: str
    province_id: int
    facility_id: int | None
    active: bool
    # Its datalogger's concentrations are at normal conditions even when written in mg/m3.
    normal_conditions: bool = False

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


class StationMatch(NamedTuple):
    """The station a file name points at. `note`: what the sender should know when only the
    station's code matched; `contradicted`: the name's province and facility both contradict
    the station's prefix, so the file is not taken as the station's."""

    station: StationRef | None
    note: str | None = None
    contradicted: bool = False


class Conversion(NamedTuple):
    """How a value written in some unit becomes a value in its parameter's canonical unit:
    `convert` (None when the number stays as it is) and a note for the sender (None when there
    is nothing to say). `at_stack_conditions`: the value stays at the stack's conditions, to be
    normalised before it is judged."""

    convert: Callable[[float], float] | None
    note: str | None
    at_stack_conditions: bool = False


class MissingUnit(Exception):
    """A value without a unit, for a parameter that has one and a station that declares none."""


class CanonicalLayout(NamedTuple):
    """The lines of a file whose every line names a known parameter in its canonical unit (see
    `Directory.canonical_layout`): the parameters in line order, and the lowest and highest
    possible value of each (infinite where there is no bound)."""

    parameters: tuple[ParameterRef, ...]
    lowest: tuple[float, ...]
    highest: tuple[float, ...]


class Directory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded_at = -1e9
        self.by_prefix: dict[str, StationRef] = {}
        self.by_code: dict[str, StationRef] = {}
        self.aliases: dict[tuple[str, str], ParameterRef] = {}
        self.series: dict[tuple[int, int], int] = {}
        # (station, parameter) → (lowest, highest) the analyser measures, where entered.
        self.ranges: dict[tuple[int, int], tuple[float | None, float | None]] = {}
        # (station, parameter) → the unit its datalogger uses when a line gives none.
        self.declared_units: dict[tuple[int, int], str] = {}
        self._forget_answers()

    def _forget_answers(self) -> None:
        # New dicts rather than clear(): an answer worked out meanwhile in another thread from
        # the old registry goes into the old dict.
        self._by_symbol: dict[tuple[str, str], ParameterRef | None] = {}
        self._conversions: dict[tuple, Conversion] = {}
        self._layouts: dict[tuple, CanonicalLayout | None] = {}

    def refresh(self, force: bool = False) -> None:
        if not force and clock.monotonic() - self._loaded_at < DIRECTORY_TTL_SECONDS:
            return
        from envhub.registry.models import DeclaredUnit, ParameterAlias, Station

        with self._lock:
            by_prefix, by_code = {}, {}
            for row in Station.objects.values_list(
                "id", "code", "tt10_prefix", "medium", "province_id", "facility_id", "active",
                "logger_normal_conditions",
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
            declared_units = {(station_id, parameter_id): unit for station_id, parameter_id, unit
                              in DeclaredUnit.objects.values_list("station_id", "parameter_id",
                                                                  "unit")}
            # The new registry goes in before the answers worked out from the old one go.
            self.by_prefix, self.by_code, self.aliases = by_prefix, by_code, aliases
            self.series, self.ranges = series, ranges
            self.declared_units = declared_units
            self._forget_answers()
            self._loaded_at = clock.monotonic()

    def forget(self) -> None:
        """Read everything again on next use (after registry changes the cache cannot see)."""
        with self._lock:
            self._loaded_at = -1e9
            self._forget_answers()  # a parameter's canonical unit may have changed too

    def station_for(self, name: tt10.FileName) -> StationMatch:
        """The station a file name points at: by its prefix, else by its code."""
        self.refresh()
        ref = self.by_prefix.get(name.prefix.upper())
        if ref is not None:
            return StationMatch(ref)
        ref = self.by_code.get(name.station_code)
        if ref is None:
            self.refresh(force=True)  # a station created seconds ago
            ref = self.by_prefix.get(name.prefix.upper()) or self.by_code.get(name.station_code)
            if ref is None:
                return StationMatch(None)
        if ref.prefix and name.prefix.upper() != ref.prefix.upper():
            # A code alone could be a datalogger set up with another site's code: the province
            # or the facility part must agree too (one of them may have been renamed).
            parts = ref.prefix.upper().rstrip("_").split("_")
            if len(parts) >= 3 and parts[0] != name.province_code \
                    and parts[1] != name.facility_code:
                return StationMatch(ref, _(
                    "Station %(code)s has the prefix %(expected)s: neither the province nor "
                    "the facility part of %(sent)s matches it.") % {
                    "code": ref.code, "sent": name.prefix, "expected": ref.prefix}, True)
            return StationMatch(ref, _(
                "The file name starts with %(sent)s but this station's prefix is "
                "%(expected)s; the station was found by its code.") % {
                "sent": name.prefix, "expected": ref.prefix})
        return StationMatch(ref)

    def parameter_for(self, medium: str, symbol: str) -> ParameterRef | None:
        """The parameter a symbol names. Symbols are remembered as written: folding each one
        again would cost more than the rest of a value's check."""
        cache = self._by_symbol  # this one, even if a refresh replaces it meanwhile
        found = cache.get((medium, symbol), _MISSING)
        if found is _MISSING:
            from envhub.registry.models import ParameterAlias

            found = self.aliases.get((medium, ParameterAlias.key(symbol)))
            if len(cache) < MAX_CACHED_SPELLINGS:
                cache[(medium, symbol)] = found
        return found

    def conversion_for(self, unit_text: str, parameter: ParameterRef,
                       station: StationRef) -> Conversion:
        """How a value written in `unit_text` at this station becomes one in the parameter's
        canonical unit. Raises `MissingUnit` or `units.UnitError` when it cannot."""
        declared = self.declared_units.get((station.id, parameter.id)) \
            if self.declared_units else None
        key = (unit_text, parameter.id, station.medium, station.normal_conditions, declared)
        cache = self._conversions  # this one, even if a refresh replaces it meanwhile
        found = cache.get(key)
        if found is None:
            found = _conversion(unit_text, parameter, station, declared)
            if len(cache) < MAX_CACHED_SPELLINGS:
                cache[key] = found
        return found

    def canonical_layout(self, station: StationRef, symbols: Sequence[str],
                         unit_texts: Sequence[str]) -> CanonicalLayout | None:
        """For a file's lines, by their symbols and units as written: their parameters and
        bounds when every line names a known parameter in its canonical unit (nothing to
        convert, nothing to note), else None. Remembered per station and layout: a station
        sends the same lines in every file."""
        key = (station.id, tuple(symbols), tuple(unit_texts))
        cache = self._layouts  # this one, even if a refresh replaces it meanwhile
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = self._layout(station, symbols, unit_texts)
            if len(cache) < MAX_CACHED_SPELLINGS:
                cache[key] = found
        return found

    def _layout(self, station, symbols, unit_texts) -> CanonicalLayout | None:
        parameters = []
        for symbol, unit_text in zip(symbols, unit_texts, strict=True):
            parameter = self.parameter_for(station.medium, symbol)
            if parameter is None:
                return None
            try:
                if self.conversion_for(unit_text, parameter, station) != AS_SENT:
                    return None
            except (MissingUnit, units.UnitError):
                return None
            parameters.append(parameter)
        return CanonicalLayout(
            tuple(parameters),
            tuple(-math.inf if p.minimum is None else p.minimum for p in parameters),
            tuple(math.inf if p.maximum is None else p.maximum for p in parameters))


# A value in its parameter's canonical unit: taken as sent.
AS_SENT = Conversion(None, None)


def _conversion(unit_text: str, parameter: ParameterRef, station: StationRef,
                declared: str | None) -> Conversion:
    """The rules of units (docs/architecture.md, "Units"): a value needs its unit, or one the
    station declares; ambient air's normal conditions are its actual ones; a stack's
    actual-conditions concentration is read at normal conditions only where the station says
    its datalogger reports at them, and otherwise stays at the stack's conditions."""
    written = unit_text.strip()
    if not written:
        if parameter.unit == "":  # a scale without a unit, such as pH
            return AS_SENT
        if declared is None:
            raise MissingUnit()
        written = declared
    ambient = station.medium == Medium.AIR
    unit = units.normalise(written)  # UnitError for an unknown spelling
    if units.equivalent(unit, parameter.unit, ambient=ambient):
        return AS_SENT
    molar_mass = parameter.code if parameter.code in units.MOLAR_MASS else None
    counterpart = units.normal_counterpart(unit)
    if not ambient and counterpart is not None and \
            units.same_dimension(counterpart, parameter.unit):
        convert = None if units.equivalent(counterpart, parameter.unit) else units.converter(
            counterpart, parameter.unit, molar_mass=molar_mass)
        if station.normal_conditions:
            return Conversion(convert, None)
        return Conversion(convert, _(
            "Values in %(sent)s are at the stack's conditions: they are kept as sent and "
            "judged only once normalised with the stack temperature and pressure. If the "
            "datalogger reports at normal conditions, say so on the station.") % {
            "sent": written}, True)
    return Conversion(units.converter(unit, parameter.unit, molar_mass=molar_mass,
                                      ambient=ambient), None)


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
