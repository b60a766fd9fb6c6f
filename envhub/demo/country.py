"""The demo country: a believable, fictional set of organisations, facilities (cơ sở), sources
(nguồn thải) and monitoring stations (trạm quan trắc) spread over real provinces.

Everything is drawn from one `random.Random(seed)`, in a fixed order over the tables below, so
the same seed gives the same country on any machine and database (no dependence on database ids,
set order or the clock). Facility and enterprise names are composed from syllables and do not name
real companies; provinces, wards and regulations are the real reference data.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from stdnum.vn import mst

from envhub.compliance.models import Regulation
from envhub.core import geo
from envhub.core.permissions import Actor
from envhub.core.text import fold
from envhub.registry import services as registry
from envhub.registry import validators
from envhub.registry.models import (
    Facility,
    Organisation,
    OrganisationKind,
    Province,
    Sector,
    Source,
    SourceKind,
    Station,
    StationKind,
    Ward,
)

DEFAULT_SEED = 2026


class DemoError(Exception):
    """The demo cannot be built (e.g. the reference data is missing)."""


# --- organisations of the state ----------------------------------------------------------------

MINISTRY = "Bộ Nông nghiệp và Môi trường"
ENVIRONMENT_DEPARTMENT = "Cục Môi trường"
POLLUTION_CONTROL = "Cục Kiểm soát ô nhiễm môi trường"
NORTH_MONITORING_CENTRE = "Trung tâm Quan trắc môi trường miền Bắc"
SOUTH_MONITORING_CENTRE = "Trung tâm Quan trắc môi trường miền Nam"
# The organisation that runs this system; its presence marks the demo as built.
DATA_CENTRE = "Trung tâm Thông tin và Dữ liệu môi trường"

# (name, short name, parent name); parents come first.
MINISTRY_UNITS = (
    (MINISTRY, "BNNMT", None),
    (ENVIRONMENT_DEPARTMENT, "CMT", MINISTRY),
    (POLLUTION_CONTROL, "CKSONMT", ENVIRONMENT_DEPARTMENT),
    (NORTH_MONITORING_CENTRE, "TTQTMB", ENVIRONMENT_DEPARTMENT),
    (SOUTH_MONITORING_CENTRE, "TTQTMN", ENVIRONMENT_DEPARTMENT),
    (DATA_CENTRE, "TTTTDLMT", ENVIRONMENT_DEPARTMENT),
)

# Fictional survey units (đơn vị điều tra): (name, short name, province code).
SURVEY_UNITS = (
    ("Viện Khoa học Môi trường Trường Sơn", "VKHMT-TS", "01"),
    ("Viện Kỹ thuật Môi trường Duyên hải Bắc Bộ", "VKTMT-DH", "31"),
    ("Trung tâm Phân tích và Quan trắc Môi trường Cửu Long", "TTPT-CL", "92"),
    ("Viện Sinh thái và Công nghệ Môi trường Nam Trung Bộ", "VST-NTB", "56"),
)

PROVINCIAL_DEPARTMENT_PREFIX = "Sở Nông nghiệp và Môi trường"
HO_CHI_MINH_CITY = "79"

# --- geography ---------------------------------------------------------------------------------

# Approximate centre of each province's industrial area and a radius in degrees of latitude
# (post-2025 provinces, so e.g. Bắc Ninh includes Bắc Giang and TP HCM includes Bình Dương).
# Every point drawn inside passes geo.check_point (tests/demo check many draws).
PROVINCE_AREAS = (
    ("01", 21.02, 105.80, 0.12),  # Hà Nội
    ("19", 21.60, 105.84, 0.10),  # Thái Nguyên
    ("22", 21.03, 107.12, 0.10),  # Quảng Ninh: Hạ Long, Cẩm Phả
    ("24", 21.20, 106.10, 0.10),  # Bắc Ninh
    ("25", 21.32, 105.35, 0.12),  # Phú Thọ: Việt Trì, Lâm Thao
    ("31", 20.88, 106.55, 0.14),  # Hải Phòng
    ("33", 20.70, 106.10, 0.12),  # Hưng Yên
    ("37", 20.25, 105.97, 0.12),  # Ninh Bình
    ("38", 19.80, 105.70, 0.15),  # Thanh Hóa
    ("40", 18.95, 105.50, 0.15),  # Nghệ An
    ("42", 18.28, 105.98, 0.12),  # Hà Tĩnh
    ("48", 15.95, 108.20, 0.12),  # Đà Nẵng
    ("51", 15.15, 108.75, 0.12),  # Quảng Ngãi
    ("56", 12.25, 109.10, 0.10),  # Khánh Hòa
    ("68", 11.80, 108.10, 0.20),  # Lâm Đồng
    ("75", 10.95, 106.92, 0.12),  # Đồng Nai
    ("79", 10.82, 106.65, 0.12),  # TP Hồ Chí Minh
    ("80", 11.20, 106.15, 0.12),  # Tây Ninh
    ("91", 10.40, 105.30, 0.12),  # An Giang
    ("92", 10.02, 105.72, 0.10),  # Cần Thơ
    ("96", 9.15, 105.15, 0.10),  # Cà Mau
)

# First two digits of an enterprise tax code: the tax department that registered it (historical
# MST province prefixes, which differ from the administrative codes).
TAX_CODE_PREFIXES = (
    ("01", "01"), ("19", "46"), ("22", "57"), ("24", "23"), ("25", "26"), ("31", "02"),
    ("33", "09"), ("37", "27"), ("38", "28"), ("40", "29"), ("42", "30"), ("48", "04"),
    ("51", "43"), ("56", "42"), ("68", "58"), ("75", "36"), ("79", "03"), ("80", "39"),
    ("91", "16"), ("92", "18"), ("96", "20"),
)
# Serial numbers high in the 7-digit range, which tax offices have not reached, so that the
# demo codes are unlikely to belong to a real business.
TAX_SERIAL_BASE = 9_700_000

# --- facility types ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceTemplate:
    kind: str
    name: str
    flow_m3h: tuple[float, float]
    height_m: tuple[float, float] | None = None
    diameter_m: tuple[float, float] | None = None
    fuels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FacilityType:
    key: str
    sector: str
    facility_name: str  # with {brand}
    enterprise_name: str  # with {brand}
    abbreviation_prefix: str
    # Large installations get their permit from the ministry, the others from the province.
    ministry_permit: bool
    sources: tuple[SourceTemplate, ...]  # the first is always built


def _stack(name, height, diameter, flow, *fuels):
    return SourceTemplate(SourceKind.STACK, name, flow, height, diameter, fuels)


def _outfall(name, flow):
    return SourceTemplate(SourceKind.OUTFALL, name, flow)


COAL = "Than cám"
FUEL_OIL = "Dầu FO"
NATURAL_GAS = "Khí thiên nhiên"
BIOMASS = "Sinh khối (trấu, dăm gỗ)"
WASTE = "Chất thải rắn sinh hoạt"

TREATED_WASTEWATER = "Cửa xả nước thải sau hệ thống xử lý"

FACILITY_TYPES = (
    FacilityType(
        "coal_power", Sector.THERMAL_POWER, "Nhà máy Nhiệt điện {brand}",
        "Công ty Cổ phần Nhiệt điện {brand}", "ND", True,
        (
            _stack("Ống khói tổ máy số 1", (150, 200), (5.5, 8), (900_000, 2_400_000), COAL),
            _stack("Ống khói tổ máy số 2", (150, 200), (5.5, 8), (900_000, 2_400_000), COAL),
            _outfall("Cửa xả nước thải sản xuất", (150, 900)),
        ),
    ),
    FacilityType(
        "gas_power", Sector.THERMAL_POWER, "Nhà máy Điện khí {brand}",
        "Công ty Điện lực Dầu khí {brand}", "DK", True,
        (
            _stack("Ống khói tuabin khí số 1", (40, 70), (5, 7), (1_200_000, 2_400_000),
                   NATURAL_GAS),
            _stack("Ống khói tuabin khí số 2", (40, 70), (5, 7), (1_200_000, 2_400_000),
                   NATURAL_GAS),
            _outfall("Cửa xả nước thải sản xuất", (50, 300)),
        ),
    ),
    FacilityType(
        "cement", Sector.CEMENT, "Nhà máy Xi măng {brand}", "Công ty Cổ phần Xi măng {brand}",
        "XM", True,
        (
            _stack("Ống khói lò nung clinker", (80, 120), (3.5, 5.5), (300_000, 700_000), COAL),
            _stack("Ống khói máy nghiền than", (30, 45), (1.2, 2.0), (40_000, 100_000), COAL),
            _stack("Ống khói máy làm nguội clinker", (35, 60), (2.0, 3.5), (150_000, 350_000)),
        ),
    ),
    FacilityType(
        "steel", Sector.STEEL, "Nhà máy Gang thép {brand}", "Công ty Cổ phần Thép {brand}",
        "GT", True,
        (
            _stack("Ống khói lò cao", (60, 110), (3, 6), (300_000, 900_000), "Than cốc"),
            _stack("Ống khói máy thiêu kết", (80, 120), (4, 6.5), (500_000, 1_200_000),
                   "Than cốc"),
            _outfall(TREATED_WASTEWATER, (100, 800)),
        ),
    ),
    FacilityType(
        "fertiliser", Sector.CHEMICALS, "Nhà máy Phân bón {brand}",
        "Công ty Cổ phần Phân bón và Hóa chất {brand}", "PB", True,
        (
            _stack("Ống khói lò hơi", (50, 80), (2, 3.5), (80_000, 250_000), COAL, NATURAL_GAS),
            _outfall(TREATED_WASTEWATER, (100, 600)),
            _stack("Ống thải tháp tạo hạt", (60, 90), (3, 5), (200_000, 500_000)),
        ),
    ),
    FacilityType(
        "chemicals", Sector.CHEMICALS, "Nhà máy Hóa chất {brand}",
        "Công ty Cổ phần Hóa chất {brand}", "HC", False,
        (
            _stack("Ống khói lò hơi", (30, 60), (1.2, 2.5), (20_000, 100_000), COAL, FUEL_OIL),
            _outfall(TREATED_WASTEWATER, (50, 400)),
            _stack("Ống thải tháp hấp thụ", (25, 45), (0.8, 1.5), (10_000, 40_000)),
        ),
    ),
    FacilityType(
        "paper", Sector.PULP_PAPER, "Nhà máy Giấy {brand}", "Công ty Cổ phần Giấy {brand}",
        "GI", False,
        (
            _outfall(TREATED_WASTEWATER, (300, 1500)),
            _stack("Ống khói lò hơi", (40, 80), (1.5, 3.5), (40_000, 200_000), BIOMASS, COAL),
            _stack("Ống khói lò thu hồi hóa chất", (60, 90), (2.5, 4), (100_000, 300_000),
                   "Dịch đen"),
        ),
    ),
    FacilityType(
        "textile", Sector.TEXTILES, "Nhà máy Dệt nhuộm {brand}", "Công ty TNHH Dệt may {brand}",
        "DN", False,
        (
            _outfall(TREATED_WASTEWATER, (50, 400)),
            _stack("Ống khói lò hơi", (20, 45), (0.8, 1.8), (8_000, 40_000), BIOMASS, COAL,
                   FUEL_OIL),
        ),
    ),
    FacilityType(
        "incinerator", Sector.WASTE_INCINERATION, "Nhà máy Đốt rác phát điện {brand}",
        "Công ty Cổ phần Môi trường {brand}", "DR", False,
        (
            _stack("Ống khói lò đốt số 1", (40, 70), (1.5, 3), (50_000, 180_000), WASTE),
            _stack("Ống khói lò đốt số 2", (40, 70), (1.5, 3), (50_000, 180_000), WASTE),
            _outfall("Cửa xả nước rỉ rác sau xử lý", (20, 60)),
        ),
    ),
    FacilityType(
        "industrial_park", Sector.INDUSTRIAL_PARK, "Khu công nghiệp {brand}",
        "Công ty Cổ phần Phát triển Hạ tầng Khu công nghiệp {brand}", "KCN", True,
        (
            _outfall("Cửa xả trạm xử lý nước thải tập trung", (400, 3000)),
            _outfall("Cửa xả trạm xử lý nước thải tập trung số 2", (300, 2000)),
        ),
    ),
    FacilityType(
        "seafood", Sector.OTHER, "Nhà máy Chế biến thủy sản {brand}",
        "Công ty Cổ phần Thủy sản {brand}", "TS", False,
        (
            _outfall("Cửa xả nước thải chế biến", (50, 400)),
            _stack("Ống khói lò hơi", (20, 35), (0.8, 1.2), (5_000, 20_000), BIOMASS, FUEL_OIL),
        ),
    ),
    FacilityType(
        "sugar", Sector.OTHER, "Nhà máy Đường {brand}", "Công ty Cổ phần Mía đường {brand}",
        "DG", False,
        (
            _outfall(TREATED_WASTEWATER, (80, 500)),
            _stack("Ống khói lò hơi", (35, 60), (1.5, 3), (40_000, 150_000), "Bã mía"),
        ),
    ),
    FacilityType(
        "coffee", Sector.OTHER, "Nhà máy Chế biến cà phê {brand}",
        "Công ty TNHH Cà phê {brand}", "CP", False,
        (
            _outfall("Cửa xả nước thải chế biến ướt", (20, 150)),
            _stack("Ống khói lò sấy", (20, 30), (0.8, 1.2), (5_000, 20_000),
                   "Sinh khối (vỏ cà phê)"),
        ),
    ),
    FacilityType(
        "brewery", Sector.OTHER, "Nhà máy Bia {brand}", "Công ty Cổ phần Bia {brand}", "BIA",
        False,
        (
            _outfall(TREATED_WASTEWATER, (80, 400)),
            _stack("Ống khói lò hơi", (25, 40), (1, 1.8), (10_000, 40_000), FUEL_OIL,
                   NATURAL_GAS),
        ),
    ),
)
FACILITY_TYPES_BY_KEY = {facility_type.key: facility_type for facility_type in FACILITY_TYPES}

# Where each kind of facility is: (province code, facility type, how many). Sixty in all, with
# the mixes each region is known for (coal power by the Quảng Ninh coalfield, cement on the
# limestone of Ninh Bình and Thanh Hóa, steel at the deep-water ports, parks around the cities).
FACILITY_PLAN = (
    ("22", "coal_power", 3), ("42", "coal_power", 1), ("31", "coal_power", 1),
    ("38", "coal_power", 1), ("96", "gas_power", 1),
    ("37", "cement", 2), ("38", "cement", 2), ("31", "cement", 1), ("22", "cement", 1),
    ("40", "cement", 1), ("91", "cement", 1),
    ("42", "steel", 1), ("51", "steel", 1), ("31", "steel", 1), ("19", "steel", 1),
    ("79", "steel", 1), ("48", "steel", 1),
    ("25", "fertiliser", 1), ("96", "fertiliser", 1), ("25", "chemicals", 1),
    ("31", "chemicals", 1), ("75", "chemicals", 1), ("79", "chemicals", 1),
    ("25", "paper", 1), ("24", "paper", 1), ("75", "paper", 1), ("38", "paper", 1),
    ("33", "textile", 2), ("37", "textile", 1), ("79", "textile", 1), ("75", "textile", 1),
    ("80", "textile", 1),
    ("01", "incinerator", 1), ("79", "incinerator", 1), ("48", "incinerator", 1),
    ("92", "incinerator", 1), ("24", "incinerator", 1),
    ("01", "industrial_park", 2), ("24", "industrial_park", 2), ("75", "industrial_park", 2),
    ("79", "industrial_park", 1), ("31", "industrial_park", 1), ("33", "industrial_park", 1),
    ("80", "industrial_park", 1),
    ("92", "seafood", 1), ("91", "seafood", 1), ("56", "seafood", 1), ("56", "sugar", 1),
    ("40", "sugar", 1), ("68", "coffee", 2), ("01", "brewery", 1),
)
# Every facility gets its first source; this many more are spread over them at random.
TOTAL_SOURCES = 90
# An enterprise runs one to three facilities of a type (weights for 1, 2, 3).
FACILITIES_PER_ENTERPRISE = ((1, 6), (2, 3), (3, 1))
INACTIVE_SOURCE_STATIONS = 2

# Brand names are two syllables, one from each list.
BRAND_FIRST = (
    "An", "Bảo", "Cát", "Đại", "Đông", "Gia", "Hải", "Hoàng", "Hưng", "Khánh", "Kim", "Lạc",
    "Lam", "Minh", "Ngọc", "Nhật", "Phúc", "Quang", "Sơn", "Tân", "Thiên", "Thịnh", "Trường",
    "Tường", "Uy", "Vạn", "Xuân", "Yên",
)
BRAND_SECOND = (
    "Bình", "Châu", "Dương", "Điền", "Hà", "Hòa", "Khang", "Lâm", "Lộc", "Long", "Mỹ", "Nguyên",
    "Phát", "Phong", "Quý", "Sinh", "Tài", "Thạch", "Thái", "Tiến", "Trung", "Vinh", "Vượng",
    "Xương",
)
# Combinations that are (or sound like) well-known real enterprises: never used.
REAL_BRANDS = frozenset({
    "Hòa Phát", "Hoa Sen", "Long Sơn", "Phú Mỹ", "Vĩnh Tân", "Nghi Sơn", "Bỉm Sơn",
    "Hoàng Thạch", "Tam Điệp", "Bút Sơn", "Hà Tiên", "Thành Công", "Việt Tiến", "Phong Phú",
    "Bãi Bằng", "An Phát", "Đông Á", "Tân Long", "Minh Phát", "Hưng Thịnh", "Kim Tín",
    "Gia Lai", "Đại Dương", "Đông Hòa", "Xuân Hòa", "Tân Mỹ", "Hải Hà", "Hải Dương", "Yên Bình",
    "Sơn Hà", "An Bình", "Tân Bình", "Hưng Long", "Quang Trung", "Đông Bình", "Minh Long",
})

# The part of an address before the ward, by kind of ward: villages (thôn) are in communes (xã),
# residential groups (tổ dân phố) in urban wards (phường).
ADDRESS_PATTERNS = (
    ("xã", "Thôn {village}"),
    ("xã", "Km {km}, Đường tỉnh {road}"),
    ("xã", "Lô {letter}{n}, Cụm công nghiệp {village}"),
    ("phường", "Tổ dân phố số {n}"),
    ("phường", "Số {number}, đường số {n}"),
    ("phường", "Lô {letter}{n}, Cụm công nghiệp {village}"),
)
VILLAGES = ("Đông Lĩnh", "Hạ Trạch", "Thượng Phúc", "Trung Hậu", "Tân Lập", "Phú Lợi",
            "An Lạc", "Bình Sơn", "Đồng Tâm", "Hòa Lạc Hạ", "Kim Lũy", "Vân Nham")
# Island special zones (đặc khu) would not match a point drawn on the mainland.
FACILITY_WARD_TYPES = ("xã", "phường")

PERMIT_FIRST_DAY = datetime.date(2022, 1, 1)
PERMIT_LAST_DAY = datetime.date(2026, 10, 31)
# The Ministry of Natural Resources and Environment (BTNMT) became part of the Ministry of
# Agriculture and Environment (BNNMT) on 1 March 2025.
MINISTRY_RENAMED = datetime.date(2025, 3, 1)
# Permits from these dates onwards are judged by the new regulations.
NEW_EMISSION_REGULATION_FROM = datetime.date(2025, 7, 1)
NEW_WASTEWATER_REGULATION_FROM = datetime.date(2025, 9, 1)

STACK_REGULATION_BY_SECTOR = (
    (Sector.THERMAL_POWER, "QCVN 22:2009/BTNMT"),
    (Sector.CEMENT, "QCVN 23:2009/BTNMT"),
    (Sector.STEEL, "QCVN 51:2017/BTNMT"),
)
GENERAL_STACK_REGULATION = "QCVN 19:2009/BTNMT"
NEW_STACK_REGULATION = "QCVN 19:2024/BTNMT"
WASTEWATER_REGULATION = "QCVN 40:2011/BTNMT"
NEW_WASTEWATER_REGULATION = "QCVN 40:2025/BTNMT"

# --- ambient stations ------------------------------------------------------------------------

NORTH, SOUTH, DEPARTMENT = "north", "south", "department"

# (province code, place, latitude, longitude, operator): 15 automatic air stations in cities.
AMBIENT_AIR_STATIONS = (
    ("01", "Thành Công", 21.0190, 105.8150, DEPARTMENT),
    ("01", "Hoàn Kiếm", 21.0285, 105.8520, NORTH),
    ("01", "Cầu Giấy", 21.0360, 105.7900, DEPARTMENT),
    ("01", "Hà Đông", 20.9710, 105.7770, DEPARTMENT),
    ("79", "Bến Thành", 10.7720, 106.6980, SOUTH),
    ("79", "Tân Sơn Hòa", 10.7970, 106.6680, DEPARTMENT),
    ("79", "Thủ Đức", 10.8500, 106.7720, DEPARTMENT),
    ("31", "Lê Chân", 20.8460, 106.6760, DEPARTMENT),
    ("48", "Hải Châu", 16.0600, 108.2170, DEPARTMENT),
    ("92", "Ninh Kiều", 10.0340, 105.7720, DEPARTMENT),
    ("22", "Hạ Long", 20.9550, 107.0750, DEPARTMENT),
    ("19", "Phan Đình Phùng", 21.5940, 105.8460, NORTH),
    ("24", "Kinh Bắc", 21.1860, 106.0690, DEPARTMENT),
    ("56", "Nha Trang", 12.2430, 109.1880, DEPARTMENT),
    ("75", "Trấn Biên", 10.9470, 106.8240, SOUTH),
)
# (province code, river, place, latitude, longitude, operator): automatic surface water.
SURFACE_WATER_STATIONS = (
    ("01", "sông Hồng", "Long Biên", 21.0460, 105.8620, NORTH),
    ("75", "sông Đồng Nai", "Biên Hòa", 10.9400, 106.8350, SOUTH),
    ("19", "sông Cầu", "Thái Nguyên", 21.5850, 105.8600, NORTH),
)
EXPECTED_INTERVAL_MINUTES = 5


# --- the report --------------------------------------------------------------------------------


@dataclass
class CountryReport:
    """What `build_country` did: nothing when the demo was already there."""

    seed: int
    created: bool
    organisations: dict[str, int] = field(default_factory=dict)  # by kind
    facilities: int = 0
    provinces: int = 0
    sectors: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)  # by kind
    stations: dict[str, int] = field(default_factory=dict)  # by kind
    inactive_stations: int = 0


@dataclass
class RegistrySummary:
    """What the registry holds now (demo or not), for the command's summary."""

    facilities: int
    provinces: int
    sources: dict[str, int]
    stations: dict[str, int]
    organisations: dict[str, int]


def demo_exists() -> bool:
    return Organisation.objects.filter(
        name=DATA_CENTRE, kind=OrganisationKind.MINISTRY_UNIT
    ).exists()


def registry_summary() -> RegistrySummary:
    def by(qs, column):
        rows = qs.values_list(column).annotate(n=Count("id")).order_by(column)
        return {key: n for key, n in rows}

    return RegistrySummary(
        facilities=Facility.objects.count(),
        provinces=Facility.objects.values("province_id").distinct().count(),
        sources=by(Source.objects.all(), "kind"),
        stations=by(Station.objects.all(), "kind"),
        organisations=by(Organisation.objects.all(), "kind"),
    )


# --- building ----------------------------------------------------------------------------------


def build_country(actor: Actor, seed: int = DEFAULT_SEED) -> CountryReport:
    """Create the demo country in one transaction, or do nothing if it is already there."""
    with transaction.atomic():
        if demo_exists():
            return CountryReport(seed=seed, created=False)
        return _CountryBuilder(actor, seed).build()


def department_suffix(province: Province) -> str:
    """`Hà Nội`, `Đồng Nai`, but `Thành phố Hồ Chí Minh`: the short name alone is a person's."""
    return province.name if province.code == HO_CHI_MINH_CITY else province.short_name


def place_name(province: Province) -> str:
    return "TP. Hồ Chí Minh" if province.code == HO_CHI_MINH_CITY else province.short_name


def tax_code(prefix: str, serial: int) -> str | None:
    """A 10-digit MST from a 2-digit prefix and a 7-digit serial; None when the serial has no
    valid check digit (the weighted sum ≡ 0 mod 11 would need a check digit of 10)."""
    first_nine = f"{prefix}{serial:07d}"
    check = mst.calc_check_digit(first_nine)
    return first_nine + check if len(check) == 1 else None


def jitter(rng: random.Random, lat: float, lon: float, radius: float) -> tuple[float, float]:
    """A point uniformly inside a circle of `radius` degrees (of latitude) around a centre."""
    angle = rng.uniform(0, 2 * math.pi)
    distance = radius * math.sqrt(rng.random())
    return (
        round(lat + distance * math.sin(angle), 6),
        round(lon + distance * math.cos(angle) / math.cos(math.radians(lat)), 6),
    )


class _CountryBuilder:
    def __init__(self, actor: Actor, seed: int):
        self.actor = actor
        self.seed = seed
        self.rng = random.Random(seed)
        self.report = CountryReport(seed=seed, created=True)
        self.provinces = {province.code: province for province in Province.objects.all()}
        self.regulations = {regulation.code: regulation for regulation in Regulation.objects.all()}
        self.areas = {code: (lat, lon, radius) for code, lat, lon, radius in PROVINCE_AREAS}
        self.tax_prefixes = dict(TAX_CODE_PREFIXES)
        self.organisations: dict[str, Organisation] = {}
        self.departments: dict[str, Organisation] = {}
        self.used_brands: set[str] = set()
        self.used_abbreviations: set[str] = set()
        self.next_tax_serial = TAX_SERIAL_BASE + self.rng.randrange(100_000)
        self._check_reference_data()

    def _check_reference_data(self) -> None:
        needed = {code for code, _, _ in FACILITY_PLAN}
        needed |= {row[0] for row in AMBIENT_AIR_STATIONS + SURFACE_WATER_STATIONS}
        missing = sorted(needed - set(self.provinces))
        regulation_codes = {code for _, code in STACK_REGULATION_BY_SECTOR} | {
            GENERAL_STACK_REGULATION, NEW_STACK_REGULATION, WASTEWATER_REGULATION,
            NEW_WASTEWATER_REGULATION,
        }
        missing_regulations = sorted(regulation_codes - set(self.regulations))
        if missing or missing_regulations:
            raise DemoError(
                f"The reference data is missing (provinces {', '.join(missing) or '-'}; "
                f"regulations {', '.join(missing_regulations) or '-'}). "
                "Run `envhub reference` first."
            )

    # -- writing, with counts

    def save(self, obj):
        registry.save(self.actor, obj)

        def count(tally: dict[str, int], key) -> None:
            tally[str(key)] = tally.get(str(key), 0) + 1

        if isinstance(obj, Organisation):
            count(self.report.organisations, obj.kind)
        elif isinstance(obj, Facility):
            self.report.facilities += 1
            count(self.report.sectors, obj.sector)
        elif isinstance(obj, Source):
            count(self.report.sources, obj.kind)
        elif isinstance(obj, Station):
            count(self.report.stations, obj.kind)
            self.report.inactive_stations += 0 if obj.active else 1
        return obj

    def build(self) -> CountryReport:
        self.build_state_organisations()
        facilities = self.build_facilities()
        self.build_sources_and_stations(facilities)
        self.build_ambient_stations()
        self.report.provinces = len({facility.province_id for facility, _ in facilities})
        return self.report

    # -- organisations

    def build_state_organisations(self) -> None:
        for name, short_name, parent in MINISTRY_UNITS:
            self.organisations[name] = self.save(Organisation(
                name=name, short_name=short_name, kind=OrganisationKind.MINISTRY_UNIT,
                parent=self.organisations[parent] if parent else None,
            ))
        used = sorted(
            {code for code, _, _ in FACILITY_PLAN}
            | {row[0] for row in AMBIENT_AIR_STATIONS + SURFACE_WATER_STATIONS}
        )
        for code in used:
            province = self.provinces[code]
            # A department answers to its provincial People's Committee, not to the ministry,
            # so it has no parent here.
            self.departments[code] = self.save(Organisation(
                name=f"{PROVINCIAL_DEPARTMENT_PREFIX} {department_suffix(province)}",
                short_name=f"SNNMT-{province.abbreviation}",
                kind=OrganisationKind.PROVINCIAL_DEPARTMENT,
                province=province,
            ))
        for name, short_name, code in SURVEY_UNITS:
            self.save(Organisation(
                name=name, short_name=short_name, kind=OrganisationKind.SURVEY_UNIT,
                province=self.provinces[code],
            ))

    def new_brand(self) -> str:
        while True:
            brand = f"{self.rng.choice(BRAND_FIRST)} {self.rng.choice(BRAND_SECOND)}"
            if brand not in REAL_BRANDS and brand not in self.used_brands:
                self.used_brands.add(brand)
                return brand

    def new_tax_code(self, province_code: str) -> str:
        while True:
            serial = self.next_tax_serial
            self.next_tax_serial += 1
            code = tax_code(self.tax_prefixes[province_code], serial)
            if code is not None:
                validators.tax_code(code)  # the registry's own check, to fail here if wrong
                return code

    def new_abbreviation(self, prefix: str, brand: str, number: int) -> str:
        words = fold(brand).upper().split()
        suffix = str(number) if number > 1 else ""
        candidates = [
            prefix + "".join(word[0] for word in words) + suffix,
            prefix + "".join(word[:2] for word in words) + suffix,
            prefix + "".join(words) + suffix,
        ]
        for candidate in candidates:
            if candidate not in self.used_abbreviations:
                self.used_abbreviations.add(candidate)
                return candidate
        raise AssertionError(f"no free abbreviation for {brand}")  # brands are unique

    # -- facilities

    def facility_groups(self) -> list[tuple[FacilityType, list[str]]]:
        """The plan as (type, province codes of one enterprise's facilities), in plan order."""
        groups = []
        for facility_type in FACILITY_TYPES:
            slots = [code for code, key, count in FACILITY_PLAN if key == facility_type.key
                     for _ in range(count)]
            sizes, weights = zip(*FACILITIES_PER_ENTERPRISE, strict=True)
            while slots:
                size = min(self.rng.choices(sizes, weights)[0], len(slots))
                groups.append((facility_type, slots[:size]))
                slots = slots[size:]
        return groups

    def build_facilities(self) -> list[tuple[Facility, FacilityType]]:
        wards_by_province: dict[str, list[Ward]] = {}
        facilities = []
        for facility_type, province_codes in self.facility_groups():
            brand = self.new_brand()
            head_office = province_codes[0]
            enterprise = self.save(Organisation(
                name=facility_type.enterprise_name.format(brand=brand),
                short_name=brand,
                kind=OrganisationKind.ENTERPRISE,
                province=self.provinces[head_office],
                tax_code=self.new_tax_code(head_office),
            ))
            for number, code in enumerate(province_codes, start=1):
                if code not in wards_by_province:
                    wards_by_province[code] = list(Ward.objects.filter(
                        province__code=code, division_type__in=FACILITY_WARD_TYPES
                    ).order_by("code"))
                facility = self.build_facility(
                    facility_type, brand, number, enterprise, self.provinces[code],
                    wards_by_province[code],
                )
                facilities.append((facility, facility_type))
        return facilities

    def build_facility(self, facility_type, brand, number, enterprise, province, wards):
        rng = self.rng
        name = facility_type.facility_name.format(brand=brand)
        if number > 1:
            name = f"{name} {number}"
        # The enterprise's first facility carries its code; the others are branches (13 digits).
        tax = enterprise.tax_code if number == 1 else f"{enterprise.tax_code}{number - 1:03d}"
        ward = rng.choice(wards)
        patterns = [pattern for ward_type, pattern in ADDRESS_PATTERNS
                    if ward_type == ward.division_type]
        street = rng.choice(patterns).format(
            village=rng.choice(VILLAGES), n=rng.randint(1, 30), letter=rng.choice("ABCDE"),
            km=rng.randint(2, 60), road=rng.randint(201, 999), number=rng.randint(1, 400),
        )
        latitude, longitude = self.point_in(province.code)
        permit_date = PERMIT_FIRST_DAY + datetime.timedelta(
            days=rng.randrange((PERMIT_LAST_DAY - PERMIT_FIRST_DAY).days + 1)
        )
        if facility_type.ministry_permit:
            issuer = "BNNMT" if permit_date >= MINISTRY_RENAMED else "BTNMT"
            permit_number = f"{rng.randint(1, 480)}/GPMT-{issuer}"
        else:
            permit_number = f"{rng.randint(1, 900)}/GPMT-UBND"
        facility = Facility(
            name=name,
            abbreviation=self.new_abbreviation(facility_type.abbreviation_prefix, brand, number),
            tax_code=tax,
            address=street,  # the ward and province are fields of their own
            province=province,
            ward=ward,
            latitude=latitude,
            longitude=longitude,
            sector=facility_type.sector,
            operator=enterprise,
            permit_number=permit_number,
            permit_date=permit_date,
        )
        return self.save(facility)

    def point_in(self, province_code: str, radius: float | None = None):
        lat, lon, area_radius = self.areas[province_code]
        for _ in range(100):
            point = jitter(self.rng, lat, lon, radius if radius is not None else area_radius)
            if geo.check_point(*point) is None:
                return point
        raise DemoError(f"No point inside Viet Nam found around province {province_code}.")

    # -- sources and their stations

    def build_sources_and_stations(self, facilities: list[tuple[Facility, FacilityType]]):
        # Each facility's first source, then the rest spread at random over those with room.
        planned = [[facility_type.sources[0]] for _, facility_type in facilities]
        for _ in range(TOTAL_SOURCES - len(facilities)):
            open_slots = [
                index for index, (_, facility_type) in enumerate(facilities)
                if len(planned[index]) < len(facility_type.sources)
            ]
            index = self.rng.choice(open_slots)
            planned[index].append(facilities[index][1].sources[len(planned[index])])

        stations = []
        for (facility, _), templates in zip(facilities, planned, strict=True):
            numbers = {SourceKind.STACK: 0, SourceKind.OUTFALL: 0}
            for template in templates:
                numbers[template.kind] += 1
                source = self.build_source(facility, template, numbers[template.kind])
                stations.append(self.source_station(facility, source, numbers[template.kind]))
        for index in self.rng.sample(range(len(stations)), INACTIVE_SOURCE_STATIONS):
            stations[index].active = False
        for station in stations:
            self.save(station)

    def regulation_for(self, facility: Facility, kind: str) -> Regulation:
        if kind == SourceKind.OUTFALL:
            new = facility.permit_date >= NEW_WASTEWATER_REGULATION_FROM
            return self.regulations[NEW_WASTEWATER_REGULATION if new else WASTEWATER_REGULATION]
        if facility.permit_date >= NEW_EMISSION_REGULATION_FROM:
            return self.regulations[NEW_STACK_REGULATION]
        code = dict(STACK_REGULATION_BY_SECTOR).get(facility.sector, GENERAL_STACK_REGULATION)
        return self.regulations[code]

    def build_source(self, facility, template: SourceTemplate, number: int) -> Source:
        rng = self.rng
        is_stack = template.kind == SourceKind.STACK
        low, high = template.flow_m3h
        # Round to what a design document would state.
        step = 1000 if high > 50_000 else (100 if high > 5_000 else 5)
        flow = round(rng.uniform(low, high) / step) * step
        # A few tens of metres from the facility's reference point.
        lat, lon = facility.latitude, facility.longitude
        for _ in range(100):
            point = jitter(rng, lat, lon, 0.002)
            if geo.check_point(*point) is None:
                break
        else:
            point = (lat, lon)
        return self.save(Source(
            facility=facility,
            kind=template.kind,
            code=f"{'OK' if is_stack else 'CX'}{number}",
            name=template.name,
            stack_height_m=round(rng.uniform(*template.height_m)) if is_stack else None,
            stack_diameter_m=round(rng.uniform(*template.diameter_m), 1) if is_stack else None,
            design_flow_m3h=float(flow),
            fuel=rng.choice(template.fuels) if template.fuels else "",
            regulation=self.regulation_for(facility, template.kind),
            latitude=point[0],
            longitude=point[1],
        ))

    def source_station(self, facility, source: Source, number: int) -> Station:
        if source.kind == SourceKind.STACK:
            kind, code, name = (StationKind.AUTO_EMISSION, f"{facility.abbreviation}KT{number}",
                                f"Trạm quan trắc khí thải tự động ống khói số {number}")
        else:
            kind, code, name = (StationKind.AUTO_WASTEWATER, f"{facility.abbreviation}NT{number}",
                                f"Trạm quan trắc nước thải tự động cửa xả số {number}")
        return Station(
            code=code, name=name, kind=kind, source=source, operator=facility.operator,
            expected_interval_minutes=EXPECTED_INTERVAL_MINUTES,
        )

    # -- ambient stations

    def ambient_operator(self, province_code: str, who: str) -> Organisation:
        if who == NORTH:
            return self.organisations[NORTH_MONITORING_CENTRE]
        if who == SOUTH:
            return self.organisations[SOUTH_MONITORING_CENTRE]
        return self.departments[province_code]

    def build_ambient_stations(self) -> None:
        per_province: dict[str, int] = {}
        for code, place, lat, lon, who in AMBIENT_AIR_STATIONS:
            province = self.provinces[code]
            per_province[code] = per_province.get(code, 0) + 1
            self.save(Station(
                code=f"KK{province.abbreviation}{per_province[code]:02d}",
                name=f"Trạm quan trắc không khí tự động {place} ({place_name(province)})",
                kind=StationKind.AUTO_AIR,
                province=province,
                operator=self.ambient_operator(code, who),
                latitude=lat,
                longitude=lon,
                expected_interval_minutes=EXPECTED_INTERVAL_MINUTES,
            ))
        per_province = {}
        for code, river, place, lat, lon, who in SURFACE_WATER_STATIONS:
            province = self.provinces[code]
            per_province[code] = per_province.get(code, 0) + 1
            self.save(Station(
                code=f"NM{province.abbreviation}{per_province[code]:02d}",
                name=f"Trạm quan trắc nước mặt tự động {river} ({place})",
                kind=StationKind.AUTO_SURFACE_WATER,
                province=province,
                operator=self.ambient_operator(code, who),
                latitude=lat,
                longitude=lon,
                expected_interval_minutes=EXPECTED_INTERVAL_MINUTES,
            ))
