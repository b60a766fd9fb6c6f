"""VN_AQI, the Vietnamese air quality index of Decision 1459/QĐ-TCMT (12/11/2019). Pure module:
no Django, no data access; it imports only `envhub.core.units`, `envhub.core.completeness` and
`envhub.core.timeutil`.

The method and its sources are in docs/domain/vn-aqi.md (cited below as "note §n"; a bare
§n is a section of the decision itself). Pollutant keys
are the registry's ambient-air parameter codes: "PM2_5", "PM10", "O3", "NO2", "SO2", "CO"; every
concentration is in µg/m3, CO included (Table 2); `to_ug_m3` converts ppb, ppm, mg/m3 and the
normal-conditions spellings (µg/Nm3, mg/Nm3) first.

Public API
----------

- `sub_index(pollutant, concentration, *, table="1h") -> int | None` — AQIx of one value by
  Table 2 (Formula 1/2). `table` is "1h" (the pollutant's row; for PM it serves the NowCast and
  the 24-h mean, for O3 it is "O3 (1h)") or "8h" (O3 only). None when the value is missing
  (None, NaN, negative) or, for O3 8h, above 400 µg/m3.
- `nowcast(hours) -> float | None` — hours = [c1, c2, …, c12], c1 the current hour; None for a
  missing hour. Only the first 12 items are used.
- `hourly_aqi(gases_1h, pm_hours) -> AqiResult` — gases_1h: {"O3"|"NO2"|"SO2"|"CO": current 1-h
  mean}; pm_hours: {"PM2_5"|"PM10": [c1 … c12]}.
- `daily_aqi(max_1h, mean_24h, o3_max_8h=None) -> AqiResult` — max_1h: {"O3"|"NO2"|"SO2"|"CO":
  the day's max 1-h mean}; mean_24h: {"PM2_5"|"PM10": 24-h mean}; o3_max_8h: the day's max 8-h
  O3 mean.
- `hourly_inputs(hourly_means, hour_end) -> HourlyInputs` and
  `daily_inputs(hourly_means, day, *, min_hours_24h=18, min_hours_max_1h=18, min_hours_8h=6,
  min_means_max_8h=18) -> DailyInputs` (the minimums of `daily_minimums(rule)`) — build those
  arguments from
  {pollutant: {hour_end (aware datetime): hourly mean}}; `.aqi()` on either computes the index.
- `category_for(aqi) -> Category` — band, colour and health messages (note §5, Tables 1, 4, 5).
- `to_ug_m3(value, unit, pollutant) -> float` — through `core.units` at 25 °C, 1 atm.
- `AqiError(ValueError)` — the one exception: unknown pollutant, table or unit, a value that is
  not a number, a naive datetime.

Decisions where 1459 is silent (note §4 names these as the implementer's; each is the
choice that note calls safest):

- Rounding: every sub-index is rounded to an integer half-up ("làm tròn thành số nguyên"),
  after rounding to 6 decimals so that float noise (55.7 µg/m3 PM2.5 → 109.4999… or 109.5000…1)
  always gives 110. The composite is the max of the rounded sub-indices (rounding is monotone, so
  the order does not matter). Half-up reproduces every printed sub-index of the worked examples
  but the hourly NO2 (note §4: 118.7 µg/m3 gives 59.35, printed "60"), which is the decision's
  erratum: this module gives 59 and AQI^h = 59.
- Above the top breakpoint (Table 2 writes level 8 as "≥") the sub-index is capped at 500: the
  category scale ends at 500 and no extrapolation rule is given. O3 8h has no levels 7–8: a max
  8-h mean above 400 µg/m3 gets no 8-h sub-index (§2.2.2b); exactly 400 gives 300.
- Negative concentrations (and NaN, ±inf) are refused as missing, never clamped to 0.
- NowCast: Cmin and Cmax are taken over the hours present; missing hours get weight 0; the
  NowCast is the normalised weighted mean Σ w^(i−1)·ci / Σ w^(i−1) also when w = 1/2. The
  decision writes that case unnormalised, (1/2)·c1 + … + (1/2)^12·c12, which is EPA's shortcut
  (Σ(1/2)^(i−1) ≈ 2) and is biased low as soon as an hour is missing. Cmax = 0 gives 0. w is not
  rounded (the worked example's 0.61 changes nothing). The NowCast is kept at full precision,
  not rounded to 0.1 before interpolation: the worked examples come out the same (20.2658 →
  PM2.5 41, as the printed 20.3 does) and rounding would only move values across band edges.
- The 24-h mean is over the hours ending 01:00 … 24:00 local time (UTC+7), `core.timeutil`'s day
  (00:00 belongs to the day before). 8-h means are the means of 8 consecutive hourly means,
  labelled by their last hour: 24 per day, the first (01:00) reaching back to 18:00 of the day
  before (the decision's worked table).
- Completeness (the decision has no minimum except the NowCast's 2 of c1, c2, c3): an average
  or a maximum taken over too few hours understates the pollution, so an index built on it
  would look better than the air was. The hourly means given must be those of valid hours, and
  the thresholds are envhub's one completeness rule (`core.completeness`, 75 % by default,
  after US EPA): a 24-h mean needs 18 of 24 hourly means, a day's max 1-h mean 18 of 24, an
  8-h mean 6 of 8 hourly means, and the day's max 8-h mean 18 of its 24 8-h means. All are
  keyword parameters of `daily_inputs` (`daily_minimums(rule)` gives them for a rule).
- No AQI unless PM2_5 or PM10 has a sub-index (§2.1b); the gases' sub-indices are still reported.
- Dominant pollutant: the highest sub-index; on a tie the first in `POLLUTANTS` order (PM2_5,
  PM10, O3, NO2, SO2, CO) — particles first because the index cannot exist without them.
  `dominant_all` lists every pollutant at the maximum.
- Categories: `category_for` takes an integer AQI (a float is rounded half-up first); values
  above 500 (not produced here) are still "Nguy hại"; negative values are an error.

User-facing text (category names, health effects, recommended activities, reasons) is given
in Vietnamese (the decision's own wording, Tables 1, 4, 5) and in English; this module cannot
use gettext, so both come as data and the caller picks the language.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from envhub.core import completeness, units
from envhub.core.timeutil import HOUR, day_bounds, to_utc

PM2_5, PM10, O3, NO2, SO2, CO = "PM2_5", "PM10", "O3", "NO2", "SO2", "CO"
POLLUTANTS: tuple[str, ...] = (PM2_5, PM10, O3, NO2, SO2, CO)
"""Every VN_AQI pollutant, in the dominant-pollutant tie order."""
PM: tuple[str, ...] = (PM2_5, PM10)
GASES_1H: tuple[str, ...] = (O3, NO2, SO2, CO)
"""The pollutants looked up by a 1-h mean (hourly) or the day's max 1-h mean (daily)."""

INDEX_LEVELS: tuple[int, ...] = (0, 50, 100, 150, 200, 300, 400, 500)
"""I_i of Table 2, levels i = 1..8."""

BREAKPOINTS: dict[tuple[str, str], tuple[float | None, ...]] = {
    (O3, "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    (O3, "8h"): (0, 100, 120, 170, 210, 400, None, None),
    (CO, "1h"): (0, 10_000, 30_000, 45_000, 60_000, 90_000, 120_000, 150_000),
    (SO2, "1h"): (0, 125, 350, 550, 800, 1600, 2100, 2630),
    (NO2, "1h"): (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    (PM10, "1h"): (0, 50, 150, 250, 350, 420, 500, 600),
    (PM2_5, "1h"): (0, 25, 50, 80, 150, 250, 350, 500),
}
"""BP_i of Table 2 (µg/m3), keyed by (pollutant, table); None where the table has no level."""

MAX_INDEX = 500
O3_8H_LIMIT = 400.0
"""Above this max 8-h O3 mean (µg/m3) no 8-h sub-index is computed (§2.2.2b)."""
ROUND_GUARD_DIGITS = 6
NOWCAST_HOURS = 12
MIN_WEIGHT = 0.5


class AqiError(ValueError):
    """The inputs cannot be read (unknown pollutant, table or unit; not a number; naive time)."""


# --- user-facing text --------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    # AqiResult.reason
    "no_pm": ("Không tính được VN_AQI: không có chỉ số của bụi PM2,5 hoặc PM10 (Quyết định "
              "1459/QĐ-TCMT yêu cầu có ít nhất một trong hai thông số này).",
              "No VN_AQI: neither PM2.5 nor PM10 has a sub-index (Decision 1459/QĐ-TCMT "
              "requires at least one of them)."),
    "no_data": ("Không tính được VN_AQI: không có dữ liệu của thông số nào.",
                "No VN_AQI: there are no data for any pollutant."),
    # SubIndex.note
    "missing": ("Không có dữ liệu.", "No data."),
    "nowcast_incomplete": ("Không tính được giá trị Nowcast: cần ít nhất 2 trong 3 giờ gần "
                           "nhất có dữ liệu.",
                           "No NowCast: at least 2 of the last 3 hours must have data."),
    "o3_8h_above_400": ("Trung bình 8 giờ lớn nhất của O3 cao hơn 400 µg/m3: chỉ tính theo "
                        "trung bình 1 giờ lớn nhất.",
                        "The max 8-h O3 mean is above 400 µg/m3: only the max 1-h mean "
                        "counts."),
    "capped": ("Nồng độ vượt mức cao nhất của Bảng 2: chỉ số lấy bằng 500.",
               "The concentration is above the top of Table 2: the sub-index is capped at "
               "500."),
}
"""Code → (Vietnamese, English) for reasons and notes."""


@dataclass(frozen=True)
class Category:
    """A band of Table 1 with its colour (note §5) and the messages of Tables 4 and 5."""

    code: str  # good, moderate, poor, bad, very_bad, hazardous
    low: int
    high: int
    name_vi: str
    name_en: str
    colour_vi: str
    colour_en: str
    hex: str
    rgb: tuple[int, int, int]
    health_vi: str
    health_en: str
    general_public_vi: str
    general_public_en: str
    sensitive_groups_vi: str
    sensitive_groups_en: str


_ALL_INDOORS_VI = ("Mọi người nên ở trong nhà, đóng cửa ra vào và cửa sổ. Nếu cần thiết phải ra "
                   "ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.")
_ALL_INDOORS_EN = ("Everyone should stay indoors with doors and windows closed. If you must go "
                   "out, wear a mask that meets the standard.")
_FREE_VI = "Tự do thực hiện các hoạt động ngoài trời."
_FREE_EN = "Free to be active outdoors."

CATEGORIES: tuple[Category, ...] = (
    Category(
        "good", 0, 50, "Tốt", "Good", "Xanh", "Green", "#00E400", (0, 228, 0),
        "Chất lượng không khí tốt, không ảnh hưởng tới sức khỏe.",
        "Air quality is good; no effect on health.",
        _FREE_VI, _FREE_EN, _FREE_VI, _FREE_EN),
    Category(
        "moderate", 51, 100, "Trung bình", "Moderate", "Vàng", "Yellow", "#FFFF00",
        (255, 255, 0),
        "Chất lượng không khí ở mức chấp nhận được. Tuy nhiên, đối với những người nhạy cảm "
        "(người già, trẻ em, người mắc các bệnh hô hấp, tim mạch…) có thể chịu những tác động "
        "nhất định tới sức khỏe.",
        "Air quality is acceptable. However, sensitive people (the elderly, children, people "
        "with respiratory or cardiovascular disease…) may feel some effects on their health.",
        _FREE_VI, _FREE_EN,
        "Nên theo dõi các triệu chứng như ho hoặc khó thở, nhưng vẫn có thể hoạt động bên "
        "ngoài.",
        "Watch for symptoms such as coughing or shortness of breath; outdoor activity is still "
        "possible."),
    Category(
        "poor", 101, 150, "Kém", "Poor", "Da cam", "Orange", "#FF7E00", (255, 126, 0),
        "Những người nhạy cảm gặp phải các vấn đề về sức khỏe, những người bình thường ít ảnh "
        "hưởng.",
        "Sensitive people have health problems; the general public is little affected.",
        "Những người thấy có triệu chứng đau mắt, ho hoặc đau họng… nên cân nhắc giảm các hoạt "
        "động ngoài trời. Đối với học sinh, có thể hoạt động bên ngoài, nhưng nên giảm bớt việc "
        "tập thể dục kéo dài.",
        "People with sore eyes, a cough or a sore throat should consider cutting down outdoor "
        "activity. Pupils may go outside but should cut down prolonged exercise.",
        "Nên giảm các hoạt động mạnh và giảm thời gian hoạt động ngoài trời. Những người mắc "
        "bệnh hen suyễn có thể cần sử dụng thuốc thường xuyên hơn.",
        "Reduce strenuous activity and time spent outdoors. People with asthma may need their "
        "medication more often."),
    Category(
        "bad", 151, 200, "Xấu", "Bad", "Đỏ", "Red", "#FF0000", (255, 0, 0),
        "Những người bình thường bắt đầu có các ảnh hưởng tới sức khỏe, nhóm người nhạy cảm có "
        "thể gặp những vấn đề sức khỏe nghiêm trọng hơn.",
        "The general public begins to feel effects on health; sensitive groups may have more "
        "serious health problems.",
        "Mọi người nên giảm các hoạt động mạnh khi ở ngoài trời, tránh tập thể dục kéo dài và "
        "nghỉ ngơi nhiều hơn trong nhà.",
        "Everyone should reduce strenuous outdoor activity, avoid prolonged exercise and rest "
        "more indoors.",
        "Nên ở trong nhà và giảm hoạt động mạnh. Nếu cần thiết phải ra ngoài, hãy đeo khẩu "
        "trang đạt tiêu chuẩn.",
        "Stay indoors and reduce strenuous activity. If you must go out, wear a mask that "
        "meets the standard."),
    Category(
        "very_bad", 201, 300, "Rất xấu", "Very bad", "Tím", "Purple", "#8F3F97",
        (143, 63, 151),
        "Cảnh báo hưởng tới sức khỏe: mọi người bị ảnh hưởng tới sức khỏe nghiêm trọng hơn.",
        "Health warning: everyone may have more serious effects on health.",
        "Mọi người hạn chế tối đa các hoạt động ngoài trời và chuyển tất cả các hoạt động vào "
        "trong nhà. Nếu cần thiết phải ra ngoài, hãy đeo khẩu trang đạt tiêu chuẩn.",
        "Everyone should keep outdoor activity to a minimum and move all activities indoors. "
        "If you must go out, wear a mask that meets the standard.",
        "Nên ở trong nhà và giảm hoạt động mạnh.",
        "Stay indoors and reduce strenuous activity."),
    Category(
        "hazardous", 301, 500, "Nguy hại", "Hazardous", "Nâu", "Maroon", "#7E0023",
        (126, 0, 35),
        "Cảnh báo khẩn cấp về sức khỏe: Toàn bộ dân số bị ảnh hưởng tới sức khỏe tới mức "
        "nghiêm trọng.",
        "Health emergency: the whole population is seriously affected.",
        # Table 5 merges the two cells of this row: one recommendation for everyone.
        _ALL_INDOORS_VI, _ALL_INDOORS_EN, _ALL_INDOORS_VI, _ALL_INDOORS_EN),
)


def category_for(aqi: int | float) -> Category:
    """The Table 1 band of an AQI: 0–50 Tốt, 51–100 Trung bình, 101–150 Kém, 151–200 Xấu,
    201–300 Rất xấu, 301–500 Nguy hại (and above 500, which this module never produces)."""
    value = _number(aqi, "an AQI")
    if value is None or value < 0:
        raise AqiError(f"an AQI must be a number of at least 0, not {aqi!r}")
    rounded = _round_half_up(value)
    for category in CATEGORIES:
        if rounded <= category.high:
            return category
    return CATEGORIES[-1]


# --- sub-indices ---------------------------------------------------------------------------------

def _number(value: object, what: str) -> float | None:
    """A concentration as a float, or None when missing (None, NaN, ±inf, negative)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AqiError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _round_half_up(value: float) -> int:
    """Half-up to an integer, after rounding away float noise: 109.49999999 → 110."""
    return math.floor(round(value, ROUND_GUARD_DIGITS) + 0.5)


def _breakpoints(pollutant: str, table: str) -> tuple[float | None, ...]:
    if pollutant not in POLLUTANTS:
        raise AqiError(f"unknown VN_AQI pollutant {pollutant!r}; expected one of "
                       f"{', '.join(POLLUTANTS)}")
    if table not in ("1h", "8h"):
        raise AqiError(f"unknown table {table!r}: '1h' or '8h'")
    found = BREAKPOINTS.get((pollutant, table))
    if found is None:
        raise AqiError(f"Table 2 has no {table} row for {pollutant} (only O3 has an 8h row)")
    return found


def _interpolate(breakpoints: tuple[float | None, ...], concentration: float) -> float | None:
    """Formula 1 on the continuous segment holding the value; MAX_INDEX at or above the top;
    None above a table without its top levels (O3 8h above 400)."""
    levels = [(bp, index) for bp, index in zip(breakpoints, INDEX_LEVELS, strict=True)
              if bp is not None]
    top_bp, top_index = levels[-1]
    if concentration >= top_bp:
        if top_index == MAX_INDEX:
            return float(MAX_INDEX)
        return float(top_index) if concentration == top_bp else None
    for (bp_low, i_low), (bp_high, i_high) in zip(levels, levels[1:], strict=False):
        if concentration <= bp_high:
            return (i_high - i_low) * (concentration - bp_low) / (bp_high - bp_low) + i_low
    raise AssertionError("unreachable: the value is below the top breakpoint")


def sub_index(pollutant: str, concentration: float | None, *, table: str = "1h") -> int | None:
    """AQIx = (I_{i+1} − I_i)/(BP_{i+1} − BP_i) × (Cx − BP_i) + I_i, rounded half-up, capped at
    500. None for a missing value and for O3 8h above 400 µg/m3."""
    breakpoints = _breakpoints(pollutant, table)
    value = _number(concentration, f"the {pollutant} concentration")
    if value is None:
        return None
    exact = _interpolate(breakpoints, value)
    return None if exact is None else min(MAX_INDEX, _round_half_up(exact))


# --- NowCast -------------------------------------------------------------------------------------

def nowcast(hours: Sequence[float | None]) -> float | None:
    """The NowCast of [c1, …, c12] (c1 the current hour; None, NaN or negative = missing).
    None unless at least 2 of c1, c2, c3 are present. Full precision (not rounded)."""
    if isinstance(hours, (str, bytes)) or not isinstance(hours, Sequence):
        raise AqiError("the NowCast needs a sequence of hourly means, c1 first")
    values = [_number(value, f"c{i + 1}") for i, value in enumerate(hours[:NOWCAST_HOURS])]
    if sum(value is not None for value in values[:3]) < 2:
        return None
    present = [(i, value) for i, value in enumerate(values) if value is not None]
    c_max = max(value for _, value in present)
    if c_max == 0:
        return 0.0
    c_min = min(value for _, value in present)
    weight = max(c_min / c_max, MIN_WEIGHT)
    numerator = sum(weight ** i * value for i, value in present)
    denominator = sum(weight ** i for i, _ in present)
    return numerator / denominator


# --- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubIndex:
    """One look-up in Table 2: `concentration` (µg/m3) is the value looked up — the NowCast
    (basis "nowcast"), the current 1-h mean ("1h"), the 24-h mean ("24h"), the day's max 1-h
    mean ("max_1h") or max 8-h mean ("max_8h", O3 only). `note` is a MESSAGES code or ""."""

    pollutant: str
    basis: str
    concentration: float | None
    value: int | None
    note: str = ""

    @property
    def note_vi(self) -> str:
        return MESSAGES[self.note][0] if self.note else ""

    @property
    def note_en(self) -> str:
        return MESSAGES[self.note][1] if self.note else ""


@dataclass(frozen=True)
class AqiResult:
    """An hourly or daily VN_AQI.

    `aqi` is None when no PM sub-index exists (`reason` says why); `sub_indices` has all six
    pollutants (None where missing); `parts` every look-up made (daily O3 has two: max_1h and
    max_8h, and its sub-index is the larger); `dominant` the pollutant with the highest
    sub-index (ties: POLLUTANTS order), `dominant_all` every pollutant at that value;
    `category` the Table 1 band with its colour and messages."""

    kind: str  # "hourly" or "daily"
    aqi: int | None
    sub_indices: dict[str, int | None]
    parts: tuple[SubIndex, ...]
    dominant: str | None
    dominant_all: tuple[str, ...]
    category: Category | None
    reason: str | None = None
    method: str = field(default="VN_AQI (1459/QĐ-TCMT)")

    @property
    def reason_vi(self) -> str:
        return MESSAGES[self.reason][0] if self.reason else ""

    @property
    def reason_en(self) -> str:
        return MESSAGES[self.reason][1] if self.reason else ""

    def as_dict(self) -> dict:
        """Plain data for JSON: numbers, codes and both languages' text."""
        category = self.category
        return {
            "kind": self.kind,
            "aqi": self.aqi,
            "method": self.method,
            "sub_indices": dict(self.sub_indices),
            "parts": [{"pollutant": p.pollutant, "basis": p.basis,
                       "concentration": p.concentration, "value": p.value, "note": p.note}
                      for p in self.parts],
            "dominant": self.dominant,
            "dominant_all": list(self.dominant_all),
            "category": None if category is None else {
                "code": category.code, "low": category.low, "high": category.high,
                "name_vi": category.name_vi, "name_en": category.name_en,
                "colour_vi": category.colour_vi, "colour_en": category.colour_en,
                "hex": category.hex, "rgb": list(category.rgb),
                "health_vi": category.health_vi, "health_en": category.health_en,
                "general_public_vi": category.general_public_vi,
                "general_public_en": category.general_public_en,
                "sensitive_groups_vi": category.sensitive_groups_vi,
                "sensitive_groups_en": category.sensitive_groups_en,
            },
            "reason": self.reason,
            "reason_vi": self.reason_vi,
            "reason_en": self.reason_en,
        }


def _part(pollutant: str, basis: str, concentration: float | None, *, table: str = "1h",
          missing_note: str = "missing") -> SubIndex:
    value = _number(concentration, f"the {pollutant} concentration")
    if value is None:
        return SubIndex(pollutant, basis, None, None, missing_note)
    index = sub_index(pollutant, value, table=table)
    note = ""
    if index is None:
        note = "o3_8h_above_400"
    elif value > max(bp for bp in BREAKPOINTS[(pollutant, table)] if bp is not None):
        note = "capped"
    return SubIndex(pollutant, basis, value, index, note)


def _compose(kind: str, parts: list[SubIndex]) -> AqiResult:
    sub_indices: dict[str, int | None] = {}
    for pollutant in POLLUTANTS:
        values = [p.value for p in parts if p.pollutant == pollutant and p.value is not None]
        sub_indices[pollutant] = max(values) if values else None
    present = {k: v for k, v in sub_indices.items() if v is not None}
    if not any(sub_indices[p] is not None for p in PM):
        return AqiResult(kind, None, sub_indices, tuple(parts), None, (), None,
                         "no_pm" if present else "no_data")
    aqi = max(present.values())
    dominant_all = tuple(p for p in POLLUTANTS if present.get(p) == aqi)
    return AqiResult(kind, aqi, sub_indices, tuple(parts), dominant_all[0], dominant_all,
                     category_for(aqi))


def _check_keys(mapping: Mapping, allowed: tuple[str, ...], what: str) -> None:
    if not isinstance(mapping, Mapping):
        raise AqiError(f"{what} must be a mapping of pollutant → value")
    for key in mapping:
        if key not in allowed:
            raise AqiError(f"{what} takes {', '.join(allowed)}, not {key!r}")


def hourly_aqi(gases_1h: Mapping[str, float | None],
               pm_hours: Mapping[str, Sequence[float | None]]) -> AqiResult:
    """AQI^h: O3, NO2, SO2 and CO on their current 1-h mean (O3 on the O3 (1h) row); PM2_5 and
    PM10 on the NowCast of their hours [c1, …, c12]. Absent keys are missing pollutants."""
    _check_keys(gases_1h, GASES_1H, "gases_1h")
    _check_keys(pm_hours, PM, "pm_hours")
    parts = []
    for pollutant in PM:
        if pollutant in pm_hours and pm_hours[pollutant] is not None:
            value = nowcast(pm_hours[pollutant])
            parts.append(_part(pollutant, "nowcast", value, missing_note="nowcast_incomplete"))
        else:
            parts.append(SubIndex(pollutant, "nowcast", None, None, "missing"))
    for pollutant in GASES_1H:
        parts.append(_part(pollutant, "1h", gases_1h.get(pollutant)))
    return _compose("hourly", parts)


def daily_aqi(max_1h: Mapping[str, float | None], mean_24h: Mapping[str, float | None],
              o3_max_8h: float | None = None) -> AqiResult:
    """AQI^d: PM2_5 and PM10 on their 24-h mean; NO2, SO2 and CO on the day's max 1-h mean; O3
    the larger of the O3 (1h) sub-index of its max 1-h mean and the O3 (8h) sub-index of its
    max 8-h mean, the latter skipped above 400 µg/m3."""
    _check_keys(max_1h, GASES_1H, "max_1h")
    _check_keys(mean_24h, PM, "mean_24h")
    parts = [_part(pollutant, "24h", mean_24h.get(pollutant)) for pollutant in PM]
    parts.append(_part(O3, "max_1h", max_1h.get(O3)))
    parts.append(_part(O3, "max_8h", o3_max_8h, table="8h"))
    parts.extend(_part(pollutant, "max_1h", max_1h.get(pollutant))
                 for pollutant in (NO2, SO2, CO))
    return _compose("daily", parts)


# --- inputs from hourly means --------------------------------------------------------------------

HourlyMeans = Mapping[str, Mapping[datetime.datetime, float | None]]
"""{pollutant: {hour_end (aware, on the hour): hourly mean in µg/m3 or None}}."""


def _series(hourly_means: HourlyMeans, pollutant: str) -> dict[datetime.datetime, float]:
    """One pollutant's present hourly means keyed by UTC hour end."""
    if not isinstance(hourly_means, Mapping):
        raise AqiError("hourly means must be a mapping pollutant → {hour_end: value}")
    found = hourly_means.get(pollutant) or {}
    if not isinstance(found, Mapping):
        raise AqiError(f"the hourly means of {pollutant} must be a mapping hour_end → value")
    series: dict[datetime.datetime, float] = {}
    for moment, raw in found.items():
        end = _hour_end(moment)
        value = _number(raw, f"the {pollutant} hourly mean at {moment.isoformat()}")
        if value is not None:
            series[end] = value
    return series


def _hour_end(moment: object) -> datetime.datetime:
    if not isinstance(moment, datetime.datetime):
        raise AqiError(f"an hour end must be a datetime, not {moment!r}")
    if moment.tzinfo is None:
        raise AqiError(f"naive hour end {moment.isoformat()}: say which zone it is in")
    end = to_utc(moment)
    if end.minute or end.second or end.microsecond:
        raise AqiError(f"{moment.isoformat()} is not on the hour: hourly means are keyed by "
                       "the end of their hour")
    return end


def _check_minimum(value: int, most: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise AqiError(f"{name} must be a whole number from 1 to {most}, not {value!r}")
    return value


@dataclass(frozen=True)
class HourlyInputs:
    """The arguments of `hourly_aqi` for the hour ending `hour_end` (UTC)."""

    hour_end: datetime.datetime
    gases_1h: dict[str, float | None]
    pm_hours: dict[str, list[float | None]]

    def aqi(self) -> AqiResult:
        return hourly_aqi(self.gases_1h, self.pm_hours)


def hourly_inputs(hourly_means: HourlyMeans, hour_end: datetime.datetime) -> HourlyInputs:
    """The current 1-h mean of each gas and [c1 … c12] of each PM for the hour ending
    `hour_end` (c1 = that hour, c12 = the hour ending 11 hours earlier). Keys other than the six
    pollutants (a station's NOx, temperature…) are ignored."""
    end = _hour_end(hour_end)
    gases = {p: _series(hourly_means, p).get(end) for p in GASES_1H}
    pm = {}
    for pollutant in PM:
        series = _series(hourly_means, pollutant)
        pm[pollutant] = [series.get(end - i * HOUR) for i in range(NOWCAST_HOURS)]
    return HourlyInputs(end, gases, pm)


@dataclass(frozen=True)
class DailyInputs:
    """What the day's index is computed from (µg/m3), None where too incomplete:

    - `max_1h`: the day's max 1-h mean of O3, NO2, SO2, CO;
    - `mean_24h`: the 24-h mean of PM2_5 and PM10 (hours ending 01:00 … 24:00 local);
    - `o3_8h_means`: the 24 8-h O3 means keyed by their last hour (UTC), and `o3_max_8h`;
    - `hours`: how many hourly means each pollutant has in the day."""

    day: datetime.date
    max_1h: dict[str, float | None]
    mean_24h: dict[str, float | None]
    o3_8h_means: dict[datetime.datetime, float | None]
    o3_max_8h: float | None
    hours: dict[str, int]

    def aqi(self) -> AqiResult:
        return daily_aqi(self.max_1h, self.mean_24h, self.o3_max_8h)


def daily_minimums(rule: completeness.Rule = completeness.DEFAULT) -> dict[str, int]:
    """The keyword arguments of `daily_inputs` for a completeness rule."""
    day, eight = rule.hours_needed(24), rule.hours_needed(8)
    return {"min_hours_24h": day, "min_hours_max_1h": day, "min_hours_8h": eight,
            "min_means_max_8h": day}


_DEFAULT_MINIMUMS = daily_minimums()


def daily_inputs(hourly_means: HourlyMeans, day: datetime.date, *,
                 min_hours_24h: int = _DEFAULT_MINIMUMS["min_hours_24h"],
                 min_hours_max_1h: int = _DEFAULT_MINIMUMS["min_hours_max_1h"],
                 min_hours_8h: int = _DEFAULT_MINIMUMS["min_hours_8h"],
                 min_means_max_8h: int = _DEFAULT_MINIMUMS["min_means_max_8h"]) -> DailyInputs:
    """The daily inputs of the local day `day` from hourly means keyed by hour end. The O3 8-h
    means of the day's first hours use the hours of the day before (18:00 onwards), so pass
    them too. Keys other than the six pollutants are ignored. Thresholds: see the module
    docstring (75 % of the hours or means, after US EPA)."""
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise AqiError(f"day must be a date, not {day!r}")
    _check_minimum(min_hours_24h, 24, "min_hours_24h")
    _check_minimum(min_hours_max_1h, 24, "min_hours_max_1h")
    _check_minimum(min_hours_8h, 8, "min_hours_8h")
    _check_minimum(min_means_max_8h, 24, "min_means_max_8h")
    start, _ = day_bounds(day)
    day_hours = [start + k * HOUR for k in range(1, 25)]  # hour ends 01:00 … 24:00 local
    series = {pollutant: _series(hourly_means, pollutant) for pollutant in POLLUTANTS}
    in_day = {p: [series[p][h] for h in day_hours if h in series[p]] for p in POLLUTANTS}

    max_1h = {p: max(in_day[p]) if len(in_day[p]) >= min_hours_max_1h else None
              for p in GASES_1H}
    mean_24h = {p: math.fsum(in_day[p]) / len(in_day[p])
                if len(in_day[p]) >= min_hours_24h else None for p in PM}

    o3 = series[O3]
    o3_8h_means: dict[datetime.datetime, float | None] = {}
    for end in day_hours:
        window = [o3[end - i * HOUR] for i in range(8) if end - i * HOUR in o3]
        o3_8h_means[end] = math.fsum(window) / len(window) if len(window) >= min_hours_8h \
            else None
    valid_8h = [mean for mean in o3_8h_means.values() if mean is not None]
    o3_max_8h = max(valid_8h) if len(valid_8h) >= min_means_max_8h else None

    return DailyInputs(day, max_1h, mean_24h, o3_8h_means, o3_max_8h,
                       {p: len(in_day[p]) for p in POLLUTANTS})


# --- units ---------------------------------------------------------------------------------------

def to_ug_m3(value: float, unit: str, pollutant: str) -> float:
    """A concentration in ppb, ppm, mg/m3, µg/m3, mg/Nm3 or µg/Nm3 (any spelling `core.units`
    knows) in µg/m3, the unit of Table 2. ppb/ppm use the gas's molar mass at 25 °C and 1 atm
    (µg/m3 = ppb × M / 24.45; CO 28.010, O3 47.997, NO2 46.0055, SO2 64.066 g/mol). PM cannot
    be given in ppb/ppm. µg/Nm3 is µg/m3: QCVN 05:2023 states its limits in µg/Nm3 at 25 °C
    and 760 mmHg, the conditions of the VN_AQI's µg/m3."""
    if pollutant not in POLLUTANTS:
        raise AqiError(f"unknown VN_AQI pollutant {pollutant!r}")
    try:
        if pollutant in PM and units.dimension(unit) == "fraction":
            raise AqiError(f"{pollutant} is a mass of particles: it cannot be given in {unit}")
        return units.convert(value, unit, "µg/m3",
                             molar_mass=None if pollutant in PM else pollutant, ambient=True)
    except units.UnitError as error:
        raise AqiError(str(error)) from None
