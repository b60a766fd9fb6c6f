"""The rules of judging a stack or an outfall against its limit. Pure module: no Django, no data.

Every figure a rule needs — base values, factor tables, reference O2, reference conditions, the
band ladder — comes in as an argument, because the regulations are data (`compliance/data/`,
editable by stewards) and several of their figures are not verified
(docs/domain/emission-standards.md). What is here is arithmetic:

- the limit: Cmax = C × Kp × Kv (QCVN 19/22/23:2009, 51:2017) or C × Kq × Kf (QCVN 40:2011),
  or the column value itself (QCVN 19:2024, which has no factors) — one form, a product of the
  base value and whatever factors apply, with its derivation for people to read;
- factor lookup in tables of steps ("20,000 < P ≤ 100,000 → 0.9") or of classes (Kv class 3);
- the O2 correction C_ref = C × (O2_air − O2_ref) / (O2_air − O2_meas), O2_air = 21 by default
  (some texts write 20.9: a regulation's data says which);
- normalisation of an actual-conditions concentration to the reference conditions
  (25 °C and 760 mmHg in every QCVN read so far) and ppm → mg/Nm3 (through `core.units`);
- the exceedance multiple (measured ÷ allowed) and its band in a ladder such as Decree 45/2022's
  (< 1.1, 1.1–1.5, 1.5–2, 2–3, 3–5, 5–10, ≥ 10 times);
- averaging windows over hourly means and the episodes (events) that runs of exceeding windows
  make.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from envhub.core import completeness, units
from envhub.core.numbers import format_number
from envhub.core.timeutil import HOUR, VN

O2_AIR = 21.0
"""Oxygen in air, % by volume, as the issue's formula writes it (some texts use 20.9)."""

O2_REFUSE_FROM = 20.9
"""Measured O2 at or above this is (nearly) air: the correction would divide by ~0 and blow a
few mg up into thousands, so it is refused and the hour is reported as not correctable."""

MULTIPLE_DIGITS = 9
"""Multiples are rounded to this many decimals before banding, so that 158.4 / 144 lands on
the 1.1 boundary and not on 1.0999999999999999."""


class RuleError(ValueError):
    """A rule cannot be applied to these inputs (the message says why, in English; services
    translate the cases a user can meet)."""


class O2OutOfRange(RuleError):
    """The measured O2 is too close to air (or impossible) for the correction."""


def _number(value: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RuleError(f"{what} must be a finite number, not {value!r}")
    return float(value)


# --- factors ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactorStep:
    """One row of a factor table: either a step of a quantity (lower bound exclusive, upper
    bound inclusive, as "20,000 < P ≤ 100,000" reads) or a class ("2": Kv 0.8)."""

    value: float
    above: float | None = None
    up_to: float | None = None
    class_code: str = ""

    def covers(self, quantity: float) -> bool:
        return (self.above is None or quantity > self.above) and \
            (self.up_to is None or quantity <= self.up_to)


def factor_by_quantity(steps: Iterable[FactorStep], quantity: float) -> FactorStep:
    """The step whose interval holds `quantity` (P = 20,000 → the "≤ 20,000" step)."""
    quantity = _number(quantity, "the quantity")
    matches = [step for step in steps if not step.class_code and step.covers(quantity)]
    if not matches:
        raise RuleError(f"no step of the factor table covers {quantity:g}")
    if len(matches) > 1:
        raise RuleError(f"the factor table has overlapping steps at {quantity:g}")
    return matches[0]


def factor_by_class(steps: Iterable[FactorStep], class_code: str) -> FactorStep:
    """The row of a class table (Kv by location class)."""
    wanted = str(class_code).strip().casefold()
    for step in steps:
        if step.class_code and step.class_code.strip().casefold() == wanted:
            return step
    raise RuleError(f"the factor table has no class {class_code!r}")


# --- limits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Factor:
    symbol: str  # "Kp"
    value: float
    basis: str = ""  # what chose it: "P = 54,000 m³/h"


def _figure(value: float, language: str) -> str:
    """A limit figure as people write it: 144, 0,85, 212,5 (no float noise; `core.numbers`)."""
    return format_number(value, language, decimals=6)


@dataclass(frozen=True)
class Limit:
    """An allowed value: `maximum` = base × the factors; `minimum` for range limits (pH)."""

    base: float
    unit: str
    factors: tuple[Factor, ...] = ()
    minimum: float | None = None

    @property
    def maximum(self) -> float:
        value = self.base
        for factor in self.factors:
            value *= factor.value
        # Rounded so that 200 × 0.9 × 0.8 is 144 and not 144.00000000000003.
        return round(value, 10)

    def derivation(self, label: str = "C", language: str = "en") -> str:
        """"C = 200 × Kp 0.9 × Kv 0.8 = 144 mg/Nm3" (or "C = 50 mg/Nm3" without factors);
        a range limit reads "5.5–9". In Vietnamese (`language` "vi"): "Kp 0,9"."""
        unit = f" {self.unit}" if self.unit else ""

        def figure(value: float) -> str:
            return _figure(value, language)

        if self.minimum is not None:
            return f"{label} = {figure(self.minimum)}–{figure(self.maximum)}{unit}"
        if not self.factors:
            return f"{label} = {figure(self.base)}{unit}"
        terms = " × ".join(f"{f.symbol} {figure(f.value)}" for f in self.factors)
        return f"{label} = {figure(self.base)} × {terms} = {figure(self.maximum)}{unit}"


def compute_limit(base: float, unit: str, factors: Sequence[Factor] = (),
                  minimum: float | None = None) -> Limit:
    base = _number(base, "the base value")
    if base <= 0:
        raise RuleError("a limit must be positive")
    for factor in factors:
        if _number(factor.value, f"factor {factor.symbol}") <= 0:
            raise RuleError(f"factor {factor.symbol} must be positive")
    if minimum is not None and _number(minimum, "the lower limit") > base:
        raise RuleError("the lower limit is above the upper limit")
    return Limit(base=base, unit=unit, factors=tuple(factors), minimum=minimum)


# --- corrections -----------------------------------------------------------------------------

def o2_corrected(concentration: float, o2_measured: float, o2_reference: float, *,
                 o2_air: float = O2_AIR, refuse_from: float = O2_REFUSE_FROM,
                 only_above_reference: bool = False) -> float:
    """C_ref = C × (O2_air − O2_ref) / (O2_air − O2_meas). Raises `O2OutOfRange` when the
    measured O2 is negative or at/above `refuse_from` (air: the stack is not firing, or the
    probe draws air). With `only_above_reference`, a flue gas leaner in O2 than the reference
    keeps its measured value (some regulations correct only dilution, never concentration)."""
    concentration = _number(concentration, "the concentration")
    o2_measured = _number(o2_measured, "the measured O2")
    o2_reference = _number(o2_reference, "the reference O2")
    if not 0 <= o2_reference < o2_air:
        raise RuleError(f"a reference O2 of {o2_reference:g} % is impossible")
    if o2_measured < 0 or o2_measured >= min(refuse_from, o2_air):
        raise O2OutOfRange(f"measured O2 of {o2_measured:g} % is too close to air to correct")
    if only_above_reference and o2_measured <= o2_reference:
        return concentration
    return concentration * (o2_air - o2_reference) / (o2_air - o2_measured)


def to_reference_conditions(concentration: float, temperature_c: float, pressure_kpa: float, *,
                            reference_temperature_c: float = units.STANDARD_TEMPERATURE_C,
                            reference_pressure_kpa: float = units.STANDARD_PRESSURE_KPA) -> float:
    """C_N = C_act × (273.15 + T) / (273.15 + T_ref) × P_ref / P
    (docs/domain/emission-standards.md §5)."""
    try:
        return units.to_normal_conditions(
            concentration, temperature_c, pressure_kpa,
            reference_temperature_c=reference_temperature_c,
            reference_pressure_kpa=reference_pressure_kpa)
    except units.UnitError as error:
        raise RuleError(str(error)) from None


def ppm_to_mg_per_nm3(ppm: float, molar_mass: float | str) -> float:
    """mg/Nm3 = ppm × M / 24.45 (25 °C, 1 atm; NOx as NO2, M = 46.01)."""
    try:
        return units.convert(ppm, "ppm", "mg/Nm3", molar_mass=molar_mass)
    except units.UnitError as error:
        raise RuleError(str(error)) from None


def mmhg_to_kpa(mmhg: float) -> float:
    return units.convert(_number(mmhg, "the pressure"), "mmHg", "kPa")


# --- judging ---------------------------------------------------------------------------------

def exceedance_multiple(value: float, limit: float) -> float:
    """Measured ÷ allowed (Decree 45/2022 grades fines by it), rounded to MULTIPLE_DIGITS."""
    value, limit = _number(value, "the value"), _number(limit, "the limit")
    if limit <= 0:
        raise RuleError("a limit must be positive")
    return round(value / limit, MULTIPLE_DIGITS)


def exceeds(value: float, limit: Limit) -> bool:
    """Above the maximum (strictly: equal to the limit is within it), or below a range's
    minimum."""
    value = _number(value, "the value")
    if limit.minimum is not None and value < limit.minimum:
        return True
    return round(value, 10) > limit.maximum


@dataclass(frozen=True)
class Band:
    """A rung of the ladder: multiples in [lower, upper) (upper None: no end)."""

    code: str
    lower: float
    upper: float | None = None
    label: str = ""


def band_for(multiple: float, ladder: Sequence[Band]) -> Band | None:
    """The rung that holds `multiple`, or None when it is not an exceedance (≤ 1: equal to
    the limit is within it) or below the first rung."""
    multiple = _number(multiple, "the multiple")
    if multiple <= 1.0:
        return None
    for band in ladder:
        if multiple >= band.lower and (band.upper is None or multiple < band.upper):
            return band
    return None


def judge(value: float, limit: Limit, ladder: Sequence[Band]) -> tuple[str, float | None, str]:
    """(state, multiple, band code) of an average against its limit. Below a range's minimum
    (pH) it exceeds without a multiple: the ladder grades excess over a maximum."""
    if not exceeds(value, limit):
        return COMPLIES, exceedance_multiple(value, limit.maximum), ""
    if round(value, 10) <= limit.maximum:
        return EXCEEDS, None, ""
    multiple = exceedance_multiple(value, limit.maximum)
    band = band_for(multiple, ladder)
    return EXCEEDS, multiple, band.code if band else ""


def check_ladder(ladder: Sequence[Band]) -> None:
    """Rungs must follow each other without gaps or overlaps, and only the last is open."""
    for before, after in zip(ladder, ladder[1:], strict=False):
        if before.upper is None or not math.isclose(before.upper, after.lower):
            raise RuleError(f"band {before.code} does not end where {after.code} begins")
    for band in ladder:
        if band.upper is not None and band.upper <= band.lower:
            raise RuleError(f"band {band.code} ends before it begins")


# --- averaging windows and episodes ----------------------------------------------------------

EXCEEDS, COMPLIES, UNKNOWN = "exceeds", "complies", "unknown"


@dataclass(frozen=True)
class HourMean:
    """An hourly mean with the counts its validity is judged by: valid values received of
    those the station's interval promises (`core.completeness`)."""

    hour_end: datetime.datetime  # aware
    mean: float | None
    valid_count: int = 0
    expected_count: int = 1


@dataclass(frozen=True)
class WindowMean:
    """The average over a window (start, end] of whole hours; `mean` is None when too few of
    its hours had enough data to count."""

    start: datetime.datetime
    end: datetime.datetime
    mean: float | None
    coverage: float  # % of the window's hours that counted
    hours: int


def window_end(hour_end: datetime.datetime, window_hours: int) -> datetime.datetime:
    """Windows are blocks aligned on local midnight (UTC+7): a 24-hour window is the local day
    (00:00, 24:00], an 8-hour one ends at 08:00, 16:00 and 24:00."""
    if window_hours <= 0 or 24 % window_hours:
        raise RuleError("an averaging window must divide the day: 1, 2, 3, 4, 6, 8, 12 or 24 h")
    local = hour_end.astimezone(VN)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    hours_since = (local - midnight) // HOUR
    if local == midnight:
        return hour_end
    blocks = -(-hours_since // window_hours)  # ceiling
    return (midnight + blocks * window_hours * HOUR).astimezone(hour_end.tzinfo)


def window_means(hours: Iterable[HourMean], window_hours: int, min_coverage: float
                 ) -> list[WindowMean]:
    """Average hourly means into windows by the one completeness rule with the regulation's
    share: an hour counts when `min_coverage` % of its expected values were valid; a window
    counts when that share of its hours counted. With a 1-hour window this is simply "the hour
    counts when 75 % of its values were valid" (9 of 12)."""
    rule = completeness.Rule(hour_share=min_coverage, period_share=min_coverage)
    by_window: dict[datetime.datetime, list[HourMean]] = {}
    for hour in hours:
        by_window.setdefault(window_end(hour.hour_end, window_hours), []).append(hour)
    result = []
    for end in sorted(by_window):
        counted = [h.mean for h in by_window[end]
                   if h.mean is not None and rule.hour_valid(h.valid_count, h.expected_count)]
        valid = rule.period_valid(len(counted), window_hours)
        result.append(WindowMean(
            start=end - window_hours * HOUR, end=end,
            mean=sum(counted) / len(counted) if counted and valid else None,
            coverage=completeness.coverage(len(counted), window_hours), hours=window_hours))
    return result


@dataclass(frozen=True)
class Judged:
    """A window's verdict: `value` is what was compared (after corrections)."""

    start: datetime.datetime
    end: datetime.datetime
    state: str  # EXCEEDS, COMPLIES or UNKNOWN
    value: float | None = None
    multiple: float | None = None


@dataclass
class Episode:
    """A run of exceeding windows: it opens with the first and closes at the first later
    window that complies. Windows without enough data neither extend nor close it."""

    start: datetime.datetime
    end: datetime.datetime
    peak_value: float | None
    peak_multiple: float | None
    peak_at: datetime.datetime
    hours: int
    closed: bool = False
    windows: list[Judged] = field(default_factory=list, repr=False)


def episodes(judged: Iterable[Judged]) -> list[Episode]:
    """Group time-ordered verdicts into episodes."""
    found: list[Episode] = []
    current: Episode | None = None
    for window in sorted(judged, key=lambda w: w.end):
        if window.state == EXCEEDS:
            hours = round((window.end - window.start) / HOUR)
            if current is None:
                current = Episode(start=window.start, end=window.end, peak_value=window.value,
                                  peak_multiple=window.multiple, peak_at=window.end, hours=0)
                found.append(current)
            current.end = window.end
            current.hours += hours
            current.windows.append(window)
            if _higher(window.multiple, current.peak_multiple, window.value, current.peak_value):
                current.peak_value, current.peak_multiple = window.value, window.multiple
                current.peak_at = window.end
        elif window.state == COMPLIES and current is not None:
            current.closed = True
            current = None
    return found


def _higher(multiple, peak_multiple, value, peak_value) -> bool:
    if multiple is not None and peak_multiple is not None:
        return multiple > peak_multiple
    return value is not None and peak_value is not None and value > peak_value
