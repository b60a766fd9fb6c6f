"""Numbers as people read them, one rule for the whole site: pages, charts (the same rule in
`static/envhub/numbers.js`), notifications, e-mails and spreadsheets.

- Vietnamese writes a decimal comma and a dot between thousands ("1.234,5"); English the
  reverse ("1,234.5"). "1.734" is one thousand seven hundred and thirty-four to a Vietnamese
  reader, so no Vietnamese text may carry a number written the English way.
- How many decimals: at most the unit's (`DECIMALS_BY_UNIT`: µg/m3 one, mg/Nm3 and mg/L two,
  pH two, a count or an index none), but always at least `SIGNIFICANT` significant digits, so
  that 0.0123 mg/L reads "0,012", never "0". Trailing zeros are dropped: 50.0 reads "50", as
  the data say no more than that.
- Rounding is half away from zero on the decimal a float is written as (its shortest repr:
  2.675 rounds to 2.68, though the float is a hair below), as JavaScript's `Intl.NumberFormat`
  and Excel do, so a page, a chart and a spreadsheet agree.
- Rounding never moves a value across a limit: given `against` (the limit it is judged by),
  decimals are added until the figure shown lies on the same side as the value itself. 50.004
  against a limit of 50 reads "50,004", never "50", which would look compliant.
- A multiple of a limit reads "1,73 lần" / "1.73 times" (`format_multiple`); one over 1 never
  reads "1".

Pure module (no Django).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

SIGNIFICANT = 2
"""The fewest significant digits a non-zero value is shown with."""

DEFAULT_DECIMALS = 2
"""Decimals for a value whose unit says nothing (a limit, a factor, a share)."""

MAX_DECIMALS = 10

DECIMALS_BY_UNIT: dict[str, int] = {
    "µg/m3": 1, "mg/Nm3": 2, "mg/m3": 2, "mg/L": 2, "": 2,  # "" is pH
    "mg/kg": 3,  # soil: traces such as mercury are hundredths of a mg/kg
    "%": 1, "°C": 1, "kPa": 1, "hPa": 0, "m/s": 1, "°": 0, "mm": 1, "m": 2,
    "m3/h": 0, "Pt-Co": 0, "µS/cm": 0, "NTU": 1, "MPN/100mL": 0,
    "AQI": 0, "count": 0, "limit": 6, "coordinate": 6,
}
"""The most decimals worth showing per canonical unit (the measuring instruments' resolution,
roughly): the canonical units of registry/data/parameters.json; and per kind of figure: an
index, a count, a limit (as its regulation or permit writes it, every decimal), a latitude or
longitude (six decimals: 0.1 m)."""

WHOLE = frozenset(("AQI", "count"))
"""Figures that are whole by nature: no significant digits added (an index of 0.5 reads 1)."""

MULTIPLE_DECIMALS = 2

_WORDS = {"vi": "lần", "en": "times"}


def language_of(language: str | None) -> str:
    """"en", "en-gb" → "en"; anything else is the site's language, Vietnamese."""
    return "en" if (language or "").lower().startswith("en") else "vi"


def decimals_for_unit(unit: str | None) -> int:
    if unit is None:
        return DEFAULT_DECIMALS
    return DECIMALS_BY_UNIT.get(unit, DEFAULT_DECIMALS)


def places(value: float, decimals: int = DEFAULT_DECIMALS, *, significant: int = SIGNIFICANT,
           against: float | None = None) -> int:
    """How many decimals `value` is shown with (before trailing zeros are dropped)."""
    if value == 0 or not math.isfinite(value):
        return 0
    count = min(MAX_DECIMALS, max(decimals, significant - 1 - math.floor(math.log10(abs(value)))))
    if against is not None and value != against:
        while count < MAX_DECIMALS and _crosses(value, _round(value, count), against):
            count += 1
    return max(count, 0)


def _crosses(value: float, shown: Decimal, against: float) -> bool:
    limit = Decimal(repr(float(against)))
    return shown <= limit if value > against else shown >= limit


def _round(value: float, count: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-count), rounding=ROUND_HALF_UP)


def rounded(value: float | None, *, decimals: int | None = None, unit: str | None = None,
            significant: int = SIGNIFICANT, against: float | None = None) -> float | None:
    """The value as it is shown (for a spreadsheet cell: a number, rounded like the page)."""
    if value is None or not math.isfinite(value):
        return value
    if decimals is None:
        decimals = decimals_for_unit(unit)
    if unit in WHOLE:
        significant = 0
    return float(_round(value, places(value, decimals, significant=significant,
                                      against=against)))


def format_number(value: float | int | None, language: str | None = "vi", *,
                  decimals: int | None = None, unit: str | None = None,
                  significant: int = SIGNIFICANT, against: float | None = None) -> str:
    """`value` written for a reader of `language`: "1.234,5" (vi), "1,234.5" (en). `decimals`
    (else the `unit`'s, else two) is the most shown, `significant` the fewest significant
    digits, `against` a limit the figure must not appear to meet when the value does not."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "—" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        if decimals is None:
            decimals = decimals_for_unit(unit)
        if unit in WHOLE:
            significant = 0
        value = float(value)
        count = places(value, decimals, significant=significant, against=against)
        text = f"{_round(value, count):,.{count}f}"
        if count:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", "-0.0"):
            text = "0"
    if language_of(language) == "vi":
        text = text.translate(_SWAP)
    return text


_SWAP = str.maketrans({",": ".", ".": ","})


def format_multiple(ratio: float | None, language: str | None = "vi") -> str:
    """A multiple of a limit: "1,73 lần" (vi), "1.73 times" (en); above 1 never reads "1"."""
    if ratio is None:
        return "—"
    figure = format_number(ratio, language, decimals=MULTIPLE_DECIMALS, against=1.0)
    return f"{figure} {_WORDS[language_of(language)]}"


def excel_format(count: int) -> str:
    """Excel's number format for `count` decimals, thousands grouped: Excel shows it with the
    reader's own separators."""
    return "#,##0" + ("." + "0" * count if count > 0 else "")


def shown_places(value: float, decimals: int, significant: int = SIGNIFICANT) -> int:
    """The decimals a rounded value actually shows once trailing zeros are dropped."""
    count = places(value, decimals, significant=significant)
    while count > 0 and round(value, count - 1) == value:
        count -= 1
    return count
