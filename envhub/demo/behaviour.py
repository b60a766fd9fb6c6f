"""How the demo's dataloggers behave and what they measure: how often calibrations, errors,
outages, episodes and malformed lines happen; how each datalogger spells symbols and units; the
levels of each parameter by station kind, sector and kind of stack; the calibration spans.
`demo.tt10` draws the files from these figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from envhub.registry.models import Sector

# --- how often things happen ---------------------------------------------------------------------

CALIBRATING_SHARE = 0.5  # of stations, each with one window a day
CALIBRATION_TIMES = ((1, 0), (2, 30), (3, 0), (8, 0), (9, 30), (13, 30))  # local, fixed per station
CALIBRATION_FILES = (3, 4)  # 15 or 20 minutes
ERROR_DAY_PROBABILITY = 0.12  # a station-day with one device-error run
ERROR_RUN_FILES = (2, 18)  # 10 to 90 minutes
GAP_DAY_PROBABILITY = 0.06  # a station-day with an outage (no files at all)
GAP_FILES = (12, 48)  # 1 to 4 hours
MALFORMED_FILE_RATE = 1 / 400
MALFORMED_KINDS = ("bad_value", "wrong_field_count", "bad_time")
EPISODE_PRONE_SHARE = 0.25  # of stack and outfall stations
EPISODE_DAY_PROBABILITY = 0.3  # per day of a prone station
EPISODE_FILES = (24, 60)  # 2 to 5 hours above the limit
EPISODE_PEAK = (1.3, 1.9)  # × the reference limit
EPISODE_RAMP_FILES = 6  # half an hour up and down
EPISODE_MIN_SHARE = 0.1  # of the limit: the usual level of a parameter that can exceed it
# (at least this many stations, how many went offline a few hours before the end)
RECENTLY_OFFLINE = ((20, 2), (3, 1))
RECENT_OUTAGE_HOURS = (2.0, 6.0)
LATE_FROM_STATIONS = 5  # with this many stations, one is late
LATE_MISSING_FILES = (5, 9)  # 25 to 45 minutes: "late", not yet "offline"

# --- datalogger habits ---------------------------------------------------------------------------

DECIMAL_COMMA_SHARE = 0.2
CRLF_SHARE = 0.3
# (symbol, weight) per parameter code where loggers differ; the others write the code itself.
SYMBOL_SPELLINGS = {
    "PM2_5": (("PM2,5", 6), ("PM2.5", 3), ("PM25", 1)),
    "PM": (("PM", 4), ("Dust", 1)),
    "NOx": (("NOx", 3), ("NOX", 1)),
    "NH4": (("NH4", 3), ("NH4+", 1), ("N-NH4", 1)),
    "EC": (("EC", 3), ("Cond", 1)),
}
AIR_UNITS = (("µg/m3", 1), ("ug/m3", 1))
# mg/m3 for values at normal conditions: those stations declare it (`declares_normal_conditions`).
STACK_CONCENTRATION_UNITS = (("mg/Nm3", 3), ("mg/m3", 1))
TEMPERATURE_UNITS = (("oC", 2), ("°C", 1))
LITRE_UNITS = (("mg/L", 2), ("mg/l", 1))
PH_UNITS = (("pH", 2), ("", 1), ("-", 1))
CONDUCTIVITY_UNITS = (("µS/cm", 1), ("uS/cm", 1))
PPB_SHARE = 0.2  # ambient stations whose gas analysers report NO2, SO2 and O3 in ppb
CO_IN_MG_SHARE = 0.4  # ambient stations reporting CO in mg/m3
MOLAR_VOLUME = 24.45  # L/mol at 25 °C (envhub.core.units): ppb = µg/m3 × 24.45 / M
MOLAR_MASS = {"NO2": 46.0055, "SO2": 64.066, "O3": 47.997}
METEO_SHARE = 0.6  # ambient stations that also report Temp and RH

# --- levels --------------------------------------------------------------------------------------

# Ambient air, annual means in µg/m3 by province: (PM2.5, NO2, SO2, CO, O3). Hà Nội's PM2.5
# averages about 40 (20–80 from day to day, higher in winter); the south and the centre are
# cleaner; Quảng Ninh has coal SO2. PM10 is PM2.5 × 1.5–1.8.
AMBIENT_LEVELS = {
    "01": (42, 38, 10, 1100, 48), "24": (40, 28, 12, 1000, 46), "19": (34, 24, 16, 950, 44),
    "31": (33, 26, 14, 950, 46), "22": (28, 20, 24, 850, 45), "79": (26, 34, 9, 1000, 42),
    "75": (25, 26, 10, 900, 42), "92": (21, 18, 7, 750, 38), "48": (18, 16, 6, 650, 40),
    "56": (15, 12, 5, 550, 38),
}
DEFAULT_AMBIENT_LEVELS = (25, 22, 9, 850, 42)
# Traffic by weekday (Monday first), for NO2 and CO; PM follows at half the swing.
WEEKDAY_TRAFFIC = (1.02, 1.03, 1.03, 1.03, 1.05, 0.95, 0.85)
NORTH_FROM_LATITUDE = 19.5  # winter (Nov–Mar) monsoon haze: Thanh Hóa northwards
SOUTH_BELOW_LATITUDE = 13.0

# Surface water by province: (Temp offset °C, pH, DO mg/L, TSS mg/L, COD mg/L, NH4 mg/L,
# EC µS/cm). The Red River carries a lot of silt; the Đồng Nai is soft and clear.
SURFACE_WATER_LEVELS = {
    "01": (0.0, 7.6, 6.2, 180, 14, 0.45, 260),
    "75": (0.0, 6.9, 5.6, 25, 10, 0.25, 70),
    "19": (-0.5, 7.2, 5.4, 40, 18, 0.9, 210),
}
DEFAULT_SURFACE_WATER_LEVELS = (0.0, 7.3, 5.8, 50, 14, 0.5, 180)


@dataclass(frozen=True)
class StackProfile:
    """A kind of stack: flue-gas temperature (°C) and O2 (%) at full load, how its load runs,
    typical concentrations (mg/Nm3) and the reference limits the episodes exceed."""

    temperature: float
    oxygen: float | None  # None: O2 not measured
    load: str  # a key of LOAD_SHAPES
    levels: dict[str, float]
    # Column B base values (C, before Kp/Kv) of the old regime (docs/domain/emission-standards.md
    # §2, §3):
    # QCVN 19:2009 for most, QCVN 22:2009 for power, QCVN 23:2009 for cement. QCVN 19:2024 and
    # QCVN 51:2017 figures were not retrieved, so those stacks use these too. Typical levels
    # stay under about 45 % of the limit, so that with the station's own level (±15 %), the
    # load and the noise only the episodes exceed it.
    limits: dict[str, float] = field(default_factory=dict)


QCVN19_B = {"PM": 200, "SO2": 500, "NOx": 850, "CO": 1000, "HCl": 50, "NH3": 50, "H2S": 7.5}
STACK_PROFILES = {
    "coal_power": StackProfile(128, 6.2, "grid", {"PM": 35, "SO2": 190, "NOx": 260},
                               {"PM": 200, "SO2": 500, "NOx": 650}),
    # Gas turbines: almost no dust or SO2.
    "gas_turbine": StackProfile(98, 14.6, "grid",
                                {"PM": 1.8, "SO2": 1.2, "NOx": 45, "CO": 8},
                                {"PM": 50, "SO2": 300, "NOx": 250}),
    "cement_kiln": StackProfile(125, 9.5, "continuous",
                                {"PM": 22, "SO2": 60, "NOx": 430, "CO": 200},
                                {"PM": 100, "SO2": 500, "NOx": 1000, "CO": 500}),
    "coal_mill": StackProfile(72, None, "continuous", {"PM": 18}, {"PM": 100}),
    "clinker_cooler": StackProfile(190, None, "continuous", {"PM": 20}, {"PM": 100}),
    "blast_furnace": StackProfile(105, None, "continuous", {"PM": 30}, QCVN19_B),
    "sinter": StackProfile(135, 15.5, "continuous",
                           {"PM": 45, "SO2": 180, "NOx": 210, "CO": 420}, QCVN19_B),
    "coal_boiler": StackProfile(145, 8.5, "day_shift",
                                {"PM": 70, "SO2": 220, "NOx": 280, "CO": 120}, QCVN19_B),
    "oil_boiler": StackProfile(175, 4.5, "day_shift",
                               {"PM": 40, "SO2": 220, "NOx": 250, "CO": 40}, QCVN19_B),
    "gas_boiler": StackProfile(140, 3.5, "day_shift",
                               {"PM": 3, "SO2": 2, "NOx": 110, "CO": 15}, QCVN19_B),
    "biomass_boiler": StackProfile(160, 9.5, "day_shift",
                                   {"PM": 85, "SO2": 35, "NOx": 190, "CO": 300}, QCVN19_B),
    "prilling_tower": StackProfile(48, None, "continuous", {"PM": 55, "NH3": 20}, QCVN19_B),
    "absorption_tower": StackProfile(62, 10.5, "continuous", {"PM": 12, "SO2": 220}, QCVN19_B),
    "recovery_boiler": StackProfile(175, 4.8, "continuous",
                                    {"PM": 60, "SO2": 70, "NOx": 160, "CO": 180, "H2S": 2.5},
                                    QCVN19_B),
    "incinerator": StackProfile(155, 10.5, "continuous",
                                {"PM": 12, "SO2": 45, "NOx": 230, "CO": 35, "HCl": 18},
                                QCVN19_B),
}
# (words in the folded source name, profile), checked in order; then the fuel decides.
STACK_NAME_RULES = (
    ("tuabin khi", "gas_turbine"), ("lo nung", "cement_kiln"), ("nghien than", "coal_mill"),
    ("lam nguoi", "clinker_cooler"), ("lo cao", "blast_furnace"), ("thieu ket", "sinter"),
    ("tao hat", "prilling_tower"), ("hap thu", "absorption_tower"),
    ("thu hoi hoa chat", "recovery_boiler"), ("lo dot", "incinerator"),
)
FUEL_RULES = (("khi thien nhien", "gas_boiler"), ("dau", "oil_boiler"),
              ("sinh khoi", "biomass_boiler"), ("ba mia", "biomass_boiler"),
              ("than", "coal_boiler"))
STACK_FLOW_SHARE = 0.8  # of the design flow at full load
DEFAULT_DESIGN_FLOW = {"stack": 50_000.0, "outfall": 200.0}  # m3/h, when the registry has none

# Treated wastewater by sector, mg/L: (COD, TSS, NH4, extra parameters). QCVN 40:2011 column B
# (docs/domain/emission-standards.md §4): COD 150, TSS 100, NH4 10; TN 40, TP 6, colour 150 Pt-Co.
WASTEWATER_LEVELS = {
    Sector.THERMAL_POWER: (35, 30, 1.5, {}),
    Sector.STEEL: (45, 40, 2.5, {}),
    Sector.CHEMICALS: (55, 35, 4.0, {}),
    Sector.PULP_PAPER: (70, 40, 2.0, {"Color": 60}),
    Sector.TEXTILES: (65, 35, 2.5, {"Color": 70}),
    Sector.WASTE_INCINERATION: (75, 40, 4.5, {}),  # leachate after treatment
    Sector.INDUSTRIAL_PARK: (55, 30, 3.5, {"TN": 14, "TP": 1.8}),
}
DEFAULT_WASTEWATER_LEVELS = (60, 40, 4.0, {})
WASTEWATER_LIMITS = {"COD": 150, "TSS": 100, "NH4": 10, "TN": 40, "TP": 6, "Color": 150}
OUTFALL_FLOW_SHARE = 0.6  # of the design flow, on average

# Calibration: zero then span, in canonical units (None: a zero check only). EC 1413 µS/cm and
# pH 7.00/4.01 are the usual standard solutions; DO 8.26 mg/L is saturation at 25 °C.
STACK_SPANS = {"SO2": 400, "NOx": 400, "CO": 400, "O2": 20.9, "HCl": 50, "NH3": 50, "H2S": 10,
               "PM": None}
AIR_SPANS = {"SO2": 500, "NO2": 500, "CO": 10_000, "O3": 400, "PM2_5": None, "PM10": None}
WATER_SPANS = {"COD": 100, "TSS": 100, "NH4": 5.0, "TN": 20, "TP": 2.0, "Color": 100,
               "DO": 8.26, "EC": 1413}
PH_BUFFERS = (7.00, 4.01)
