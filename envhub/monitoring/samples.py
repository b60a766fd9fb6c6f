"""Loading periodic monitoring results (kết quả quan trắc định kỳ) of an approved survey
version into the environmental database: the monitoring side of the surveys' loader.

Each row becomes a `Sample` (the laboratory's result with its method, laboratory, VIMCERTS
number and the survey version it came from), and a detected value also an `Observation` of the
same series the automatic road writes (station, parameter), in the parameter's canonical unit,
so that the station's chart, latest values and API read it as any other value. A result below
the limit of detection keeps its flag and its limit and writes no observation: it is not zero.

The load runs in the caller's transaction and never half-loads: any row it cannot take raises
`LoadRefused` (a Vietnamese message, the row's line), and the caller's `transaction.atomic()`
rolls everything back. Rows are taken as `(line, values)` pairs — what `surveys.validation
.validate(..., on_row=...)` hands over for each row — and written in chunks, so 100,000 rows
never sit in memory at once. See docs/periodic.md.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.core import audit, geo, permissions, units
from envhub.core.errors import EnvhubError, Forbidden, InvalidInput
from envhub.core.numbers import format_number
from envhub.core.permissions import Actor
from envhub.core.timeutil import VN, local_iso, local_to_utc
from envhub.monitoring import rollups, sample_storage, storage
from envhub.monitoring.ingest.registry_view import (
    MissingUnit,
    ParameterRef,
    StationRef,
    _conversion,
    directory,
)
from envhub.monitoring.models import PERIODIC_BATCH, Sample, Series

# Rows written per chunk: a few thousand rows a statement or two, and what memory holds.
CHUNK_ROWS = 5000
BELOW_DETECTION = "<LOD"
_CACHED_TIMES = 10_000


class LoadRefused(EnvhubError):
    """A load that cannot go on: nothing of it may stay (the caller's transaction rolls back).
    `line`: the row of the upload at fault, when one is; `reason`: a short code."""

    status = 422
    code = "load_refused"

    def __init__(self, message: str, *, line: int | None = None, reason: str = ""):
        self.line, self.reason = line, reason
        super().__init__(message, {"line": line, "reason": reason})


@dataclass
class LoadSummary:
    """What a load wrote (and, with `replaces`, removed first)."""

    survey_version: int
    rows: int = 0
    samples: int = 0
    observations: int = 0
    below_detection: int = 0
    stations_created: list[str] = field(default_factory=list)
    series_created: int = 0
    replaced_samples: int = 0
    replaced_observations: int = 0
    first_time: datetime.datetime | None = None
    last_time: datetime.datetime | None = None

    def as_dict(self) -> dict:
        return {"survey_version": self.survey_version, "rows": self.rows,
                "samples": self.samples, "observations": self.observations,
                "below_detection": self.below_detection,
                "stations_created": self.stations_created,
                "series_created": self.series_created,
                "replaced_samples": self.replaced_samples,
                "replaced_observations": self.replaced_observations,
                "first_time": local_iso(self.first_time), "last_time": local_iso(self.last_time)}


def load_periodic(actor: Actor, rows: Iterable[tuple[int, Mapping[str, Any]]], *,
                  survey_version: int, replaces: Sequence[int] = (),
                  operator_id: int | None = None, chunk_rows: int = CHUNK_ROWS) -> LoadSummary:
    """Load the rows of approved survey version `survey_version`, each a `(line, values)` pair
    keyed by the periodic-results schema's field names, after deleting what the versions in
    `replaces` loaded. New stations are operated by `operator_id` (the survey unit's
    organisation). Must run inside the caller's transaction; raises `LoadRefused` (nothing is to
    be kept) or `Forbidden` (the actor may not load)."""
    loader = PeriodicLoader(actor, survey_version=survey_version, replaces=replaces,
                            operator_id=operator_id, chunk_rows=chunk_rows)
    for line, values in rows:
        loader.add(line, values)
    return loader.finish()


@dataclass
class _Station:
    id: int
    code: str
    kind: str
    medium: str
    ref: StationRef


class PeriodicLoader:
    """`load_periodic` fed row by row (`add`), for a caller that is handed rows by a callback
    (`validate(..., on_row=...)`), then `finish`."""

    def __init__(self, actor: Actor, *, survey_version: int, replaces: Sequence[int] = (),
                 operator_id: int | None = None, chunk_rows: int = CHUNK_ROWS):
        if not connection.in_atomic_block:
            raise RuntimeError("load_periodic runs inside the caller's transaction.atomic()")
        if not permissions.can(actor, permissions.ADD, Sample):
            raise Forbidden(_("Only a data steward may load survey results."))
        self.actor, self.version = actor, int(survey_version)
        self.replaces = sorted({int(v) for v in replaces} - {self.version})
        self.operator_id, self.chunk_rows = operator_id, chunk_rows
        self.summary = LoadSummary(self.version)
        self._stations: dict[str, _Station | None] = {}
        self._parameters = _parameters()
        self._series: dict[tuple[int, int], int] = {}
        self._conversions: dict[tuple, Any] = {}
        # (date, time) as written → UTC: a campaign's rows share their sampling times.
        self._times: dict[tuple, datetime.datetime] = {}
        self._pending: list[tuple] = []
        self._touched_series: set[int] = set()
        self._newest: dict[int, datetime.datetime] = {}
        self._db_time = storage.time_adapter()
        if Sample.objects.filter(survey_version=self.version).exists():
            raise LoadRefused(_("Survey version %(version)s is already loaded.") % {
                "version": self.version}, reason="already_loaded")
        self._delete_replaced()

    # --- rows -------------------------------------------------------------------------------

    def add(self, line: int, values: Mapping[str, Any]) -> None:
        self.summary.rows += 1
        self._pending.append((line, values))
        if len(self._pending) >= self.chunk_rows:
            self._flush()

    def finish(self) -> LoadSummary:
        self._flush()
        # Latest values: the station page and the map show a periodic station's newest result
        # too. Refreshed here, for the series this load or the replaced versions touched. No
        # rollups are queued: an hourly or daily mean of one grab sample, with a coverage
        # counted against a 5-minute interval, means nothing, and would feed the compliance
        # and VN_AQI queues with hours that are never valid.
        if self._touched_series:
            rollups.refresh_latest(self._touched_series)
        # The station's newest value time moves forward; `received_at` stays unset: survey
        # results are not a datalogger's sign of life, so connectivity never follows them.
        storage.note_station_activity(self._newest, None)
        audit.record(self.actor, "load_periodic_results", object_type="surveys.version",
                     object_id=str(self.version),
                     object_repr=_("Periodic monitoring results, survey version %(version)s")
                     % {"version": self.version},
                     changes={"loaded": [None, self.summary.as_dict()],
                              "replaces": [None, self.replaces]})
        return self.summary

    def _flush(self) -> None:
        if not self._pending:
            return
        # The chunk's stations the loader has not seen yet, in one query.
        codes = {_text(values.get("station_code")).upper() for _line, values in self._pending}
        self._stations.update(_find_stations(codes - set(self._stations)))
        prepared = [self._prepare(line, values) for line, values in self._pending]
        self._pending = []
        self._ensure_series(prepared)
        self._write(prepared)

    def _prepare(self, line: int, values: Mapping[str, Any]) -> tuple:
        """(line, station, parameter, time, value, below, limit, written value, written unit,
        method, laboratory, vimcerts), checked; `LoadRefused` naming the line otherwise."""
        station = self._station(line, values)
        parameter = self._parameter(line, values, station)
        moment = (values.get("sampling_date"), values.get("sampling_time"))
        time = self._times.get(moment)
        if time is None:
            time = _sampling_time(line, values)
            if len(self._times) < _CACHED_TIMES:
                self._times[moment] = time
        below = _text(values.get("detection")).upper() == BELOW_DETECTION.upper()
        value, limit = values.get("value"), values.get("detection_limit")
        unit = _text(values.get("unit"))
        if below:
            if limit is None:
                raise LoadRefused(_("Line %(line)s is below the limit of detection but gives "
                                    "no limit.") % {"line": line}, line=line, reason="limit_needed")
            if value is not None:
                raise LoadRefused(_("Line %(line)s is below the limit of detection and also "
                                    "gives a value: give one or the other.") % {"line": line},
                                  line=line, reason="value_below_limit")
            written = limit
        else:
            if value is None:
                raise LoadRefused(_("Line %(line)s gives no value.") % {"line": line},
                                  line=line, reason="value_needed")
            written = value
        canonical = self._canonical(line, written, unit, parameter, station)
        if not below:
            _check_range(line, canonical, parameter)
        elif canonical < 0:
            raise LoadRefused(_("Line %(line)s: a limit of detection cannot be negative.")
                              % {"line": line}, line=line, reason="out_of_range")
        return (line, station, parameter, time, None if below else canonical, below,
                canonical if below else None, float(written), unit,
                _text(values.get("method"))[:100], _text(values.get("laboratory"))[:255],
                _text(values.get("vimcerts"))[:30])

    # --- stations and parameters ------------------------------------------------------------

    def _station(self, line: int, values: Mapping[str, Any]) -> _Station:
        code = _text(values.get("station_code")).upper()
        if not code:
            raise LoadRefused(_("Line %(line)s names no station.") % {"line": line},
                              line=line, reason="required")
        station = self._stations.get(code)
        if station is None:
            station = self._stations[code] = self._create_station(line, code, values)
        if station.kind != "periodic":
            raise LoadRefused(_(
                "Line %(line)s names station %(code)s, an automatic station: periodic results "
                "are not written into automatic stations' data. Give the sampling site its own "
                "code.") % {"line": line, "code": station.code}, line=line,
                reason="automatic_station")
        return station

    def _create_station(self, line: int, code: str, values: Mapping[str, Any]) -> _Station:
        """A new periodic station for a site the registry lacks, through the registry's
        service (validated and audited), its point checked inside Viet Nam."""
        from envhub.registry import services as registry
        from envhub.registry.models import Medium, Province, Station, StationKind

        name, province_code = _text(values.get("site_name")), _text(values.get("province_code"))
        latitude, longitude = values.get("latitude"), values.get("longitude")
        medium = _text(values.get("medium"))
        if not name or not province_code or latitude is None or longitude is None:
            raise LoadRefused(_(
                "Line %(line)s names station %(code)s, which the registry lacks: a new site "
                "needs its name, province code, latitude and longitude.") % {
                "line": line, "code": code}, line=line, reason="unknown_station")
        problem = geo.check_point(latitude, longitude)
        if problem is not None:
            raise LoadRefused(_(
                "Line %(line)s: the point %(latitude)s, %(longitude)s of the new site %(code)s "
                "does not lie in Viet Nam.") % {"line": line, "code": code,
                                                "latitude": latitude, "longitude": longitude},
                line=line, reason=problem)
        province = Province.objects.filter(code=province_code).first()
        if province is None or medium not in Medium.values:
            raise LoadRefused(_("Line %(line)s: province code %(province)s or medium "
                                "%(medium)s is unknown.") % {
                "line": line, "province": province_code, "medium": medium},
                line=line, reason="unknown_code")
        station = Station(code=code, name=name[:255], kind=StationKind.PERIODIC, medium=medium,
                          province=province, latitude=float(latitude),
                          longitude=float(longitude), operator_id=self.operator_id,
                          # Sampled a few times a year: no datalogger interval to expect.
                          expected_interval_minutes=60 * 24)
        try:
            registry.save(self.actor, station)
        except InvalidInput as error:
            reasons = "; ".join(f"{key}: {' '.join(messages)}"
                                for key, messages in error.details.items())
            raise LoadRefused(_("Line %(line)s: the new station %(code)s cannot be created "
                                "(%(reasons)s).") % {"line": line, "code": code,
                                                     "reasons": reasons},
                              line=line, reason="invalid_station") from None
        self.summary.stations_created.append(station.code)
        return _as_station(station.id, station.code, station.kind, station.medium,
                           station.province_id, station.logger_normal_conditions)

    def _parameter(self, line: int, values: Mapping[str, Any], station: _Station):
        medium, code = _text(values.get("medium")), _text(values.get("parameter"))
        if medium and medium != station.medium:
            raise LoadRefused(_(
                "Line %(line)s gives a result of medium %(medium)s for station %(code)s, which "
                "measures %(station_medium)s.") % {"line": line, "medium": medium,
                                                   "code": station.code,
                                                   "station_medium": station.medium},
                line=line, reason="wrong_medium")
        found = self._parameters.get((station.medium, code)) or self._parameters.get(
            (station.medium, code.upper()))
        if found is None:
            raise LoadRefused(_("Line %(line)s: parameter %(code)s is unknown for this "
                                "medium.") % {"line": line, "code": code},
                              line=line, reason="unknown_parameter")
        return found

    def _canonical(self, line: int, figure: float, unit: str, parameter: ParameterRef,
                   station: _Station) -> float:
        key = (unit, parameter.id, station.medium, station.ref.normal_conditions)
        conversion = self._conversions.get(key)
        if conversion is None:
            try:
                # The ingestion road's rules of units (no declared unit: a laboratory writes it).
                conversion = _conversion(unit, parameter, station.ref, None)
            except (MissingUnit, units.UnitError):
                raise LoadRefused(_("Line %(line)s: %(code)s cannot be read in unit "
                                    "“%(unit)s” (its unit is %(expected)s).") % {
                    "line": line, "code": parameter.code, "unit": unit,
                    "expected": parameter.unit or "pH"}, line=line, reason="wrong_unit") from None
            self._conversions[key] = conversion
        if conversion.at_stack_conditions:
            raise LoadRefused(_(
                "Line %(line)s: %(unit)s is a concentration at the stack's conditions; a "
                "laboratory result of %(code)s must be given at normal conditions "
                "(%(expected)s).") % {"line": line, "unit": unit, "code": parameter.code,
                                      "expected": parameter.unit}, line=line,
                reason="stack_conditions")
        figure = float(figure)
        if not math.isfinite(figure):
            raise LoadRefused(_("Line %(line)s gives no number.") % {"line": line}, line=line,
                              reason="not_a_number")
        return conversion.convert(figure) if conversion.convert else figure

    def _ensure_series(self, prepared: list[tuple]) -> None:
        wanted = {(row[1].id, row[2].id) for row in prepared} - set(self._series)
        if not wanted:
            return
        stations = {station_id for station_id, _p in wanted}
        self._series.update(_series_of(stations))
        missing = wanted - set(self._series)
        if missing:
            Series.objects.bulk_create([Series(station_id=s, parameter_id=p)
                                        for s, p in sorted(missing)], ignore_conflicts=True)
            self._series.update(_series_of(stations))
            self.summary.series_created += len(missing)
            directory.forget()  # the ingestion directory learns the new series

    # --- writing ----------------------------------------------------------------------------

    def _write(self, prepared: list[tuple]) -> None:
        keyed: dict[tuple[int, Any], tuple] = {}
        sample_rows, observation_rows = [], []
        when = self._db_time
        for prepared_row in prepared:
            (line, station, parameter, time, value, below, limit, written, unit, method,
             laboratory, vimcerts) = prepared_row
            series_id = self._series[(station.id, parameter.id)]
            key = (series_id, when(time))
            earlier = keyed.setdefault(key, prepared_row)
            if earlier is not prepared_row:
                raise LoadRefused(_(
                    "Lines %(first)s and %(line)s give %(code)s at %(station)s for the same "
                    "sampling time.") % {"first": earlier[0], "line": line,
                                         "code": parameter.code, "station": station.code},
                    line=line, reason="duplicate_key")
            sample_rows.append((*key, value, below, limit, written, unit, method, laboratory,
                                vimcerts, self.version))
            if not below:
                observation_rows.append((*key, value, 0, 0))
            self._note(station.id, series_id, time, below)
        # A key that holds a result already is refused before anything is written (rare:
        # another version not replaced, a line repeated across chunks).
        self._refuse_stored(keyed, "monitoring_sample", "survey_version")
        try:
            self.summary.samples += sample_storage.insert_samples(sample_rows)
        except IntegrityError:  # another load wrote one of these keys meanwhile
            raise LoadRefused(_("Some results of this version are stored already."),
                              reason="already_stored") from None
        if observation_rows:
            storage.prepare_for(row[3] for row in prepared)
            pending = storage.encode_observations(observation_rows)
            written = storage.insert_observations(pending, [PERIODIC_BATCH])
            if written < pending.count:  # a datalogger's values at some of these keys
                self._refuse_stored(keyed, "monitoring_observation", "batch_id")
                raise LoadRefused(_("Some results of this version are stored already."),
                                  reason="already_stored")
            self.summary.observations += written

    def _note(self, station_id: int, series_id: int, time: datetime.datetime,
              below: bool) -> None:
        summary = self.summary
        summary.below_detection += below
        self._touched_series.add(series_id)
        if summary.first_time is None or time < summary.first_time:
            summary.first_time = time
        if summary.last_time is None or time > summary.last_time:
            summary.last_time = time
        if not below and (station_id not in self._newest or time > self._newest[station_id]):
            self._newest[station_id] = time

    def _refuse_stored(self, keyed: dict[tuple, tuple], table: str, origin: str) -> None:
        """Refuse the chunk when one of its keys holds a row in `table` already, naming the
        first such line and where the stored row came from (`origin`)."""
        found = sample_storage.stored(table, origin, list(keyed), self._db_time)
        if table == "monitoring_observation":  # this chunk's own are in: the others were not
            found = {key: came_from for key, came_from in found.items()
                     if came_from != PERIODIC_BATCH}
        if not found:
            return
        key, came_from = min(found.items(), key=lambda item: keyed[item[0]][0])
        line, station, parameter, time = keyed[key][:4]
        names = {"line": line, "station": station.code, "code": parameter.code,
                 "time": time.astimezone(VN).strftime("%d/%m/%Y %H:%M"), "origin": came_from}
        if table == "monitoring_sample" and came_from == self.version:
            message = _("Line %(line)s gives %(code)s at %(station)s for %(time)s, which an "
                        "earlier line of this version gives too.") % names
        elif table == "monitoring_sample":
            message = _("Line %(line)s: station %(station)s already has a result of %(code)s "
                        "at %(time)s, from survey version %(origin)s. A correction must name "
                        "the version it replaces.") % names
        else:
            message = _("Line %(line)s: station %(station)s already has a value of %(code)s "
                        "at %(time)s that no survey loaded (its datalogger's).") % names
        raise LoadRefused(message, line=line, reason="already_stored")

    def _delete_replaced(self) -> None:
        """What the replaced versions wrote: their detected samples' observations (those a
        loader wrote, `PERIODIC_BATCH`), then their samples."""
        if not self.replaces:
            return
        marks = ", ".join(["%s"] * len(self.replaces))
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT DISTINCT "series_id" FROM "monitoring_sample" '
                           f'WHERE "survey_version" IN ({marks})', self.replaces)
            self._touched_series.update(row[0] for row in cursor.fetchall())
            cursor.execute(
                'DELETE FROM "monitoring_observation" WHERE "batch_id" = %s AND '
                '("series_id", "time") IN (SELECT "series_id", "time" FROM "monitoring_sample" '
                f'WHERE "survey_version" IN ({marks}) AND NOT "below_detection")',
                [PERIODIC_BATCH, *self.replaces])
            self.summary.replaced_observations = cursor.rowcount
            cursor.execute(f'DELETE FROM "monitoring_sample" WHERE "survey_version" IN ({marks})',
                           self.replaces)
            self.summary.replaced_samples = cursor.rowcount


# --- helpers ----------------------------------------------------------------------------------

def _parameters() -> dict[tuple[str, str], ParameterRef]:
    from envhub.registry.models import Parameter

    found = {}
    for pk, medium, code, unit, low, high in Parameter.objects.values_list(
            "id", "medium", "code", "unit", "minimum", "maximum"):
        ref = ParameterRef(pk, code, unit, low, high)
        found[(medium, code)] = ref
        found.setdefault((medium, code.upper()), ref)
    return found


def _as_station(pk, code, kind, medium, province_id, normal) -> _Station:
    return _Station(pk, code, kind, medium,
                    StationRef(pk, code, "", medium, province_id, None, True, normal))


def _find_stations(codes: set[str]) -> dict[str, _Station | None]:
    """The stations of these codes (upper case), None for those the registry lacks."""
    from django.db.models.functions import Upper

    from envhub.registry.models import Station

    found: dict[str, _Station | None] = dict.fromkeys(codes)
    if codes:
        for row in Station.objects.annotate(upper_code=Upper("code")).filter(
                upper_code__in=codes).values_list("id", "code", "kind", "medium", "province_id",
                                                  "logger_normal_conditions"):
            found[row[1].upper()] = _as_station(*row)
    return found


def _series_of(station_ids: set[int]) -> dict[tuple[int, int], int]:
    return {(station_id, parameter_id): series_id
            for series_id, station_id, parameter_id in Series.objects.filter(
                station_id__in=station_ids).values_list("id", "station_id", "parameter_id")}


def _sampling_time(line: int, values: Mapping[str, Any]) -> datetime.datetime:
    """The sampling date and time, Viet Nam time as written, in UTC. A result without its time
    is refused: a made-up hour (midnight, noon) would be a value at a time nobody sampled."""
    day, at = values.get("sampling_date"), values.get("sampling_time")
    if not isinstance(day, datetime.date):
        raise LoadRefused(_("Line %(line)s gives no sampling date.") % {"line": line},
                          line=line, reason="required")
    if not isinstance(at, datetime.time):
        raise LoadRefused(_("Line %(line)s gives no sampling time: a periodic result needs "
                            "the time its sample was taken.") % {"line": line}, line=line,
                          reason="time_needed")
    return local_to_utc(datetime.datetime.combine(day, at.replace(tzinfo=None)))


def _check_range(line: int, value: float, parameter: ParameterRef) -> None:
    low, high = parameter.minimum, parameter.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise LoadRefused(_("Line %(line)s: %(value)s %(unit)s is outside the possible range "
                            "of %(code)s.") % {
            "line": line, "value": format_number(value, get_language(), unit="limit"),
            "unit": parameter.unit, "code": parameter.code}, line=line, reason="out_of_range")


def _text(value: Any) -> str:
    if value.__class__ is str:  # nearly always: a cell's text
        return value.strip()
    return "" if value is None else str(value).strip()
