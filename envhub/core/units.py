"""Units of measure: canonical spellings and conversions. Pure module (no Django), table-driven.

Canonical tokens are the spellings the registry already uses for its parameters
(`registry/data/parameters.json`): `mg/Nm3`, `µg/m3` (MICRO SIGN U+00B5), `°C`, `m3/h`, `kPa`,
`hPa`, `%`, `mg/L`, `µS/cm`, `NTU`, `Pt-Co`, `MPN/100mL`, `m/s`, `°`, `m`, `mm`, and `""` for
pH. Dataloggers write units in many ways (TT10 lines carry the unit as free text,
docs/domain/tt10.md §2), so `normalise` maps the spellings to those tokens and
`convert` converts values.

Decisions:

- Look-up is case-insensitive and ignores white space and `^` (`mg/nm3`, `mg / Nm^3`), after
  Unicode NFC. GREEK SMALL LETTER MU (U+03BC) and `u` are read as the micro prefix, `³` as 3,
  `℃` as °C and the look-alike rings `º`/`˚` as `°`. No two known spellings collide when folded
  this way (the alias table refuses to build otherwise), so case-insensitivity loses nothing.
- `-`, the empty string, None and `pH` are the pH scale, canonical `""`.
- `%vol` (and `% vol`, `vol%`, `%v/v`) is `%`: a gas share by volume is what a stack O2 or H2O
  `%` means, and the registry stores O2 in `%`. `%` is a dimensionless fraction like `ppm` and
  `ppb`, so `convert(1, "%", "ppm") == 10000`; the caller knows that RH in % is not a gas share.
- `mg/Nm3` (normal conditions: 25 °C and 101.325 kPa in Viet Nam's QCVN,
  docs/domain/emission-standards.md §5) and `mg/m3` (actual conditions) are different units of
  different dimensions, and so are `Nm3/h` and `m3/h`. `convert` never equates them: it raises
  `UnitError`. The one exception is ambient air (`ambient=True`): its concentrations are stated
  at 25 °C and 760 mmHg (QCVN 05:2023, and the VN_AQI's µg/m3), which are the normal
  conditions, so there `µg/Nm3` is `µg/m3` and `mg/Nm3` is 1,000 `µg/m3`.
  `to_normal_conditions` applies the normalisation when temperature and pressure are known, and
  `normal_counterpart` tells the ingestion service which normal unit an actual one stands for
  when the station declares that its logger reports at normal conditions. `equivalent` and
  `same_dimension` let it ask before converting.
- ppm/ppb ↔ mass concentration (mg or µg per m3 or per Nm3) uses the molar volume 24.45 L/mol at
  25 °C and 1 atm: mg/m3 = ppm × M / 24.45 (docs/domain/emission-standards.md §5), and the same
  with ppb and µg/m3 for ambient air before VN_AQI (docs/domain/vn-aqi.md §1: the breakpoints
  are in µg/m3, so ppb must be converted first; QCVN 05:2023 uses 25 °C, 760 mmHg). It needs
  `molar_mass`: grams per mole, or a key of `MOLAR_MASS` such as `"SO2"`.
  For mg/Nm3 the conditions match by definition (normal is 25 °C, 1 atm); for mg/m3 and µg/m3
  it is the usual reference convention for ambient air, not the actual stack conditions.
- `mg/L` (water) and `ppm` are not equated either.
- Soil results are mass fractions of dry soil: `mg/kg` (the base), `µg/kg`, `g/kg`; `DW`, `DM`
  and `khô` after them (dry weight) are spellings of the same unit, since every soil result is
  on a dry basis here (docs/domain/soil.md). `%` converts to and from them as a share by mass
  (1 % = 10,000 mg/kg): the other unit says what the share is of. `ppm` and `ppb` do not:
  here they are shares of a gas by volume.
- `mmHg` is taken as exactly 1/760 atm (the Torr), so 760 mmHg = 101.325 kPa as the regulations
  write it; the conventional mmHg differs by 0.000014 %.
- `converter` plans a conversion once (an affine scale and shift, cached) for a whole column;
  a result that overflows to infinity is a `UnitError`.
- One exception type, `UnitError`, for an unknown unit, an impossible conversion, a missing or
  bad molar mass, and a value that is not a finite number.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

MOLAR_VOLUME_25C = 24.45
"""Litres per mole of an ideal gas at 25 °C and 101.325 kPa (the convention of
docs/domain/emission-standards.md §5; RT/P gives 24.465, the regulations' figure is 24.45)."""

STANDARD_TEMPERATURE_C = 25.0
STANDARD_PRESSURE_KPA = 101.325

MOLAR_MASS: dict[str, float] = {
    "SO2": 64.066,
    "NO2": 46.0055,
    "NO": 30.006,
    "NOx": 46.0055,  # NOx is reported "as NO2" (QCVN 19, docs/domain/emission-standards.md §5)
    "CO": 28.010,
    "O3": 47.997,
    "H2S": 34.08,
    "NH3": 17.031,
    "HCl": 36.46,
    "HF": 20.006,
}
"""Grams per mole of the gases that analysers report in ppm/ppb."""
_MOLAR_MASS_KEYS = {key.casefold(): value for key, value in MOLAR_MASS.items()}


class UnitError(ValueError):
    """The one exception type of this module."""


class Unit(NamedTuple):
    """A canonical unit: value in the dimension's base unit = value × factor + offset."""

    token: str
    dimension: str
    factor: float
    offset: float = 0.0


_MMHG_PA = 101_325 / 760  # by definition, so 760 mmHg is exactly 1 atm

# (canonical token, dimension, factor to the dimension's base unit, offset), then spellings.
# Bases: mg/Nm3, mg/m3, mg/L, mg/kg, ppm, K, Pa, m3/s, Nm3/s, m/s, µS/cm, m, m3.
_TABLE: tuple[tuple[Unit, tuple[str, ...]], ...] = (
    (Unit("mg/Nm3", "mass_concentration_normal", 1.0), ("mg/Nm3",)),
    (Unit("µg/Nm3", "mass_concentration_normal", 1e-3), ("ug/Nm3", "mcg/Nm3")),
    (Unit("g/Nm3", "mass_concentration_normal", 1e3), ()),
    (Unit("mg/m3", "mass_concentration_actual", 1.0), ()),
    (Unit("µg/m3", "mass_concentration_actual", 1e-3), ("ug/m3", "mcg/m3")),
    (Unit("g/m3", "mass_concentration_actual", 1e3), ()),
    (Unit("mg/L", "mass_concentration_liquid", 1.0), ()),
    (Unit("µg/L", "mass_concentration_liquid", 1e-3), ("ug/L",)),
    (Unit("g/L", "mass_concentration_liquid", 1e3), ()),
    (Unit("mg/kg", "mass_fraction", 1.0), ("mg/kgDW", "mg/kg DM", "mg/kg khô")),
    (Unit("µg/kg", "mass_fraction", 1e-3), ("ug/kg", "mcg/kg", "µg/kgDW", "ug/kgDW")),
    (Unit("g/kg", "mass_fraction", 1e3), ("g/kgDW",)),
    (Unit("%", "fraction", 1e4), ("%vol", "vol%", "%v/v", "%V")),
    (Unit("ppm", "fraction", 1.0), ("ppmv",)),
    (Unit("ppb", "fraction", 1e-3), ("ppbv",)),
    (Unit("°C", "temperature", 1.0, 273.15), ("oC", "0C", "C", "degC", "độ C", "Celsius")),
    (Unit("K", "temperature", 1.0), ("Kelvin",)),
    (Unit("Pa", "pressure", 1.0), ()),
    (Unit("kPa", "pressure", 1e3), ()),
    (Unit("hPa", "pressure", 1e2), ()),
    (Unit("mbar", "pressure", 1e2), ()),
    (Unit("bar", "pressure", 1e5), ()),
    (Unit("mmHg", "pressure", _MMHG_PA), ("mm Hg", "Torr")),  # 1/760 atm, as the Torr
    (Unit("atm", "pressure", 101_325.0), ()),
    (Unit("m3/s", "volume_flow", 1.0), ()),
    (Unit("m3/h", "volume_flow", 1 / 3600), ("m3/hr", "m3/giờ")),
    (Unit("m3/d", "volume_flow", 1 / 86_400), ("m3/day", "m3/ngày", "m3/ngày đêm", "m3/ngđ")),
    (Unit("L/s", "volume_flow", 1e-3), ("l/s", "lít/s")),
    (Unit("L/min", "volume_flow", 1e-3 / 60), ("l/min", "L/ph", "lít/phút")),
    (Unit("Nm3/s", "normal_volume_flow", 1.0), ()),
    (Unit("Nm3/h", "normal_volume_flow", 1 / 3600), ("Nm3/hr",)),
    (Unit("m/s", "velocity", 1.0), ()),
    (Unit("µS/cm", "conductivity", 1.0), ("uS/cm",)),
    (Unit("mS/cm", "conductivity", 1e3), ()),
    (Unit("NTU", "turbidity", 1.0), ()),
    (Unit("Pt-Co", "colour", 1.0), ("Pt/Co", "PtCo", "Pt-Co unit")),
    (Unit("MPN/100mL", "count_per_volume", 1.0), ("MPN/100 mL", "MPN/100ml")),
    (Unit("", "ph", 1.0), ("-", "pH")),
    (Unit("°", "angle", 1.0), ("deg", "độ", "degree")),
    (Unit("m", "length", 1.0), ()),
    (Unit("mm", "length", 1e-3), ()),
    (Unit("cm", "length", 1e-2), ()),
    (Unit("m3", "volume", 1.0), ()),
)

UNITS: dict[str, Unit] = {unit.token: unit for unit, _ in _TABLE}
"""Every canonical token and its definition."""

# Actual-conditions units and the normal-conditions unit they stand for.
_NORMAL_COUNTERPART = {"mg/m3": "mg/Nm3", "µg/m3": "µg/Nm3", "g/m3": "g/Nm3",
                       "m3/h": "Nm3/h", "m3/s": "Nm3/s"}
# In ambient air the normal conditions are the conditions of every concentration (25 °C,
# 760 mmHg): a normal-conditions concentration is read as the same actual one.
_AMBIENT_SAME = {normal: actual for actual, normal in _NORMAL_COUNTERPART.items()
                 if UNITS[normal].dimension == "mass_concentration_normal"}

_CHARACTER_FIXES = str.maketrans({
    "\u03bc": "\u00b5",  # GREEK SMALL LETTER MU -> MICRO SIGN
    "\u00b3": "3",  # superscript three
    "\u00b2": "2",
    "\u00ba": "\u00b0",  # MASCULINE ORDINAL INDICATOR, a common look-alike of the degree sign
    "\u02da": "\u00b0",  # RING ABOVE
    "\u2103": "\u00b0C",  # DEGREE CELSIUS
    "^": None,
})


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_CHARACTER_FIXES)
    return "".join(text.split()).casefold()


def _build_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for unit, spellings in _TABLE:
        for spelling in (unit.token, *spellings):
            key = _key(spelling)
            if aliases.get(key, unit.token) != unit.token:
                raise AssertionError(f"unit spelling {spelling!r} is ambiguous")
            aliases[key] = unit.token
    return aliases


_ALIASES = _build_aliases()


@lru_cache(maxsize=1024)
def _lookup(text: str) -> str | None:
    return _ALIASES.get(_key(text))


def normalise(unit: str | None) -> str:
    """The canonical token of a unit as a datalogger writes it: `mg/nm³` → `mg/Nm3`,
    `μg/m3` → `µg/m3`, `oC` → `°C`, `-` → `""` (pH). Raises `UnitError` if unknown."""
    if unit is None:
        return ""
    if not isinstance(unit, str):
        raise UnitError(f"a unit must be text, got {type(unit).__name__}")
    token = _lookup(unit)
    if token is None:
        raise UnitError(f"unknown unit {unit[:40]!r}")
    return token


def is_known(unit: str | None) -> bool:
    """True when `normalise` knows this spelling."""
    return unit is None or (isinstance(unit, str) and _lookup(unit) is not None)


def dimension(unit: str | None) -> str:
    """The dimension of a unit, e.g. `mass_concentration_normal` for `mg/Nm3`."""
    return UNITS[normalise(unit)].dimension


def same_dimension(unit_a: str | None, unit_b: str | None) -> bool:
    """True when `convert` can go from one to the other by scaling alone (no molar mass, no
    temperature or pressure). `mg/m3` and `mg/Nm3` are NOT the same dimension."""
    return dimension(unit_a) == dimension(unit_b)


def equivalent(unit_a: str | None, unit_b: str | None, *, ambient: bool = False) -> bool:
    """True when a value in one unit is the same number in the other: two spellings of one unit
    (`mg/nm3`, `mg/Nm³`) or two names of one size (`hPa`, `mbar`; in ambient air `µg/Nm3` and
    `µg/m3`). Raises `UnitError` for an unknown spelling rather than answering False, so that
    an unknown unit is never mistaken for a different known one."""
    a, b = UNITS[_token(unit_a, ambient)], UNITS[_token(unit_b, ambient)]
    return a.dimension == b.dimension and a.factor == b.factor and a.offset == b.offset


def normal_counterpart(unit: str | None) -> str | None:
    """The normal-conditions unit that an actual-conditions unit stands for (`mg/m3` →
    `mg/Nm3`, `m3/h` → `Nm3/h`), or None. For the ingestion service's explicit, noted choice;
    `convert` itself never makes it."""
    return _NORMAL_COUNTERPART.get(normalise(unit))


def can_be_read_as(unit: str | None, canonical: str | None, *,
                   molar_mass: float | str | None = None, ambient: bool = False) -> bool:
    """Whether values written in `unit` can become values in `canonical`: converted, or for an
    actual-conditions unit, once read at (or normalised to) normal conditions."""
    if not is_known(unit) or not is_known(canonical):
        return False
    for source in (unit, normal_counterpart(unit)):
        if source is None:
            continue
        try:
            converter(source, canonical, molar_mass=molar_mass, ambient=ambient)
        except UnitError:
            continue
        return True
    return False


def resolve_molar_mass(molar_mass: float | str | None) -> float:
    """Grams per mole, from a number or a `MOLAR_MASS` key (case-insensitive)."""
    if molar_mass is None:
        raise UnitError("converting between ppm/ppb and a mass concentration needs the molar "
                        "mass of the gas")
    if isinstance(molar_mass, str):
        found = _MOLAR_MASS_KEYS.get(molar_mass.strip().casefold())
        if found is None:
            raise UnitError(f"no molar mass known for {molar_mass[:40]!r}")
        return found
    if isinstance(molar_mass, bool) or not isinstance(molar_mass, (int, float)) or \
            not math.isfinite(molar_mass) or molar_mass <= 0:
        raise UnitError(f"molar mass {molar_mass!r} must be a positive number of g/mol")
    return float(molar_mass)


# Both gas mass-concentration bases are mg per (N)m3 and the fraction base is ppm.
_GAS_MASS = ("mass_concentration_normal", "mass_concentration_actual")


@lru_cache(maxsize=1024)
def _plan(from_token: str, to_token: str, molar_mass: float | str | None) -> tuple[float, float]:
    """(scale, shift) with value_to = value_from × scale + shift."""
    source, target = UNITS[from_token], UNITS[to_token]
    if source.dimension == target.dimension:
        return source.factor / target.factor, (source.offset - target.offset) / target.factor
    pair = {source.dimension, target.dimension}
    if pair == {"fraction", "mass_fraction"} and "%" in (from_token, to_token):
        # A percentage of a mass (soil): ppm's factor of 10,000 is mg/kg's, 1 % = 10 g/kg.
        return source.factor / target.factor, 0.0
    if pair == {"fraction", _GAS_MASS[0]} or pair == {"fraction", _GAS_MASS[1]}:
        # ppm × M / 24.45 = mg/m3 at 25 °C and 1 atm (docs/domain/emission-standards.md §5). The
        # molar mass is resolved only here, so passing one where none is needed does no harm.
        mg_per_m3_per_ppm = resolve_molar_mass(molar_mass) / MOLAR_VOLUME_25C
        if source.dimension == "fraction":
            return source.factor * mg_per_m3_per_ppm / target.factor, 0.0
        return source.factor / mg_per_m3_per_ppm / target.factor, 0.0
    if pair == set(_GAS_MASS) or pair == {"volume_flow", "normal_volume_flow"}:
        raise UnitError(f"{from_token} and {to_token} refer to different gas conditions "
                        "(actual against normal: 25 °C, 101.325 kPa); normalise with the "
                        "stack temperature and pressure first (to_normal_conditions)")
    raise UnitError(f"cannot convert {from_token or 'pH'} ({source.dimension}) to "
                    f"{to_token or 'pH'} ({target.dimension})")


def _token(unit: str | None, ambient: bool) -> str:
    token = normalise(unit)
    return _AMBIENT_SAME.get(token, token) if ambient else token


def converter(from_unit: str | None, to_unit: str | None, *,
              molar_mass: float | str | None = None,
              ambient: bool = False) -> Callable[[float], float]:
    """A function converting values from one unit to another; checks everything once, so
    converting a whole column costs one multiplication and one addition per value. `ambient`:
    the values are of ambient air, where normal and actual conditions are one (see above)."""
    if molar_mass is not None and (isinstance(molar_mass, bool) or
                                   not isinstance(molar_mass, (str, int, float))):
        raise UnitError(f"molar mass {molar_mass!r} must be g/mol or a gas such as 'SO2'")
    scale, shift = _plan(_token(from_unit, ambient), _token(to_unit, ambient), molar_mass)

    def convert_one(value: float) -> float:
        result = _finite(value) * scale + shift
        if not math.isfinite(result):
            raise UnitError(f"{value!r} {from_unit} is out of range in {to_unit}")
        return result

    return convert_one


def convert(value: float, from_unit: str | None, to_unit: str | None, *,
            molar_mass: float | str | None = None, ambient: bool = False) -> float:
    """`value` in `from_unit`, expressed in `to_unit`. Units in any known spelling; the
    conversions and their limits are in the module docstring. Raises `UnitError`."""
    return converter(from_unit, to_unit, molar_mass=molar_mass, ambient=ambient)(value)


def to_normal_conditions(value: float, temperature_c: float, pressure_kpa: float, *,
                         reference_temperature_c: float = STANDARD_TEMPERATURE_C,
                         reference_pressure_kpa: float = STANDARD_PRESSURE_KPA) -> float:
    """A concentration measured at stack conditions (mg/m3) expressed at normal conditions
    (mg/Nm3, 25 °C and 101.325 kPa unless a regulation says otherwise),
    docs/domain/emission-standards.md §5: C_N = C_act × (273.15 + T) / (273.15 + T_ref) × P_ref / P.
    Dry-basis and O2 corrections are not part of this."""
    temperature_k = 273.15 + _finite(temperature_c)
    reference_k = 273.15 + _finite(reference_temperature_c)
    pressure, reference_pressure = _finite(pressure_kpa), _finite(reference_pressure_kpa)
    if temperature_k <= 0 or reference_k <= 0 or pressure <= 0 or reference_pressure <= 0:
        raise UnitError("the stack temperature must be above absolute zero and the pressure "
                        "positive")
    return _finite(value) * temperature_k / reference_k * reference_pressure / pressure


def _finite(value: float) -> float:
    if isinstance(value, bool):
        raise UnitError("a value must be a number, not a boolean")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise UnitError(f"value {str(value)[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise UnitError(f"value {value!r} is not a finite number")
    return number
