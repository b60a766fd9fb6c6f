"""Field validators of the registry, with messages a Vietnamese user can act on."""

from __future__ import annotations

import math
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.vn import mst

from envhub.core import geo

# Parts of a TT10 file name are joined by "_", so a part may not contain one.
tt10_token = RegexValidator(
    r"^[A-Za-z0-9-]+$",
    _("Use only letters without diacritics, digits and '-'; '_' separates the file-name parts."),
)


_TAX_CODE_SHAPE = re.compile(r"^[0-9]{10}(?:[0-9]{3})?$", re.ASCII)


tt10_prefix = RegexValidator(
    r"^[A-Za-z0-9-]+_[A-Za-z0-9-]+_[A-Za-z0-9-]+_?$",
    _("A prefix has three parts joined by '_': Province_Facility_Station_, e.g. HN_ABCD_NUO001_."),
)


def compact_tax_code(value: str) -> str:
    """Digits only: `0100109106-001` → `0100109106001`; full-width digits typed through an
    input method become ASCII."""
    return mst.compact(unicodedata.normalize("NFKC", value or ""))


def format_tax_code(value: str) -> str:
    digits = compact_tax_code(value)
    return f"{digits[:10]}-{digits[10:]}" if len(digits) == 13 else digits


def tax_code(value: str) -> None:
    """An enterprise tax code (mã số thuế): 10 digits, or 13 for a branch, and a valid check
    digit."""
    digits = compact_tax_code(value or "")
    if not _TAX_CODE_SHAPE.match(digits):
        raise ValidationError(
            _("A tax code has 10 digits, or 13 for a branch (e.g. 0100109106 or 0100109106-001)."),
            code="tax_code_length",
        )
    try:
        mst.validate(digits)
    except StdnumError:
        raise ValidationError(
            _("This tax code's check digit is wrong; check it against the business registration."),
            code="tax_code_checksum",
        ) from None


def coordinate_errors(latitude: float | None, longitude: float | None) -> dict:
    """Errors for a latitude/longitude pair: both or neither, numeric, inside Viet Nam."""
    if latitude is None and longitude is None:
        return {}
    if latitude is None or longitude is None:
        return {"latitude": _("Give both latitude and longitude, or neither.")}
    if not (isinstance(latitude, (int, float)) and isinstance(longitude, (int, float))):
        return {"latitude": _("Latitude and longitude must be numbers.")}
    if math.isnan(latitude) or math.isnan(longitude):
        return {"latitude": _("Latitude and longitude must be numbers.")}
    problem = geo.check_point(latitude, longitude)
    if problem == "out_of_range":
        return {"latitude": _("Latitude runs from -90 to 90 and longitude from -180 to 180.")}
    if problem == "outside_vietnam":
        return {
            "latitude": _(
                "This point lies outside Viet Nam (latitude %(lat)s, longitude %(lon)s); "
                "check that latitude and longitude are not swapped."
            )
            % {"lat": latitude, "lon": longitude}
        }
    if problem:
        return {"latitude": _("Latitude and longitude must be numbers.")}
    return {}
