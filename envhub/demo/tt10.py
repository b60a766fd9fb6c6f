"""Realistic TT10 files for the demo: what the dataloggers of the demo country would have sent.

`generate(stations, start_local, end_local, seed=...)` yields `(file name, content)` in time
order: one file per station per 5-minute reporting interval (the time in the name and in every
line is the END of the interval, local time UTC+7, a whole 5-minute mark), one line per
parameter the station measures. `generate_detailed` yields the same files with what a test needs
to know about them (station, time, the line that was broken on purpose).

What makes the data look real (the figures are in `demo.behaviour`):

- Shapes: a diurnal cycle per pollutant (ambient PM peaks 7–9 h and 18–21 h with a trough at
  14 h, O3 peaks 13–15 h, NO2 and CO follow traffic), a weekly traffic cycle, seasons (winter
  November–March raises PM in the north), a regional day-to-day "weather" factor shared by the
  stations of a province, and for stacks and outfalls a load curve (grid demand for power
  plants, a day shift for most factories, round the clock for kilns and furnaces).
- Noise: an AR(1) process per series (in log space for concentrations), not white noise.
- Episodes: a few stacks and outfalls exceed their reference limit for a few hours.
- Device status: a daily calibration window on half the stations (status 01, zero then span
  values), device-error runs (status 02, the value sometimes empty as TT10 allows only then),
  outages of a few hours (no files), one or two stations that went offline a few hours before
  the end and one that is late, and about one file in 400 with a malformed line (`n/a`, a
  missing field, a clipped time).
- Datalogger habits: symbols and units spelt differently per station (`PM2,5`/`PM2.5`,
  `ug/m3`/`µg/m3`, `mg/m3` for `mg/Nm3`, `oC`, ppb for some ambient gases, CO in mg/m3), a
  decimal comma at some stations, CRLF at others.

Determinism: every random number comes from a stream named by (seed, station, local day, what
it is for), and the stream of a station's plan is `random.Random(seed + station number)`, the
number being derived from the station code. So the same seed, stations and window give the same
bytes; adding a station changes no other station's values; and a value depends only on its
station and time, never on the window asked for: a rerun that starts where the last one ended
produces the very files (byte for byte) that a longer single run would have. The AR(1) noise of
a day is run from zero at the start of the day before, which makes it a pure function of the day
and keeps it continuous across midnight (what is left of the start is below 0.1 %). Only the
choice of the offline and late stations is made over the whole list (the lowest scores), so it
depends on which stations are asked for.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from envhub.core.text import fold
from envhub.demo.behaviour import (
    AIR_SPANS,
    AIR_UNITS,
    AMBIENT_LEVELS,
    CALIBRATING_SHARE,
    CALIBRATION_FILES,
    CALIBRATION_TIMES,
    CO_IN_MG_SHARE,
    CONDUCTIVITY_UNITS,
    CRLF_SHARE,
    DECIMAL_COMMA_SHARE,
    DEFAULT_AMBIENT_LEVELS,
    DEFAULT_DESIGN_FLOW,
    DEFAULT_SURFACE_WATER_LEVELS,
    DEFAULT_WASTEWATER_LEVELS,
    EPISODE_DAY_PROBABILITY,
    EPISODE_FILES,
    EPISODE_MIN_SHARE,
    EPISODE_PEAK,
    EPISODE_PRONE_SHARE,
    EPISODE_RAMP_FILES,
    ERROR_DAY_PROBABILITY,
    ERROR_RUN_FILES,
    FUEL_RULES,
    GAP_DAY_PROBABILITY,
    GAP_FILES,
    LATE_FROM_STATIONS,
    LATE_MISSING_FILES,
    LITRE_UNITS,
    MALFORMED_FILE_RATE,
    MALFORMED_KINDS,
    METEO_SHARE,
    MOLAR_MASS,
    MOLAR_VOLUME,
    NORTH_FROM_LATITUDE,
    OUTFALL_FLOW_SHARE,
    PH_BUFFERS,
    PH_UNITS,
    PPB_SHARE,
    RECENT_OUTAGE_HOURS,
    RECENTLY_OFFLINE,
    SOUTH_BELOW_LATITUDE,
    STACK_CONCENTRATION_UNITS,
    STACK_FLOW_SHARE,
    STACK_NAME_RULES,
    STACK_PROFILES,
    STACK_SPANS,
    SURFACE_WATER_LEVELS,
    SYMBOL_SPELLINGS,
    TEMPERATURE_UNITS,
    WASTEWATER_LEVELS,
    WASTEWATER_LIMITS,
    WATER_SPANS,
    WEEKDAY_TRAFFIC,
)
from envhub.monitoring.formats import tt10
from envhub.registry.models import Sector, StationKind

DEFAULT_SEED = 2026
INTERVAL_MINUTES = 5
INTERVAL = datetime.timedelta(minutes=INTERVAL_MINUTES)
SLOTS_PER_DAY = 24 * 60 // INTERVAL_MINUTES
HOURS = tuple(slot * INTERVAL_MINUTES / 60 for slot in range(SLOTS_PER_DAY))
AUTOMATIC_KINDS = (StationKind.AUTO_EMISSION, StationKind.AUTO_WASTEWATER,
                   StationKind.AUTO_AIR, StationKind.AUTO_SURFACE_WATER)



# --- the stations as the generator sees them ------------------------------------------------------


@dataclass(frozen=True)
class StationInfo:
    """What the generator needs of a station (so that it needs no database)."""

    code: str
    prefix: str  # the TT10 file-name prefix, Province_Facility_Station_
    kind: str
    province_code: str
    latitude: float
    sector: str = ""
    source_name: str = ""
    fuel: str = ""
    design_flow_m3h: float | None = None

    @classmethod
    def of(cls, station) -> StationInfo:
        """From a registry Station (with its source, facility and province loaded)."""
        source, facility = station.source, station.facility
        return cls(
            code=station.code, prefix=station.tt10_prefix, kind=station.kind,
            province_code=station.province.code, latitude=station.latitude or 16.0,
            sector=facility.sector if facility else "",
            source_name=source.name if source else "", fuel=source.fuel if source else "",
            design_flow_m3h=source.design_flow_m3h if source else None,
        )


class Channel(NamedTuple):
    """One parameter as one station's datalogger writes it."""

    code: str  # the registry's parameter code
    symbol: str
    unit: str
    decimals: int
    scale: float  # written value = canonical value × scale (ppb, mg/m3 for CO)
    analyser: str  # the instrument; calibrations and errors hit one instrument's channels
    span: tuple[float, float] | None  # (zero, span) in canonical units; None: not calibrated


@dataclass(frozen=True)
class StationPlan:
    """A station's fixed habits, drawn once from `random.Random(seed + station number)`."""

    info: StationInfo
    number: int
    model: str  # "air", "stack", "wastewater", "surface_water"
    channels: tuple[Channel, ...]
    decimal_comma: bool
    line_ending: str
    calibration_slot: int | None  # the slot of the first calibration file, None: no window
    calibration_files: int
    episode_prone: bool
    profile: str = ""  # the stack profile
    level_factor: float = 1.0  # this station against its province or sector

    @property
    def calibrated_analysers(self) -> set[str]:
        return {channel.analyser for channel in self.channels if channel.span is not None}


@dataclass(frozen=True)
class DayEvents:
    """What happens to one station on one local day (slots are indexes into the day)."""

    gap: range = range(0)
    error_slots: range = range(0)
    error_analyser: str = ""
    error_mode: str = ""  # "empty", "frozen" or "zero"
    malformed: dict[int, tuple[str, int]] = field(default_factory=dict)  # slot: (kind, line)
    episode_code: str = ""
    episode_slots: range = range(0)
    episode_peak: float = 0.0


class GeneratedFile(NamedTuple):
    name: str
    content: bytes
    station: str
    local_time: datetime.datetime  # naive Viet Nam time, the end of the reporting interval
    malformed_line: int | None  # the 1-based line broken on purpose, if any
    malformed_kind: str | None


# --- randomness -------------------------------------------------------------------------------


def station_number(code: str) -> int:
    """A stable number for a station code (the same on every machine and run)."""
    return int.from_bytes(hashlib.sha256(code.upper().encode()).digest()[:6], "big")


def _stream(seed: int, *parts: object) -> random.Random:
    """An independent random stream named by the seed and `parts`."""
    text = "|".join(str(part) for part in (seed, *parts))
    return random.Random(int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big"))


def _weighted(rng: random.Random, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


# --- shapes ---------------------------------------------------------------------------------------


def _bump(hour: float, centre: float, width: float) -> float:
    """A Gaussian bump on the 24-hour circle."""
    distance = abs(hour - centre) % 24
    distance = min(distance, 24 - distance)
    return math.exp(-0.5 * (distance / width) ** 2)


def _shape(function: Callable[[float], float]) -> tuple[float, ...]:
    """The function over the slots of a day, scaled to a daily mean of 1."""
    values = [function(hour) for hour in HOURS]
    mean = sum(values) / len(values)
    return tuple(value / mean for value in values)


# Ambient PM: traffic and a shallow night-time boundary layer give peaks at 7–9 h and 18–21 h;
# the afternoon's deep mixing gives the trough at 14 h.
PM_SHAPE = _shape(lambda h: 0.95 + 0.35 * _bump(h, 8, 1.4) + 0.45 * _bump(h, 19.5, 2.2)
                  - 0.4 * _bump(h, 14.5, 2.6))
TRAFFIC_SHAPE = _shape(lambda h: 0.7 + 0.65 * _bump(h, 8, 1.5) + 0.7 * _bump(h, 18.5, 2.0)
                       - 0.25 * _bump(h, 13.5, 2.5) - 0.3 * _bump(h, 3.5, 2.0))
O3_SHAPE = _shape(lambda h: 0.3 + 1.6 * _bump(h, 14, 2.8))  # photochemistry: 13–15 h
SO2_SHAPE = _shape(lambda h: 0.9 + 0.25 * _bump(h, 11, 3))  # fumigation of elevated plumes
DAYLIGHT_SHAPE = tuple(math.cos(2 * math.pi * (h - 14.5) / 24) for h in HOURS)  # +1 at 14:30
PHOTOSYNTHESIS = tuple(_bump(h, 15, 3.5) - 0.3 for h in HOURS)  # river DO and pH by day
# Load of a source, 0–1: power follows grid demand (late-morning and evening peaks), factories
# work a day shift with a skeleton night, kilns and furnaces run round the clock.
LOAD_SHAPES = {
    "grid": tuple(min(1.0, 0.6 + 0.3 * _bump(h, 10.5, 2.5) + 0.35 * _bump(h, 19, 2.2))
                  for h in HOURS),
    "day_shift": tuple(0.35 + 0.6 / (1 + math.exp(-(h - 6.5) * 3))
                       - 0.6 / (1 + math.exp(-(h - 21.5) * 3)) for h in HOURS),
    "continuous": tuple(0.93 for _ in HOURS),
}
SUNDAY_LOAD = {"grid": 0.9, "day_shift": 0.65, "continuous": 1.0}
OUTFALL_FLOW_SHAPE = _shape(lambda h: 0.7 + 0.35 * _bump(h, 11, 3.5) + 0.25 * _bump(h, 16, 2.5))


def _season(day: datetime.date, peak_day_of_year: float, amplitude: float) -> float:
    angle = 2 * math.pi * (day.timetuple().tm_yday - peak_day_of_year) / 365.25
    return 1 + amplitude * math.cos(angle)


def _region(latitude: float) -> str:
    if latitude >= NORTH_FROM_LATITUDE:
        return "north"
    return "south" if latitude < SOUTH_BELOW_LATITUDE else "centre"


def _pm_season(region: str, day: datetime.date) -> float:
    # North: haze from November to March, worst in January. South: dry season December–April.
    # Centre: cleaner in the rainy autumn.
    if region == "north":
        return _season(day, 15, 0.42)
    if region == "south":
        return _season(day, 40, 0.2)
    return _season(day, 120, 0.15)


def _mean_air_temperature(region: str, day: datetime.date) -> float:
    if region == "north":
        return 24.5 - 7 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
    if region == "south":
        return 27.8 + 1.5 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 110) / 365.25)
    return 26 - 3.5 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)


# --- plans ----------------------------------------------------------------------------------------


def stack_profile(info: StationInfo) -> str:
    name, fuel = fold(info.source_name), fold(info.fuel)
    for words, profile in STACK_NAME_RULES:
        if words in name:
            return profile
    if info.sector == Sector.THERMAL_POWER:
        return "gas_turbine" if "khi thien nhien" in fuel else "coal_power"
    if info.sector == Sector.WASTE_INCINERATION:
        return "incinerator"
    for words, profile in FUEL_RULES:
        if words in fuel:
            return profile
    return "coal_boiler"


def declares_normal_conditions(info: StationInfo, seed: int = DEFAULT_SEED) -> bool:
    """Whether the station's datalogger writes mg/m3 for its stack concentrations: they are at
    normal conditions (as every value here), which its station then declares."""
    plan = station_plan(info, seed)
    return plan.model == "stack" and any(channel.unit == "mg/m3" for channel in plan.channels)


def station_plan(info: StationInfo, seed: int = DEFAULT_SEED) -> StationPlan:
    """The station's parameters, spellings and daily habits (a pure function of its code, kind
    and source, and the seed)."""
    number = station_number(info.code)
    rng = random.Random(seed + number)
    decimal_comma = rng.random() < DECIMAL_COMMA_SHARE
    line_ending = "\r\n" if rng.random() < CRLF_SHARE else "\n"
    calibrates = rng.random() < CALIBRATING_SHARE
    hour, minute = rng.choice(CALIBRATION_TIMES)
    calibration_files = rng.choice(CALIBRATION_FILES)
    episode_prone = rng.random() < EPISODE_PRONE_SHARE
    level_factor = rng.uniform(0.85, 1.15)

    def symbol(code: str) -> str:
        return _weighted(rng, SYMBOL_SPELLINGS[code]) if code in SYMBOL_SPELLINGS else code

    profile = ""
    if info.kind == StationKind.AUTO_AIR:
        model = "air"
        air_unit = _weighted(rng, AIR_UNITS)
        in_ppb = rng.random() < PPB_SHARE
        co_in_mg = rng.random() < CO_IN_MG_SHARE
        channels = [
            Channel("PM2_5", symbol("PM2_5"), air_unit, 1, 1.0, "pm", (0.0, 0.0)),
            Channel("PM10", "PM10", air_unit, 1, 1.0, "pm", (0.0, 0.0)),
        ]
        for code in ("NO2", "SO2", "O3"):
            scale = MOLAR_VOLUME / MOLAR_MASS[code] if in_ppb else 1.0
            channels.append(Channel(code, code, "ppb" if in_ppb else air_unit, 1, scale,
                                    code, (0.0, AIR_SPANS[code])))
        channels.append(Channel("CO", "CO", "mg/m3" if co_in_mg else air_unit,
                                3 if co_in_mg else 0, 0.001 if co_in_mg else 1.0, "CO",
                                (0.0, AIR_SPANS["CO"])))
        if rng.random() < METEO_SHARE:
            channels += [Channel("Temp", "Temp", _weighted(rng, TEMPERATURE_UNITS), 1, 1.0,
                                 "meteo", None),
                         Channel("RH", "RH", "%", 1, 1.0, "meteo", None)]
    elif info.kind == StationKind.AUTO_EMISSION:
        model = "stack"
        profile = stack_profile(info)
        stack = STACK_PROFILES[profile]
        concentration_unit = _weighted(rng, STACK_CONCENTRATION_UNITS)
        channels = [
            Channel("Flow", "Flow", "m3/h", 0, 1.0, "flow", None),
            Channel("Temp", "Temp", _weighted(rng, TEMPERATURE_UNITS), 1, 1.0, "flow", None),
        ]
        if stack.oxygen is not None:
            channels.append(Channel("O2", "O2", "%", 2, 1.0, "gas", (0.0, STACK_SPANS["O2"])))
        for code in ("PM", "SO2", "NOx", "CO", "HCl", "NH3", "H2S"):
            if code in stack.levels:
                span = STACK_SPANS[code]
                channels.append(Channel(
                    code, symbol(code), concentration_unit, 1, 1.0,
                    "dust" if code == "PM" else "gas", (0.0, span if span is not None else 0.0)))
    elif info.kind == StationKind.AUTO_WASTEWATER:
        model = "wastewater"
        litre = _weighted(rng, LITRE_UNITS)
        extra = WASTEWATER_LEVELS.get(info.sector, DEFAULT_WASTEWATER_LEVELS)[3]
        channels = [
            Channel("Flow", "Flow", "m3/h", 1, 1.0, "flow", None),
            Channel("Temp", "Temp", _weighted(rng, TEMPERATURE_UNITS), 1, 1.0, "pH", None),
            Channel("pH", "pH", _weighted(rng, PH_UNITS), 2, 1.0, "pH", PH_BUFFERS),
            Channel("TSS", "TSS", litre, 1, 1.0, "TSS", (0.0, WATER_SPANS["TSS"])),
            Channel("COD", "COD", litre, 1, 1.0, "COD", (0.0, WATER_SPANS["COD"])),
            Channel("NH4", symbol("NH4"), litre, 2, 1.0, "NH4", (0.0, WATER_SPANS["NH4"])),
        ]
        for code in ("TN", "TP"):
            if code in extra:
                channels.append(Channel(code, code, litre, 2, 1.0, "nutrients",
                                        (0.0, WATER_SPANS[code])))
        if "Color" in extra:
            channels.append(Channel("Color", "Color", "Pt-Co", 0, 1.0, "COD",
                                    (0.0, WATER_SPANS["Color"])))
    elif info.kind == StationKind.AUTO_SURFACE_WATER:
        model = "surface_water"
        litre = _weighted(rng, LITRE_UNITS)
        channels = [
            Channel("Temp", "Temp", _weighted(rng, TEMPERATURE_UNITS), 1, 1.0, "pH", None),
            Channel("pH", "pH", _weighted(rng, PH_UNITS), 2, 1.0, "pH", PH_BUFFERS),
            Channel("DO", "DO", litre, 2, 1.0, "DO", (0.0, WATER_SPANS["DO"])),
            Channel("TSS", "TSS", litre, 1, 1.0, "TSS", (0.0, WATER_SPANS["TSS"])),
            Channel("COD", "COD", litre, 1, 1.0, "COD", (0.0, WATER_SPANS["COD"])),
            Channel("NH4", symbol("NH4"), litre, 2, 1.0, "NH4", (0.0, WATER_SPANS["NH4"])),
            Channel("EC", symbol("EC"), _weighted(rng, CONDUCTIVITY_UNITS), 0, 1.0, "EC",
                    (0.0, WATER_SPANS["EC"])),
        ]
    else:
        raise ValueError(f"{info.code}: {info.kind} is not an automatic station kind")

    calibration_slot = (hour * 60 + minute) // INTERVAL_MINUTES if calibrates else None
    return StationPlan(
        info=info, number=number, model=model, channels=tuple(channels),
        decimal_comma=decimal_comma, line_ending=line_ending,
        calibration_slot=calibration_slot, calibration_files=calibration_files,
        episode_prone=episode_prone and model in ("stack", "wastewater"), profile=profile,
        level_factor=level_factor,
    )


def day_events(plan: StationPlan, day: datetime.date, seed: int = DEFAULT_SEED) -> DayEvents:
    """The outage, device error, malformed files and exceedance episode of a station-day."""
    rng = _stream(seed, plan.number, day.toordinal(), "events")
    gap = range(0)
    if rng.random() < GAP_DAY_PROBABILITY:
        length = rng.randint(*GAP_FILES)
        start = rng.randrange(SLOTS_PER_DAY - length)
        gap = range(start, start + length)
    error_slots, error_analyser, error_mode = range(0), "", ""
    if rng.random() < ERROR_DAY_PROBABILITY:
        length = rng.randint(*ERROR_RUN_FILES)
        start = rng.randrange(SLOTS_PER_DAY - length)
        error_slots = range(start, start + length)
        error_analyser = rng.choice(sorted({channel.analyser for channel in plan.channels}))
        error_mode = rng.choice(("empty", "empty", "frozen", "zero"))
    malformed = {}
    for slot in range(SLOTS_PER_DAY):
        if rng.random() < MALFORMED_FILE_RATE:
            malformed[slot] = (rng.choice(MALFORMED_KINDS), rng.randint(1, len(plan.channels)))
    episode_code, episode_slots, episode_peak = "", range(0), 0.0
    if plan.episode_prone and rng.random() < EPISODE_DAY_PROBABILITY:
        # Only where the usual level is within reach of the limit: a gas turbine's dust never
        # is.
        typical = _typical_levels(plan)
        candidates = [code for code, limit in _limits(plan).items()
                      if typical.get(code, 0) >= EPISODE_MIN_SHARE * limit]
        if candidates:
            episode_code = rng.choice(sorted(candidates))
            length = rng.randint(*EPISODE_FILES)
            start = rng.randrange(SLOTS_PER_DAY - length)
            episode_slots = range(start, start + length)
            episode_peak = _limits(plan)[episode_code] * rng.uniform(*EPISODE_PEAK)
    return DayEvents(gap, error_slots, error_analyser, error_mode, malformed, episode_code,
                     episode_slots, episode_peak)


def _limits(plan: StationPlan) -> dict[str, float]:
    if plan.model == "stack":
        return STACK_PROFILES[plan.profile].limits
    if plan.model == "wastewater":
        return WASTEWATER_LIMITS
    return {}


# --- values -----------------------------------------------------------------------------------


class Noise:
    """AR(1) series and regional weather, cached per day for one run of the generator."""

    def __init__(self, seed: int):
        self.seed = seed
        self._shocks: dict[int, dict[tuple, list[float]]] = {}  # by day, then (owner, name)
        self._weather: dict[tuple, float] = {}

    def shocks(self, owner: object, name: str, ordinal: int) -> list[float]:
        of_day = self._shocks.setdefault(ordinal, {})
        found = of_day.get((owner, name))
        if found is None:
            gauss = _stream(self.seed, owner, ordinal, name).gauss
            found = of_day[(owner, name)] = [gauss(0.0, 1.0) for _ in range(SLOTS_PER_DAY)]
        return found

    def forget_before(self, ordinal: int) -> None:
        """Drop the shocks of days before `ordinal` (a long run would otherwise keep them all)."""
        for old in [day for day in self._shocks if day < ordinal]:
            del self._shocks[old]

    def ar(self, owner: object, name: str, day: datetime.date, tau_minutes: float,
           sd: float) -> list[float]:
        """An AR(1) process with stationary standard deviation `sd` and time constant
        `tau_minutes`, over the slots of `day`; run from zero at the start of the day before, so
        that it is a pure function of the day and continuous across midnight."""
        phi = math.exp(-INTERVAL_MINUTES / tau_minutes)
        innovation = sd * math.sqrt(1 - phi * phi)
        ordinal = day.toordinal()
        x = 0.0
        for shock in self.shocks(owner, name, ordinal - 1):
            x = phi * x + innovation * shock
        out = []
        append = out.append
        for shock in self.shocks(owner, name, ordinal):
            x = phi * x + innovation * shock
            append(x)
        return out

    def weather(self, region_key: str, day: datetime.date, sd: float = 0.3) -> list[float]:
        """A regional day-to-day log factor (stagnant or windy, dry or rainy days), the same
        for every station of the province, interpolated between noons."""

        def daily(ordinal: int) -> float:
            key = (region_key, ordinal)
            if key not in self._weather:
                self._weather[key] = _stream(self.seed, "weather", region_key, ordinal).gauss(
                    0.0, sd)
            return self._weather[key]

        ordinal = day.toordinal()
        before, today, after = daily(ordinal - 1), daily(ordinal), daily(ordinal + 1)
        return [before + (today - before) * (hour + 12) / 24 if hour < 12
                else today + (after - today) * (hour - 12) / 24 for hour in HOURS]


def _air_values(plan: StationPlan, day: datetime.date, noise: Noise) -> dict[str, list[float]]:
    info, owner = plan.info, plan.number
    region = _region(info.latitude)
    pm_level, no2_level, so2_level, co_level, o3_level = AMBIENT_LEVELS.get(
        info.province_code, DEFAULT_AMBIENT_LEVELS)
    factor = plan.level_factor
    weather = noise.weather(info.province_code, day)
    traffic = WEEKDAY_TRAFFIC[day.weekday()]
    pm_season = _pm_season(region, day)
    exp = math.exp

    pm_base = pm_level * factor * pm_season * (1 + (traffic - 1) / 2)
    pm_noise = noise.ar(owner, "PM2_5", day, 90, 0.2)
    pm25 = [pm_base * PM_SHAPE[i] * exp(weather[i] + pm_noise[i]) for i in range(SLOTS_PER_DAY)]
    ratio = 1.5 + 0.3 * (plan.number % 100) / 100
    coarse_noise = noise.ar(owner, "PM10", day, 60, 0.1)
    pm10 = [pm25[i] * ratio * exp(coarse_noise[i]) for i in range(SLOTS_PER_DAY)]

    no2_base = no2_level * factor * traffic * (1 + (pm_season - 1) / 3)
    no2_noise = noise.ar(owner, "NO2", day, 60, 0.18)
    no2 = [no2_base * TRAFFIC_SHAPE[i] * exp(0.5 * weather[i] + no2_noise[i])
           for i in range(SLOTS_PER_DAY)]
    co_base = co_level * factor * traffic * (1 + (pm_season - 1) / 2)
    co_noise = noise.ar(owner, "CO", day, 60, 0.15)
    co = [co_base * TRAFFIC_SHAPE[i] ** 0.8 * exp(0.7 * weather[i] + co_noise[i])
          for i in range(SLOTS_PER_DAY)]
    so2_noise = noise.ar(owner, "SO2", day, 120, 0.2)
    so2 = [so2_level * factor * SO2_SHAPE[i] * exp(0.4 * weather[i] + so2_noise[i])
           for i in range(SLOTS_PER_DAY)]
    # Ozone: more on sunny, clean days (its weather sign is reversed), late spring highest.
    o3_base = o3_level * factor * _season(day, 130, 0.15)
    o3_noise = noise.ar(owner, "O3", day, 90, 0.15)
    o3 = [o3_base * O3_SHAPE[i] * exp(-0.3 * weather[i] + o3_noise[i])
          for i in range(SLOTS_PER_DAY)]
    values = {"PM2_5": pm25, "PM10": pm10, "NO2": no2, "SO2": so2, "O3": o3, "CO": co}

    mean_temperature = _mean_air_temperature(region, day)
    amplitude = 2.5 if region == "north" and pm_season > 1.2 else 3.5  # grey northern winter
    temperature_noise = noise.ar(owner, "Temp", day, 180, 0.8)
    humidity_noise = noise.ar(owner, "RH", day, 120, 4.0)
    temperature = [mean_temperature + amplitude * DAYLIGHT_SHAPE[i] + temperature_noise[i]
                   for i in range(SLOTS_PER_DAY)]
    values["Temp"] = temperature
    values["RH"] = [min(99.0, max(35.0, 78 - 2.5 * (temperature[i] - mean_temperature)
                                  + humidity_noise[i])) for i in range(SLOTS_PER_DAY)]
    return values


def _stack_values(plan: StationPlan, day: datetime.date, noise: Noise) -> dict[str, list[float]]:
    info, owner = plan.info, plan.number
    stack = STACK_PROFILES[plan.profile]
    shape = LOAD_SHAPES[stack.load]
    weekday = SUNDAY_LOAD[stack.load] if day.weekday() == 6 else 1.0
    load_noise = noise.ar(owner, "load", day, 60, 0.04)
    load = [min(1.05, max(0.3, shape[i] * weekday + load_noise[i]))
            for i in range(SLOTS_PER_DAY)]
    design = info.design_flow_m3h or DEFAULT_DESIGN_FLOW["stack"]
    exp = math.exp
    flow_noise = noise.ar(owner, "Flow", day, 30, 0.025)
    values = {"Flow": [design * STACK_FLOW_SHARE * load[i] * exp(flow_noise[i])
                       for i in range(SLOTS_PER_DAY)]}
    temperature_noise = noise.ar(owner, "Temp", day, 45, 1.5)
    values["Temp"] = [stack.temperature + 18 * (load[i] - 0.85) + temperature_noise[i]
                      for i in range(SLOTS_PER_DAY)]
    if stack.oxygen is not None:
        # More excess air at low load.
        oxygen_noise = noise.ar(owner, "O2", day, 20, 0.35)
        values["O2"] = [min(20.5, max(0.5, stack.oxygen + 5 * (0.85 - load[i])
                                      + oxygen_noise[i])) for i in range(SLOTS_PER_DAY)]
    for code, level in stack.levels.items():
        level *= plan.level_factor
        if code == "CO":  # incomplete combustion: worse at low load, and spiky
            co_noise = noise.ar(owner, code, day, 20, 0.2)
            values[code] = [level * (1.4 - 0.45 * load[i] / 0.85) * exp(co_noise[i])
                            for i in range(SLOTS_PER_DAY)]
        else:
            concentration_noise = noise.ar(owner, code, day, 40, 0.12)
            values[code] = [level * (0.75 + 0.25 * load[i] / 0.85) * exp(concentration_noise[i])
                            for i in range(SLOTS_PER_DAY)]
    return values


def _wastewater_values(plan: StationPlan, day: datetime.date,
                       noise: Noise) -> dict[str, list[float]]:
    info, owner = plan.info, plan.number
    cod, tss, nh4, extra = WASTEWATER_LEVELS.get(info.sector, DEFAULT_WASTEWATER_LEVELS)
    design = info.design_flow_m3h or DEFAULT_DESIGN_FLOW["outfall"]
    weekday = 0.8 if day.weekday() == 6 and info.sector != Sector.INDUSTRIAL_PARK else 1.0
    exp = math.exp
    flow_noise = noise.ar(owner, "Flow", day, 60, 0.08)
    flow_share = [OUTFALL_FLOW_SHAPE[i] * weekday * exp(flow_noise[i])
                  for i in range(SLOTS_PER_DAY)]
    values = {"Flow": [design * OUTFALL_FLOW_SHARE * share for share in flow_share]}
    region = _region(info.latitude)
    mean_temperature = 4 + 0.8 * _mean_air_temperature(region, day) + 2  # warmed by the process
    temperature_noise = noise.ar(owner, "Temp", day, 120, 0.4)
    values["Temp"] = [mean_temperature + 0.8 * DAYLIGHT_SHAPE[i] + temperature_noise[i]
                      for i in range(SLOTS_PER_DAY)]
    ph_noise = noise.ar(owner, "pH", day, 180, 0.18)
    values["pH"] = [min(8.8, max(6.0, 7.25 + ph_noise[i])) for i in range(SLOTS_PER_DAY)]
    levels = {"TSS": tss, "COD": cod, "NH4": nh4, **extra}
    for code, level in levels.items():
        level *= plan.level_factor
        series_noise = noise.ar(owner, code, day, 150, 0.15)
        # A heavier hydraulic load leaves the treatment less time: slightly higher outlet.
        values[code] = [level * (0.85 + 0.15 * flow_share[i]) * exp(series_noise[i])
                        for i in range(SLOTS_PER_DAY)]
    return values


def _surface_water_values(plan: StationPlan, day: datetime.date,
                          noise: Noise) -> dict[str, list[float]]:
    info, owner = plan.info, plan.number
    offset, ph, oxygen, tss, cod, nh4, conductivity = SURFACE_WATER_LEVELS.get(
        info.province_code, DEFAULT_SURFACE_WATER_LEVELS)
    region = _region(info.latitude)
    exp = math.exp
    rain = noise.weather("river-" + info.province_code, day, sd=0.35)  # rain stirs up silt
    mean_temperature = 3 + 0.85 * _mean_air_temperature(region, day) + offset
    temperature_noise = noise.ar(owner, "Temp", day, 240, 0.3)
    temperature = [mean_temperature + 0.8 * DAYLIGHT_SHAPE[i] + temperature_noise[i]
                   for i in range(SLOTS_PER_DAY)]
    ph_noise = noise.ar(owner, "pH", day, 240, 0.08)
    oxygen_noise = noise.ar(owner, "DO", day, 120, 0.3)
    values = {
        "Temp": temperature,
        "pH": [min(9.0, max(6.0, ph + 0.2 * PHOTOSYNTHESIS[i] + ph_noise[i]))
               for i in range(SLOTS_PER_DAY)],
        # Algae add oxygen by day; warm water holds less.
        "DO": [max(0.5, oxygen + 1.2 * PHOTOSYNTHESIS[i] - 0.12 * (temperature[i] - 26)
                   + oxygen_noise[i]) for i in range(SLOTS_PER_DAY)],
    }
    for code, level, sd, rain_weight in (("TSS", tss, 0.15, 1.5), ("COD", cod, 0.12, 0.5),
                                         ("NH4", nh4, 0.2, 0.3), ("EC", conductivity, 0.05,
                                                                  -0.3)):
        series_noise = noise.ar(owner, code, day, 240, sd)
        values[code] = [level * exp(rain_weight * rain[i] + series_noise[i])
                        for i in range(SLOTS_PER_DAY)]
    return values


MODELS = {"air": _air_values, "stack": _stack_values, "wastewater": _wastewater_values,
          "surface_water": _surface_water_values}


def day_values(plan: StationPlan, day: datetime.date, noise: Noise,
               events: DayEvents | None = None) -> dict[str, list[float]]:
    """Every parameter's measured value at every slot of the local day, in canonical units,
    before calibrations, errors and outages, with the day's exceedance episode."""
    values = MODELS[plan.model](plan, day, noise)
    events = events or day_events(plan, day, noise.seed)
    if events.episode_code:
        series = values[events.episode_code]
        slots = events.episode_slots
        typical = _typical_levels(plan)[events.episode_code]
        for index, slot in enumerate(slots):
            # Up over half an hour, a plateau, and down again; the noise rides on top.
            ramp = min(1.0, (index + 1) / EPISODE_RAMP_FILES,
                       (len(slots) - index) / EPISODE_RAMP_FILES)
            level = events.episode_peak * ramp * series[slot] / typical
            series[slot] = max(series[slot], level)
    return values


def _typical_levels(plan: StationPlan) -> dict[str, float]:
    """The usual concentrations of a stack or outfall station, canonical units."""
    if plan.model == "stack":
        levels = STACK_PROFILES[plan.profile].levels
    elif plan.model == "wastewater":
        cod, tss, nh4, extra = WASTEWATER_LEVELS.get(plan.info.sector,
                                                     DEFAULT_WASTEWATER_LEVELS)
        levels = {"COD": cod, "TSS": tss, "NH4": nh4, **extra}
    else:
        levels = {}
    return {code: level * plan.level_factor for code, level in levels.items()}


# --- files ----------------------------------------------------------------------------------------


def _time14(moment: datetime.datetime) -> str:
    return (f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
            f"{moment.hour:02d}{moment.minute:02d}00")


def _malformed_line(kind: str, channel: Channel, value_text: str, time14: str,
                    status: int) -> str:
    if kind == "bad_value":
        return f"{channel.symbol}\tn/a\t{channel.unit}\t{time14}\t{status:02d}"
    if kind == "wrong_field_count":  # the logger lost the unit column
        return f"{channel.symbol}\t{value_text}\t{time14}\t{status:02d}"
    return f"{channel.symbol}\t{value_text}\t{channel.unit}\t{time14[:-1]}\t{status:02d}"


def _day_files(plan: StationPlan, day: datetime.date, noise: Noise, first: datetime.datetime,
               last: datetime.datetime) -> list[GeneratedFile | None]:
    """The station's files of one local day, one entry per slot (None: no file), for the slots
    with first < time <= last."""
    midnight = datetime.datetime.combine(day, datetime.time())
    slots = [slot for slot in range(SLOTS_PER_DAY)
             if first < midnight + slot * INTERVAL <= last]
    files: list[GeneratedFile | None] = [None] * SLOTS_PER_DAY
    if not slots:
        return files
    events = day_events(plan, day, noise.seed)
    values = day_values(plan, day, noise, events)
    calibration = range(0)
    if plan.calibration_slot is not None:
        calibration = range(plan.calibration_slot,
                            plan.calibration_slot + plan.calibration_files)
    calibrated = plan.calibrated_analysers
    comma = plan.decimal_comma
    prefix = tt10.format_prefix(*plan.info.prefix.rstrip("_").split("_"))
    for slot in slots:
        if slot in events.gap:
            continue
        moment = midnight + slot * INTERVAL
        time14 = _time14(moment)
        in_calibration = slot in calibration
        in_error = slot in events.error_slots
        malformed_kind, malformed_line = events.malformed.get(slot, (None, None))
        lines = []
        for number, channel in enumerate(plan.channels, 1):
            value: float | None = values[channel.code][slot]
            status = tt10.STATUS_MEASURING
            if in_error and channel.analyser == events.error_analyser:
                status = tt10.STATUS_DEVICE_ERROR
                if events.error_mode == "empty":
                    value = None
                elif events.error_mode == "frozen":
                    value = values[channel.code][events.error_slots.start]
                else:
                    value = 0.0
            elif in_calibration and channel.analyser in calibrated and channel.span:
                status = tt10.STATUS_CALIBRATING
                # Zero gas (or buffer) in the first half, span in the second.
                zero, span = channel.span
                first_half = slot - calibration.start < plan.calibration_files / 2
                value = zero if first_half else span
                if span == 0.0 or first_half and zero == 0.0:
                    value = abs(noise.shocks(plan.number, "zero", day.toordinal())[slot]) * 0.02
            if value is None:
                text = ""
            else:
                text = f"{value * channel.scale + 0.0:.{channel.decimals}f}"
                if comma:
                    text = text.replace(".", ",")
            if number == malformed_line:
                lines.append(_malformed_line(malformed_kind, channel, text, time14, status))
            else:
                lines.append(f"{channel.symbol}\t{text}\t{channel.unit}\t{time14}\t{status:02d}")
        content = (plan.line_ending.join(lines) + plan.line_ending).encode("utf-8")
        files[slot] = GeneratedFile(f"{prefix}{time14}.txt", content, plan.info.code, moment,
                                    malformed_line, malformed_kind)
    return files


def local_mark(moment: datetime.datetime) -> datetime.datetime:
    """Naive Viet Nam time, rounded down to a whole 5-minute mark."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(tt10.VN_TZ).replace(tzinfo=None)
    return moment.replace(minute=moment.minute - moment.minute % INTERVAL_MINUTES, second=0,
                          microsecond=0)


def withheld(plans: Sequence[StationPlan], end_local: datetime.datetime,
             seed: int = DEFAULT_SEED) -> dict[str, datetime.datetime]:
    """Stations that sent nothing recently: {code: time of their last file, at most}. The one
    or two with the lowest scores went offline a few hours before the end; the next is late."""
    end = local_mark(end_local)
    scored = sorted(plans, key=lambda plan: (_stream(seed, plan.number, "outage").random(),
                                             plan.info.code))
    offline = next((count for minimum, count in RECENTLY_OFFLINE if len(plans) >= minimum), 0)
    result = {}
    for plan in scored[:offline]:
        hours = _stream(seed, plan.number, "outage-hours").uniform(*RECENT_OUTAGE_HOURS)
        result[plan.info.code] = local_mark(end - datetime.timedelta(hours=hours))
    if len(plans) >= LATE_FROM_STATIONS and len(scored) > offline:
        plan = scored[offline]
        missing = _stream(seed, plan.number, "late").randint(*LATE_MISSING_FILES)
        result[plan.info.code] = end - missing * INTERVAL
    return result


def generate_detailed(
    stations: Iterable[StationInfo], start_local: datetime.datetime,
    end_local: datetime.datetime, *, seed: int = DEFAULT_SEED,
    resume_after: Mapping[str, datetime.datetime] | None = None,
) -> Iterator[GeneratedFile]:
    """The files with time in (start_local, end_local], in time order (then station code).

    Naive times are Viet Nam local time; aware ones are converted. `resume_after` moves the
    start of some stations later ({code: their newest time already sent}), for a rerun that
    adds only what is new."""
    plans = [station_plan(info, seed) for info in sorted(stations, key=lambda s: s.code)]
    start, end = local_mark(start_local), local_mark(end_local)
    if end <= start or not plans:
        return
    starts = {plan.info.code: start for plan in plans}
    for code, moment in (resume_after or {}).items():
        if code in starts:
            starts[code] = max(start, local_mark(moment))
    ends = {plan.info.code: end for plan in plans}
    ends.update({code: min(end, moment) for code, moment in withheld(plans, end, seed).items()})
    noise = Noise(seed)
    first_day = min(starts.values()).date()
    # Slot 0 of a day is its 00:00, so the last day is the one whose 00:00 is `end` or earlier.
    for ordinal in range(first_day.toordinal(), end.date().toordinal() + 1):
        day = datetime.date.fromordinal(ordinal)
        by_station = [_day_files(plan, day, noise, starts[plan.info.code], ends[plan.info.code])
                      for plan in plans]
        noise.forget_before(ordinal)  # tomorrow's warm-up needs today's shocks only
        for slot in range(SLOTS_PER_DAY):
            for files in by_station:
                if files[slot] is not None:
                    yield files[slot]


def generate(
    stations: Iterable[StationInfo], start_local: datetime.datetime,
    end_local: datetime.datetime, *, seed: int = DEFAULT_SEED,
    resume_after: Mapping[str, datetime.datetime] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """(file name, content) of every file with time in (start_local, end_local], in time
    order; see `generate_detailed`."""
    for generated in generate_detailed(stations, start_local, end_local, seed=seed,
                                       resume_after=resume_after):
        yield generated.name, generated.content
