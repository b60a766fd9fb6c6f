"""VN_AQI (Decision 1459/QĐ-TCMT) against the decision's worked examples and hand-computed cases
(docs/domain/vn-aqi.md §2–§5): Table 2 at and between every breakpoint, the NowCast and its
completeness rule, the daily inputs (local day 01:00 … 24:00, 8-h means reaching into the day
before), the composite index, the categories, unit conversion, and properties (hypothesis)."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from envhub.airquality import vn_aqi
from envhub.airquality.vn_aqi import (
    AqiError,
    category_for,
    daily_aqi,
    daily_inputs,
    hourly_aqi,
    hourly_inputs,
    nowcast,
    sub_index,
    to_ug_m3,
)
from envhub.core.timeutil import HOUR, UTC, VN

# Table 2 typed again from vn-aqi.md §3 (not read from the module), µg/m3.
LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)
TABLE_2 = {
    ("O3", "1h"): (0, 160, 200, 300, 400, 800, 1000, 1200),
    ("O3", "8h"): (0, 100, 120, 170, 210, 400),
    ("CO", "1h"): (0, 10000, 30000, 45000, 60000, 90000, 120000, 150000),
    ("SO2", "1h"): (0, 125, 350, 550, 800, 1600, 2100, 2630),
    ("NO2", "1h"): (0, 100, 200, 700, 1200, 2350, 3100, 3850),
    ("PM10", "1h"): (0, 50, 150, 250, 350, 420, 500, 600),
    ("PM2_5", "1h"): (0, 25, 50, 80, 150, 250, 350, 500),
}

# §7A: PM2.5 1-h means 09:00 … 20:00; c1 is the current hour (20:00).
SERIES_7A = [26.9, 24.7, 20.5, 23.5, 19.5, 16.5, 19.0, 16.5, 20.3, 22.4, 19.6, 20.6]
C_7A = SERIES_7A[::-1]


def _segment_cases():
    for (pollutant, table), bps in TABLE_2.items():
        for i in range(len(bps) - 1):
            low, high = bps[i], bps[i + 1]
            i_low, i_high = LEVELS[i], LEVELS[i + 1]
            yield pytest.param(pollutant, table, low, i_low, id=f"{pollutant}-{table}-{low}")
            yield pytest.param(pollutant, table, (low + high) / 2, (i_low + i_high) // 2,
                               id=f"{pollutant}-{table}-mid-{low}-{high}")
            yield pytest.param(pollutant, table, high, i_high, id=f"{pollutant}-{table}-{high}")


# --- the decision's worked examples ------------------------------------------------------------

def test_it_reproduces_the_worked_nowcast_of_20_3():
    value = nowcast(C_7A)
    assert round(value, 1) == 20.3
    # With the unrounded w* = 16.5/26.9 (the example rounds it to 0.61: same at 1 decimal).
    assert value == pytest.approx(20.2658, abs=1e-4)


def test_it_reproduces_the_worked_hourly_example_with_the_no2_erratum():
    # §7B: O3 1-h 136.1, NO2 1-h 118.7, PM2.5 NowCast 20.3 (µg/m3).
    assert sub_index("O3", 136.1) == 43
    # The decision prints 60 for NO2, but its own formula gives 50 + 0.5 × 18.7 = 59.35, so 59:
    # the printed 60 (and AQI^h = 60) is an erratum of the decision (vn-aqi.md §7B, [TXN]).
    assert sub_index("NO2", 118.7) == 59
    assert sub_index("PM2_5", 20.3) == 41
    # The same hour from the §7A series: the unrounded NowCast 20.27 also gives 41.
    result = hourly_aqi({"O3": 136.1, "NO2": 118.7}, {"PM2_5": C_7A})
    assert result.sub_indices == {"PM2_5": 41, "PM10": None, "O3": 43, "NO2": 59, "SO2": None,
                                  "CO": None}
    assert result.aqi == 59
    assert result.dominant == "NO2"
    assert result.category.name_vi == "Trung bình"
    assert result.kind == "hourly"


def test_it_reproduces_the_worked_daily_example():
    # §2.3c: O3 max 8-h 89.3, O3 max 1-h 114.6, NO2 max 1-h 130.8, PM2.5 24-h 55.7.
    result = daily_aqi({"O3": 114.6, "NO2": 130.8}, {"PM2_5": 55.7}, 89.3)
    o3 = {part.basis: part.value for part in result.parts if part.pollutant == "O3"}
    assert o3 == {"max_1h": 36, "max_8h": 45}
    assert result.sub_indices["O3"] == 45
    assert result.sub_indices["NO2"] == 65
    # 100 + 50/30 × 5.7 = 109.5 in exact arithmetic, 109.50000000000001 or 109.4999… in floats.
    assert result.sub_indices["PM2_5"] == 110
    assert result.aqi == 110
    assert result.dominant == "PM2_5"
    assert result.category.code == "poor"


# The decision's §2.2.2a O3 table: 1-h means from 18:00 the day before to 00:00 the next day.
O3_HOURS = [15.7, 14.2, 17.7, 18.9, 19.3, 15.7, 19.7, 22.6, 27.1, 29.0, 31.9, 25.3, 34.7, 35.2,
            41.6, 45.7, 49.2, 55.8, 69.6, 78.3, 91.5, 97.7, 81.2, 71.8, 43.5, 34.3, 21.5, 20.5,
            19.4, 20.4, 21.3]
O3_8H_PRINTED = [18.0, 19.4, 21.2, 23.0, 23.8, 25.8, 28.2, 30.9, 33.8, 36.6, 39.9, 44.7, 51.3,
                 58.4, 66.2, 71.1, 74.4, 73.7, 71.0, 65.0, 57.8, 48.7, 39.1, 31.6]
DAY = datetime.date(2026, 3, 10)


def _local(day: datetime.date, hour: int) -> datetime.datetime:
    """Hour end `hour` (0 … 24) of a local day, aware."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=VN) + hour * HOUR


def test_it_reproduces_the_worked_8_hour_means_reaching_into_the_day_before():
    first = _local(DAY, -6)  # 18:00 the day before
    means = {"O3": {first + i * HOUR: value for i, value in enumerate(O3_HOURS)}}
    inputs = daily_inputs(means, DAY)
    ends = [_local(DAY, h).astimezone(UTC) for h in range(1, 25)]
    assert list(inputs.o3_8h_means) == ends
    computed = [inputs.o3_8h_means[end] for end in ends]
    for hour, (mine, printed) in enumerate(zip(computed, O3_8H_PRINTED, strict=True), start=1):
        if hour == 12:
            # 05:00 … 12:00 sum to 357.1, so 44.6375; the decision prints 44.7 (its erratum).
            assert mine == pytest.approx(44.6375)
        else:
            assert round(mine, 1) == pytest.approx(printed), hour
    # The 01:00 mean is 18:00 … 01:00: six hours of the day before and the previous 24:00.
    assert computed[0] == pytest.approx(sum(O3_HOURS[:8]) / 8)
    assert round(inputs.o3_max_8h, 1) == 74.4
    assert inputs.max_1h["O3"] == 97.7
    assert inputs.aqi().sub_indices["O3"] == max(sub_index("O3", 97.7),
                                                 sub_index("O3", 74.3875, table="8h"))


# --- Table 2 -------------------------------------------------------------------------------------

@pytest.mark.parametrize("pollutant, table, concentration, expected", list(_segment_cases()))
def test_it_interpolates_at_and_between_every_breakpoint(pollutant, table, concentration,
                                                         expected):
    assert sub_index(pollutant, concentration, table=table) == expected


@pytest.mark.parametrize("pollutant, table, concentration, expected", [
    ("PM2_5", "1h", 55.7, 110),  # 109.5 half-up, with float noise
    ("PM2_5", "1h", 12.2, 24),  # 24.4
    ("PM2_5", "1h", 12.25, 25),  # 24.5 half-up
    ("PM10", "1h", 430, 313),  # 312.5 half-up
    ("PM10", "1h", 100, 75),
    ("NO2", "1h", 118.7, 59),  # 59.35
    ("SO2", "1h", 200, 67),  # 66.67
    ("CO", "1h", 12345, 56),  # 55.86
    ("O3", "1h", 136.1, 43),  # 42.53
    ("O3", "8h", 150, 130),
    ("O3", "8h", 89.3, 45),  # 44.65
    ("O3", "1h", 0.0, 0),
    ("PM2_5", "1h", 0.4, 1),  # 0.8
    ("PM2_5", "1h", 0.2, 0),  # 0.4
])
def test_it_rounds_sub_indices_half_up(pollutant, table, concentration, expected):
    assert sub_index(pollutant, concentration, table=table) == expected


@pytest.mark.parametrize("pollutant, concentration", [
    ("PM2_5", 500.01), ("PM2_5", 1e6), ("PM10", 601), ("O3", 1200.5), ("O3", 5000),
    ("CO", 150001), ("SO2", 9999), ("NO2", 3851),
])
def test_it_caps_at_500_above_the_top_breakpoint(pollutant, concentration):
    assert sub_index(pollutant, concentration) == 500


@pytest.mark.parametrize("concentration, expected", [
    (400, 300), (399.9, 300), (400.01, None), (401, None), (1000, None),
])
def test_it_skips_the_8_hour_o3_sub_index_above_400(concentration, expected):
    assert sub_index("O3", concentration, table="8h") == expected


def test_it_uses_only_the_1_hour_o3_when_the_8_hour_max_is_above_400():
    result = daily_aqi({"O3": 450.0}, {"PM10": 40.0}, 410.0)
    eight = next(p for p in result.parts if p.basis == "max_8h")
    assert eight.value is None
    assert eight.note == "o3_8h_above_400"
    assert eight.note_vi.startswith("Trung bình 8 giờ lớn nhất")
    assert result.sub_indices["O3"] == sub_index("O3", 450.0) == 213  # 200 + 100 × 50/400 = 212.5
    assert result.aqi == 213


@pytest.mark.parametrize("concentration", [None, -0.1, -50, math.nan, math.inf])
def test_it_treats_negative_and_non_finite_values_as_missing(concentration):
    assert sub_index("PM10", concentration) is None


@pytest.mark.parametrize("pollutant, table", [
    ("PM2.5", "1h"), ("TSP", "1h"), ("PM10", "8h"), ("CO", "8h"), ("O3", "24h"),
])
def test_it_refuses_unknown_pollutants_and_tables(pollutant, table):
    with pytest.raises(AqiError):
        sub_index(pollutant, 10.0, table=table)


@pytest.mark.parametrize("concentration", ["12", True, [1]])
def test_it_refuses_values_that_are_not_numbers(concentration):
    with pytest.raises(AqiError):
        sub_index("PM10", concentration)


# --- NowCast -------------------------------------------------------------------------------------

def _pad(hours):
    return list(hours) + [None] * (12 - len(hours))


@pytest.mark.parametrize("hours, expected", [
    # 2 of 3: c1 missing.
    (_pad([None, 10.0, 10.0]), 10.0),
    # 2 of 3: c2 missing; w* = 10/20 → w = 0.5; (10 + 0.25 × 20) / (1 + 0.25).
    (_pad([10.0, None, 20.0]), 12.0),
    # 2 of 3 with the later hours present: w = 0.5, normalised.
    ([10.0, 20.0, None] + [20.0] * 9,
     (10 + 20 * (0.5 + sum(0.5 ** i for i in range(3, 12)))) /
     (1 + 0.5 + sum(0.5 ** i for i in range(3, 12)))),
    # 2 hours only.
    ([15.0, 15.0], 15.0),
    # All zero → 0 (Cmax = 0), also with gaps.
    ([0.0] * 12, 0.0),
    (_pad([0.0, None, 0.0]), 0.0),
    # A constant series is its own NowCast.
    ([30.0] * 12, 30.0),
])
def test_it_computes_the_nowcast(hours, expected):
    assert nowcast(hours) == pytest.approx(expected)


@pytest.mark.parametrize("hours", [
    _pad([10.0, None, None] + [10.0] * 9),  # 1 of 3 (the later hours do not count)
    _pad([None, None, 10.0]),
    [15.0],  # a single hour
    _pad([15.0]),
    _pad([]),
    [],
    _pad([-1.0, 10.0, None]),  # a negative hour is missing: 1 of 3
])
def test_it_has_no_nowcast_without_2_of_the_last_3_hours(hours):
    assert nowcast(hours) is None


def test_it_gives_missing_hours_in_the_middle_weight_0_and_normalises():
    hours = [20.0, 20.0, 20.0, None, None, None, None, None, 10.0, 10.0, 10.0, 10.0]
    # w* = 10/20 = 0.5 → w = 0.5; the missing hours 4 … 8 have weight 0.
    present = [(i, c) for i, c in enumerate(hours) if c is not None]
    expected = sum(0.5 ** i * c for i, c in present) / sum(0.5 ** i for i, _ in present)
    assert nowcast(hours) == pytest.approx(expected)
    # The decision's unnormalised w = 1/2 form, (1/2)·c1 + … + (1/2)^12·c12, would be 12 % low
    # here (17.5 for hours that are all 10 or 20 and mostly 20).
    unnormalised = sum(0.5 ** (i + 1) * c for i, c in present)
    assert unnormalised < 0.9 * nowcast(hours)
    # w > 0.5 with a gap: Cmin/Cmax taken over the hours present.
    hours = [16.0, None, 20.0, None, None, None, None, None, None, None, None, 18.0]
    w = 16 / 20
    assert nowcast(hours) == pytest.approx((16 + w ** 2 * 20 + w ** 11 * 18) /
                                           (1 + w ** 2 + w ** 11))


def test_it_uses_only_the_last_12_hours():
    assert nowcast([10.0] * 12 + [1000.0]) == pytest.approx(10.0)


def test_it_has_no_hourly_pm_sub_index_without_a_nowcast():
    result = hourly_aqi({"NO2": 150.0}, {"PM2_5": _pad([30.0])})
    pm = next(p for p in result.parts if p.pollutant == "PM2_5")
    assert (pm.value, pm.note) == (None, "nowcast_incomplete")
    assert result.aqi is None
    assert result.reason == "no_pm"


# --- composite -----------------------------------------------------------------------------------

def test_it_gives_no_aqi_without_pm_but_reports_the_gases():
    result = daily_aqi({"NO2": 300.0, "SO2": 100.0}, {})
    assert result.aqi is None
    assert result.reason == "no_pm"
    assert "PM2,5" in result.reason_vi and "PM2.5" in result.reason_en
    assert result.sub_indices["NO2"] == 110
    assert result.category is None and result.dominant is None
    empty = hourly_aqi({}, {})
    assert (empty.aqi, empty.reason) == (None, "no_data")


def test_it_needs_only_one_of_pm10_and_pm2_5():
    result = daily_aqi({"CO": 5000.0}, {"PM10": 100.0, "PM2_5": None})
    assert result.sub_indices["PM10"] == 75
    assert result.aqi == 75
    assert result.dominant == "PM10"


@pytest.mark.parametrize("max_1h, mean_24h, dominant, tied", [
    ({"NO2": 150.0}, {"PM2_5": 37.5}, "PM2_5", ("PM2_5", "NO2")),  # both 75
    ({"O3": 180.0}, {"PM10": 100.0}, "PM10", ("PM10", "O3")),  # both 75
    ({"SO2": 350.0, "NO2": 200.0}, {"PM2_5": 10.0}, "NO2", ("NO2", "SO2")),  # both 100
    ({"CO": 60000.0}, {"PM2_5": 10.0, "PM10": 10.0}, "CO", ("CO",)),
])
def test_it_breaks_dominant_ties_in_pollutant_order(max_1h, mean_24h, dominant, tied):
    result = daily_aqi(max_1h, mean_24h)
    assert result.dominant == dominant
    assert result.dominant_all == tied
    assert result.aqi == result.sub_indices[dominant]


def test_it_refuses_pollutants_in_the_wrong_argument():
    with pytest.raises(AqiError, match="gases_1h"):
        hourly_aqi({"PM2_5": 10.0}, {})
    with pytest.raises(AqiError, match="mean_24h"):
        daily_aqi({}, {"NO2": 10.0})


def test_it_gives_plain_data_for_json():
    data = daily_aqi({"O3": 114.6, "NO2": 130.8}, {"PM2_5": 55.7}, 89.3).as_dict()
    assert data["aqi"] == 110
    assert data["category"]["name_vi"] == "Kém"
    assert data["category"]["rgb"] == [255, 126, 0]
    assert {"pollutant": "O3", "basis": "max_8h", "concentration": 89.3, "value": 45,
            "note": ""} in data["parts"]


# --- daily and hourly inputs ---------------------------------------------------------------------

def _day_of(value: float, hours=range(1, 25), day=DAY) -> dict:
    return {_local(day, h): value for h in hours}


def test_it_averages_the_local_day_from_01_00_to_24_00():
    pm = _day_of(10.0)
    pm[_local(DAY, 0)] = 1000.0  # 00:00 belongs to the day before
    pm[_local(DAY, 25)] = 1000.0  # 01:00 of the next day belongs to the next day
    # The same hours given in UTC are the same hours.
    inputs = daily_inputs({"PM2_5": {k.astimezone(UTC): v for k, v in pm.items()},
                           "PM10": pm}, DAY)
    assert inputs.mean_24h == {"PM2_5": 10.0, "PM10": 10.0}
    assert inputs.hours["PM2_5"] == 24
    # The stamp 00:00 of the next day (24:00) is in the day.
    pm[_local(DAY, 24)] = 58.0
    assert daily_inputs({"PM2_5": pm}, DAY).mean_24h["PM2_5"] == pytest.approx(12.0)
    # And 00:00 of DAY counts for the day before.
    before = daily_inputs({"PM2_5": pm}, DAY - datetime.timedelta(days=1), min_hours_24h=1)
    assert before.mean_24h["PM2_5"] == 1000.0


@pytest.mark.parametrize("present, minimum, expected", [
    (24, 18, 20.0), (18, 18, 20.0), (17, 18, None), (12, 12, 20.0), (11, 12, None),
    (1, 1, 20.0), (0, 1, None),
])
def test_it_needs_enough_hours_for_the_24_hour_mean(present, minimum, expected):
    pm = _day_of(20.0, hours=range(1, present + 1))
    inputs = daily_inputs({"PM10": pm}, DAY, min_hours_24h=minimum)
    assert inputs.mean_24h["PM10"] == expected


@pytest.mark.parametrize("present, minimum, expected", [
    (24, 18, 240.0), (18, 18, 240.0), (17, 18, None), (6, 6, 240.0),
])
def test_it_needs_enough_hours_for_the_day_maximum(present, minimum, expected):
    no2 = _day_of(40.0, hours=range(1, present + 1))
    no2[_local(DAY, 1)] = 240.0
    inputs = daily_inputs({"NO2": no2}, DAY, min_hours_max_1h=minimum)
    assert inputs.max_1h["NO2"] == expected


def test_it_needs_6_of_8_hours_for_an_8_hour_mean():
    o3 = _day_of(50.0, hours=range(-7, 25))
    for h in (3, 5):  # two missing hours: the 8-h means ending 05:00 … 10:00 lack both or one
        del o3[_local(DAY, h)]
    inputs = daily_inputs({"O3": o3}, DAY)
    assert all(mean == 50.0 for mean in inputs.o3_8h_means.values())
    del o3[_local(DAY, 7)]  # three missing in the windows ending 07:00 … 10:00
    inputs = daily_inputs({"O3": o3}, DAY)
    missing = [end.astimezone(VN).hour for end, mean in inputs.o3_8h_means.items()
               if mean is None]
    assert missing == [7, 8, 9, 10]
    assert inputs.o3_max_8h == 50.0  # 20 of 24 means
    strict = daily_inputs({"O3": o3}, DAY, min_hours_8h=8)
    assert sum(mean is None for mean in strict.o3_8h_means.values()) == 12  # 03:00 … 14:00


def test_it_needs_18_of_24_8_hour_means_for_the_day_maximum():
    # Hours from 20:00 of the day before: the 8-h mean ending 01:00 has 6 of its 8 hours.
    o3 = _day_of(60.0, hours=range(-4, 25))
    assert all(m is not None for m in daily_inputs({"O3": o3}, DAY).o3_8h_means.values())
    # Without the day before: the means from 06:00 on have 6 of 8 hours, 19 means.
    o3 = _day_of(60.0, hours=range(1, 25))
    assert sum(m is not None for m in daily_inputs({"O3": o3}, DAY).o3_8h_means.values()) == 19
    assert daily_inputs({"O3": o3}, DAY).o3_max_8h == 60.0
    # From 03:00: the means from 08:00 on, 17 means.
    o3 = _day_of(60.0, hours=range(3, 25))
    assert sum(m is not None for m in daily_inputs({"O3": o3}, DAY).o3_8h_means.values()) == 17
    assert daily_inputs({"O3": o3}, DAY).o3_max_8h is None
    assert daily_inputs({"O3": o3}, DAY, min_means_max_8h=17).o3_max_8h == 60.0


def test_it_makes_the_daily_index_from_hourly_means():
    means = {
        "PM2_5": _day_of(55.7),
        "NO2": {**_day_of(100.0), _local(DAY, 14): 130.8},
        "O3": {**_day_of(89.3, hours=range(-7, 25)), _local(DAY, 12): 114.6},
        "NOx": _day_of(999.0),  # not a VN_AQI pollutant: ignored
        "PM10": {_local(DAY, h): None for h in range(1, 25)},  # None is a missing hour
    }
    inputs = daily_inputs(means, DAY)
    assert inputs.max_1h == {"O3": 114.6, "NO2": 130.8, "SO2": None, "CO": None}
    assert inputs.mean_24h == {"PM2_5": pytest.approx(55.7), "PM10": None}
    assert inputs.hours["PM10"] == 0
    result = inputs.aqi()
    assert result.aqi == 110
    assert result.sub_indices["NO2"] == 65
    assert result.sub_indices["O3"] == max(36, sub_index("O3", inputs.o3_max_8h, table="8h"))


def test_it_makes_the_hourly_inputs_c1_first():
    now = _local(DAY, 20)
    means = {"PM2_5": {now - i * HOUR: c for i, c in enumerate(C_7A)},
             "NO2": {now: 118.7, now - HOUR: 500.0}, "O3": {now.astimezone(UTC): 136.1}}
    inputs = hourly_inputs(means, now)
    assert inputs.pm_hours["PM2_5"] == C_7A
    assert inputs.pm_hours["PM10"] == [None] * 12
    assert inputs.gases_1h == {"O3": 136.1, "NO2": 118.7, "SO2": None, "CO": None}
    assert inputs.aqi().aqi == 59


@pytest.mark.parametrize("key", [
    datetime.datetime(2026, 3, 10, 5, 0),  # naive
    datetime.datetime(2026, 3, 10, 5, 30, tzinfo=VN),  # not on the hour
    "2026-03-10T05:00:00+07:00",
])
def test_it_refuses_hour_ends_it_cannot_place(key):
    with pytest.raises(AqiError):
        daily_inputs({"PM10": {key: 10.0}}, DAY)


@pytest.mark.parametrize("option, value", [
    ("min_hours_24h", 0), ("min_hours_24h", 25), ("min_hours_8h", 9), ("min_means_max_8h", 0),
    ("min_hours_max_1h", 18.0),
])
def test_it_refuses_impossible_thresholds(option, value):
    with pytest.raises(AqiError, match=option):
        daily_inputs({}, DAY, **{option: value})


# --- categories ----------------------------------------------------------------------------------

@pytest.mark.parametrize("aqi, code, name_vi, hex_colour, rgb", [
    (0, "good", "Tốt", "#00E400", (0, 228, 0)),
    (50, "good", "Tốt", "#00E400", (0, 228, 0)),
    (51, "moderate", "Trung bình", "#FFFF00", (255, 255, 0)),
    (100, "moderate", "Trung bình", "#FFFF00", (255, 255, 0)),
    (101, "poor", "Kém", "#FF7E00", (255, 126, 0)),
    (150, "poor", "Kém", "#FF7E00", (255, 126, 0)),
    (151, "bad", "Xấu", "#FF0000", (255, 0, 0)),
    (200, "bad", "Xấu", "#FF0000", (255, 0, 0)),
    (201, "very_bad", "Rất xấu", "#8F3F97", (143, 63, 151)),
    (300, "very_bad", "Rất xấu", "#8F3F97", (143, 63, 151)),
    (301, "hazardous", "Nguy hại", "#7E0023", (126, 0, 35)),
    (500, "hazardous", "Nguy hại", "#7E0023", (126, 0, 35)),
])
def test_it_puts_each_aqi_in_its_category(aqi, code, name_vi, hex_colour, rgb):
    category = category_for(aqi)
    assert (category.code, category.name_vi, category.hex, category.rgb) == \
        (code, name_vi, hex_colour, rgb)
    assert category.low <= aqi <= category.high
    for text in (category.health_vi, category.health_en, category.general_public_vi,
                 category.general_public_en, category.sensitive_groups_vi,
                 category.sensitive_groups_en, category.name_en, category.colour_vi):
        assert text


def test_it_gives_the_decisions_health_messages():
    assert category_for(20).health_vi == ("Chất lượng không khí tốt, không ảnh hưởng tới sức "
                                          "khỏe.")
    assert "khẩu trang" in category_for(180).sensitive_groups_vi
    hazardous = category_for(400)
    assert hazardous.general_public_vi == hazardous.sensitive_groups_vi  # Table 5's merged cell
    assert "đóng cửa" in hazardous.general_public_vi


@pytest.mark.parametrize("aqi", [-1, math.nan, None, "50"])
def test_it_refuses_impossible_aqi_values(aqi):
    with pytest.raises(AqiError):
        category_for(aqi)


# --- units ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, unit, pollutant, expected", [
    (1, "ppm", "CO", 28.010 / 24.45 * 1000),
    (100, "ppb", "NO2", 100 * 46.0055 / 24.45),
    (50, "ppb", "SO2", 50 * 64.066 / 24.45),
    (60, "ppbv", "O3", 60 * 47.997 / 24.45),
    (2.5, "mg/m3", "CO", 2500.0),
    (35.0, "µg/m3", "PM2_5", 35.0),
    (35.0, "ug/m3", "PM10", 35.0),
    (0.035, "mg/m3", "PM10", 35.0),
    # QCVN 05:2023's µg/Nm3 are at 25 °C and 760 mmHg, the VN_AQI's conditions: the same µg/m3.
    (10.0, "µg/Nm3", "PM2_5", 10.0),
    (10.0, "ug/Nm3", "PM10", 10.0),
    (80.0, "µg/Nm3", "SO2", 80.0),
    (150.0, "µg/Nm3", "NO2", 150.0),
    (120.0, "µg/Nm3", "O3", 120.0),
    (5.0, "mg/Nm3", "CO", 5000.0),
    (0.02, "mg/Nm3", "PM2_5", 20.0),
])
def test_it_converts_to_micrograms_per_cubic_metre(value, unit, pollutant, expected):
    assert to_ug_m3(value, unit, pollutant) == pytest.approx(expected)


@pytest.mark.parametrize("unit, pollutant", [
    ("ppb", "PM2_5"), ("ppm", "PM10"), ("furlongs", "NO2"), ("mg/L", "SO2"), ("ppb", "NOx"),
    ("Nm3/h", "PM10"),
])
def test_it_refuses_conversions_it_cannot_make(unit, pollutant):
    with pytest.raises(AqiError):
        to_ug_m3(10.0, unit, pollutant)


# --- properties ----------------------------------------------------------------------------------

concentrations = st.floats(min_value=0, max_value=200_000, allow_nan=False)


@given(st.sampled_from(sorted(TABLE_2)), concentrations, concentrations)
def test_sub_indices_are_monotone_and_within_0_to_500(key, a, b):
    pollutant, table = key
    low, high = min(a, b), max(a, b)
    if table == "8h":
        low, high = low * 400 / 200_000, high * 400 / 200_000
    first = sub_index(pollutant, low, table=table)
    second = sub_index(pollutant, high, table=table)
    assert 0 <= first <= second <= 500


hour = st.one_of(st.none(), st.floats(min_value=0, max_value=1000, allow_nan=False))


@given(st.lists(hour, min_size=0, max_size=12))
def test_the_nowcast_lies_between_the_hours_present(hours):
    value = nowcast(hours)
    present = [c for c in hours if c is not None]
    if sum(c is not None for c in hours[:3]) < 2:
        assert value is None
    else:
        assert min(present) - 1e-9 <= value <= max(present) + 1e-9


@given(st.dictionaries(st.sampled_from(vn_aqi.GASES_1H), concentrations),
       st.one_of(st.none(), concentrations), st.one_of(st.none(), concentrations))
def test_the_composite_is_the_largest_sub_index_when_pm_exists(gases, pm25, pm10):
    result = daily_aqi(gases, {"PM2_5": pm25, "PM10": pm10})
    present = [v for v in result.sub_indices.values() if v is not None]
    if pm25 is None and pm10 is None:
        assert result.aqi is None and result.reason
    else:
        assert result.aqi == max(present)
        assert result.category is category_for(result.aqi)
        assert result.sub_indices[result.dominant] == result.aqi
