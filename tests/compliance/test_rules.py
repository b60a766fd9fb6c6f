"""The pure compliance rules against hand-computed cases (docs/domain/emission-standards.md
§2–§6)."""

import datetime

import pytest

from envhub.compliance import rules
from envhub.compliance.rules import (
    COMPLIES,
    EXCEEDS,
    UNKNOWN,
    Band,
    Factor,
    FactorStep,
    HourMean,
    Judged,
)
from envhub.core.timeutil import HOUR, VN

# QCVN 19:2009 Kp by the facility's total flow P (m³/h), Kv by location class (§1).
KP_FLOW = [FactorStep(1.0, up_to=20_000), FactorStep(0.9, above=20_000, up_to=100_000),
           FactorStep(0.8, above=100_000)]
KV_CLASS = [FactorStep(0.6, class_code="1"), FactorStep(0.8, class_code="2"),
            FactorStep(1.0, class_code="3"), FactorStep(1.2, class_code="4"),
            FactorStep(1.4, class_code="5")]
# QCVN 22:2009 Kp by capacity (MW), §4.1.
KP_CAPACITY = [FactorStep(1.0, up_to=300), FactorStep(0.85, above=300, up_to=1200),
               FactorStep(0.7, above=1200)]
# QCVN 40:2011 Kq by river flow (m³/s) and Kf by discharge (m³/24 h), §6.1.
KQ_RIVER = [FactorStep(0.9, up_to=50), FactorStep(1.0, above=50, up_to=200),
            FactorStep(1.1, above=200, up_to=500), FactorStep(1.2, above=500)]
KF_DISCHARGE = [FactorStep(1.2, up_to=50), FactorStep(1.1, above=50, up_to=500),
                FactorStep(1.0, above=500, up_to=5000), FactorStep(0.9, above=5000)]

DECREE_45 = [Band("1", 1.0, 1.1), Band("2", 1.1, 1.5), Band("3", 1.5, 2.0), Band("4", 2.0, 3.0),
             Band("5", 3.0, 5.0), Band("6", 5.0, 10.0), Band("7", 10.0, None)]


@pytest.mark.parametrize("table, quantity, expected", [
    (KP_FLOW, 0, 1.0), (KP_FLOW, 20_000, 1.0), (KP_FLOW, 20_000.01, 0.9), (KP_FLOW, 54_000, 0.9),
    (KP_FLOW, 100_000, 0.9), (KP_FLOW, 100_001, 0.8),
    (KP_CAPACITY, 300, 1.0), (KP_CAPACITY, 301, 0.85), (KP_CAPACITY, 1200, 0.85),
    (KP_CAPACITY, 1201, 0.7),
    (KQ_RIVER, 50, 0.9), (KQ_RIVER, 50.5, 1.0), (KQ_RIVER, 200, 1.0), (KQ_RIVER, 500, 1.1),
    (KQ_RIVER, 501, 1.2),
    (KF_DISCHARGE, 50, 1.2), (KF_DISCHARGE, 500, 1.1), (KF_DISCHARGE, 5000, 1.0),
    (KF_DISCHARGE, 5001, 0.9),
])
def test_it_looks_up_a_step_with_the_upper_bound_inclusive(table, quantity, expected):
    assert rules.factor_by_quantity(table, quantity).value == expected


@pytest.mark.parametrize("class_code, expected", [("1", 0.6), ("2", 0.8), ("3", 1.0),
                                                  (" 4 ", 1.2), ("5", 1.4)])
def test_it_looks_up_kv_by_location_class(class_code, expected):
    assert rules.factor_by_class(KV_CLASS, class_code).value == expected


def test_it_refuses_gaps_overlaps_and_unknown_classes():
    with pytest.raises(rules.RuleError):
        rules.factor_by_quantity([FactorStep(1.0, up_to=10)], 11)
    with pytest.raises(rules.RuleError):
        rules.factor_by_quantity([FactorStep(1.0, up_to=10), FactorStep(0.9, up_to=20)], 5)
    with pytest.raises(rules.RuleError):
        rules.factor_by_class(KV_CLASS, "6")
    with pytest.raises(rules.RuleError):
        rules.factor_by_quantity(KP_FLOW, float("nan"))


@pytest.mark.parametrize("base, factors, maximum, derivation", [
    # QCVN 19:2009 column B SO2, 54,000 m³/h in an industrial zone (worked example, §1).
    (500, [Factor("Kp", 0.9), Factor("Kv", 1.0)], 450,
     "C = 500 × Kp 0.9 × Kv 1 = 450 mg/Nm3"),
    # The issue's own example: dust, column B, Kp 0.9, Kv 0.8.
    (200, [Factor("Kp", 0.9), Factor("Kv", 0.8)], 144,
     "C = 200 × Kp 0.9 × Kv 0.8 = 144 mg/Nm3"),
    # QCVN 22:2009 gas-fired CCGT, column B, Kp 0.85, Kv 1 (the 2024 permit report, §4.1).
    (250, [Factor("Kp", 0.85), Factor("Kv", 1.0)], 212.5,
     "C = 250 × Kp 0.85 × Kv 1 = 212.5 mg/Nm3"),
    (50, [Factor("Kp", 0.85), Factor("Kv", 1.0)], 42.5, "C = 50 × Kp 0.85 × Kv 1 = 42.5 mg/Nm3"),
    (300, [Factor("Kp", 0.85), Factor("Kv", 1.0)], 255, "C = 300 × Kp 0.85 × Kv 1 = 255 mg/Nm3"),
    # QCVN 19:2024 gas turbine ≤ 300 MW, NOx column B: a fixed value.
    (120, [], 120, "C = 120 mg/Nm3"),
])
def test_it_computes_emission_limits_with_their_derivation(base, factors, maximum, derivation):
    limit = rules.compute_limit(base, "mg/Nm3", factors)
    assert limit.maximum == maximum
    assert limit.derivation() == derivation


@pytest.mark.parametrize("base, kq, kf, maximum", [
    (150, 0.9, 1.0, 135),  # QCVN 40:2011 COD column B, small river, 500–5,000 m³/day
    (100, 1.1, 1.2, 132),  # TSS column B
    (10, 1.2, 0.9, 10.8),  # NH4+ column B
])
def test_it_computes_wastewater_limits(base, kq, kf, maximum):
    limit = rules.compute_limit(base, "mg/L", [Factor("Kq", kq), Factor("Kf", kf)])
    assert limit.maximum == pytest.approx(maximum)
    assert limit.derivation() == f"C = {base} × Kq {kq:g} × Kf {kf:g} = {maximum:g} mg/L"


def test_a_range_limit_is_judged_on_both_sides():
    ph = rules.compute_limit(9, "", minimum=5.5)
    assert ph.derivation() == "C = 5.5–9"
    assert [rules.exceeds(v, ph) for v in (5.4, 5.5, 7, 9, 9.01)] == [True, False, False, False,
                                                                      True]


def test_equal_to_the_limit_is_within_it():
    limit = rules.compute_limit(200, "mg/Nm3", [Factor("Kp", 0.9), Factor("Kv", 0.8)])
    assert not rules.exceeds(144, limit)
    assert rules.exceeds(144.001, limit)


@pytest.mark.parametrize("base, factors, minimum", [
    (0, [], None), (-5, [], None), (100, [Factor("Kp", 0)], None), (5, [], 9),
    (float("inf"), [], None),
])
def test_it_refuses_impossible_limits(base, factors, minimum):
    with pytest.raises(rules.RuleError):
        rules.compute_limit(base, "mg/Nm3", factors, minimum=minimum)


@pytest.mark.parametrize("c, measured, reference, kwargs, expected", [
    (100, 9, 6, {}, 125.0),  # 100 × (21 − 6) / (21 − 9)
    (100, 9, 6, {"o2_air": 20.9}, 125.210084),  # 100 × 14.9 / 11.9
    (200, 15, 15, {}, 200.0),  # at the reference: unchanged
    (80, 3, 6, {}, 66.666667),  # leaner than the reference: 80 × 15 / 18
    (80, 3, 6, {"only_above_reference": True}, 80.0),
    (100, 20.89, 6, {}, 13636.363636),  # 100 × 15 / 0.11: allowed, just below 20.9
])
def test_it_corrects_to_the_reference_o2(c, measured, reference, kwargs, expected):
    assert rules.o2_corrected(c, measured, reference, **kwargs) == pytest.approx(expected)


@pytest.mark.parametrize("measured", [20.9, 21, 25, -0.1])
def test_it_refuses_an_o2_too_close_to_air(measured):
    with pytest.raises(rules.O2OutOfRange):
        rules.o2_corrected(100, measured, 6)


def test_it_refuses_an_impossible_reference_o2():
    with pytest.raises(rules.RuleError):
        rules.o2_corrected(100, 5, 21)


@pytest.mark.parametrize("c, temperature, pressure, expected", [
    (100, 25, 101.325, 100.0),  # already at the reference
    (100, 150, 100.0, 143.805714),  # 100 × 423.15 / 298.15 × 101.325 / 100
    (50, 180, 98.0, 78.571983),  # 50 × 453.15 / 298.15 × 101.325 / 98
])
def test_it_normalises_to_25_degrees_and_760_mmhg(c, temperature, pressure, expected):
    assert rules.to_reference_conditions(c, temperature, pressure) == pytest.approx(expected)
    assert rules.mmhg_to_kpa(760) == pytest.approx(101.325)


def test_it_normalises_to_other_reference_conditions_when_a_regulation_sets_them():
    # 0 °C, 101.325 kPa (the EU convention): 100 × 298.15 / 273.15
    assert rules.to_reference_conditions(
        100, 25, 101.325, reference_temperature_c=0) == pytest.approx(109.152480)


def test_it_refuses_impossible_stack_conditions():
    with pytest.raises(rules.RuleError):
        rules.to_reference_conditions(100, -300, 100)
    with pytest.raises(rules.RuleError):
        rules.to_reference_conditions(100, 150, 0)


@pytest.mark.parametrize("ppm, gas, expected", [
    (100, "SO2", 262.028630),  # 100 × 64.066 / 24.45
    (100, "NOx", 188.161554),  # as NO2: 100 × 46.0055 / 24.45
    (50, 28.010, 57.280164),  # CO by molar mass: 50 × 28.010 / 24.45
])
def test_it_converts_ppm_to_mg_per_normal_cubic_metre(ppm, gas, expected):
    assert rules.ppm_to_mg_per_nm3(ppm, gas) == pytest.approx(expected)


@pytest.mark.parametrize("multiple, band", [
    (0.5, None), (1.0, None), (1.0000001, "1"), (1.0999999, "1"), (1.1, "2"), (1.4999999, "2"),
    (1.5, "3"), (1.9999999, "3"), (2.0, "4"), (2.9999999, "4"), (3.0, "5"), (4.9999999, "5"),
    (5.0, "6"), (9.9999999, "6"), (10.0, "7"), (1000.0, "7"),
])
def test_the_decree_45_ladder_at_and_around_each_boundary(multiple, band):
    found = rules.band_for(multiple, DECREE_45)
    assert (found.code if found else None) == band


@pytest.mark.parametrize("value, limit, multiple, band", [
    (158.4, 144, 1.1, "2"),  # 1.1 × 144 lands exactly on the boundary, not below it
    (216, 144, 1.5, "3"),
    (1440, 144, 10.0, "7"),
    (144, 144, 1.0, None),
])
def test_the_multiple_of_a_measured_value_and_its_band(value, limit, multiple, band):
    found_multiple = rules.exceedance_multiple(value, limit)
    assert found_multiple == multiple
    found = rules.band_for(found_multiple, DECREE_45)
    assert (found.code if found else None) == band


def test_a_ladder_with_a_gap_is_refused():
    rules.check_ladder(DECREE_45)
    with pytest.raises(rules.RuleError):
        rules.check_ladder([Band("1", 1.0, 1.1), Band("2", 1.2, None)])
    with pytest.raises(rules.RuleError):
        rules.check_ladder([Band("1", 1.0, None), Band("2", 1.1, None)])


def _local(day, hour):
    return datetime.datetime(2026, 11, day, tzinfo=VN) + hour * HOUR


@pytest.mark.parametrize("hour, window, expected", [
    ((26, 10), 1, (26, 10)),
    ((26, 0), 24, (26, 0)),  # 00:00 ends the day before
    ((26, 1), 24, (27, 0)),
    ((26, 24), 24, (27, 0)),
    ((26, 7), 8, (26, 8)), ((26, 8), 8, (26, 8)), ((26, 9), 8, (26, 16)),
])
def test_windows_are_blocks_aligned_on_local_midnight(hour, window, expected):
    assert rules.window_end(_local(*hour), window) == _local(*expected)


def test_a_window_must_divide_the_day():
    with pytest.raises(rules.RuleError):
        rules.window_end(_local(26, 1), 5)


@pytest.mark.parametrize(("valid", "expected", "share", "counts"), [
    (9, 12, 75.0, True),     # exactly at the threshold
    (8, 12, 75.0, False),    # one below
    (12, 12, 75.0, True),
    (0, 12, 75.0, False),
    (75, 100, 75.0, True),   # 75 %
    (74, 100, 75.0, False),  # 74 %
    (74, 100, 74.0, True),   # a regulation that asks 74 %
    (3, 4, 75.0, True),      # a quarter-hour station
    (1, 1, 75.0, True),      # an hourly station's one value
    (10, 12, 80.0, True),    # 80 % of 12 is 9.6: 10 values
    (9, 12, 80.0, False),
])
def test_an_hour_counts_from_the_regulations_share_of_its_values(valid, expected, share,
                                                                  counts):
    hours = [HourMean(_local(26, 1), 100.0, valid, expected)]
    assert (rules.window_means(hours, 1, share)[0].mean == 100.0) is counts


def test_an_hour_without_a_mean_never_counts():
    assert rules.window_means([HourMean(_local(26, 3), None, 12, 12)], 1, 75.0)[0].mean is None


@pytest.mark.parametrize(("width", "valid_hours", "counts"), [
    (24, 18, True), (24, 17, False), (8, 6, True), (8, 5, False), (4, 3, True), (4, 2, False),
])
def test_a_window_needs_three_quarters_of_its_hours(width, valid_hours, counts):
    # Hours ending 01:00 … valid_hours:00 local, each complete, plus one thin hour (8 of 12
    # values) that never counts.
    hours = [HourMean(_local(26, h), float(h), 12, 12) for h in range(1, valid_hours + 1)]
    hours.append(HourMean(_local(26, valid_hours + 1), 1000.0, 8, 12))
    window = rules.window_means(hours, width, 75.0)[0]
    assert window.coverage == pytest.approx(100 * valid_hours / width)
    if counts:
        assert window.mean == pytest.approx(sum(range(1, valid_hours + 1)) / valid_hours)
    else:
        assert window.mean is None


def _verdicts(states):
    result = []
    for index, (state, value) in enumerate(states, start=1):
        end = _local(26, index)
        multiple = None if value is None else value / 100
        result.append(Judged(end - HOUR, end, state, value, multiple))
    return result


def test_episodes_open_on_an_exceeding_hour_and_close_on_a_complying_one():
    judged = _verdicts([(COMPLIES, 80), (EXCEEDS, 120), (EXCEEDS, 180), (UNKNOWN, None),
                        (EXCEEDS, 130), (COMPLIES, 90), (EXCEEDS, 110), (UNKNOWN, None)])
    first, second = rules.episodes(judged)
    assert (first.start, first.end) == (_local(26, 1), _local(26, 5))
    assert first.hours == 3  # the hour without data neither counts nor closes
    assert (first.peak_value, first.peak_multiple, first.peak_at) == (180, 1.8, _local(26, 3))
    assert first.closed
    assert (second.start, second.end, second.hours) == (_local(26, 6), _local(26, 7), 1)
    assert not second.closed  # nothing valid after it yet


def test_late_data_that_pull_an_hour_under_the_limit_split_the_episode():
    before = _verdicts([(EXCEEDS, 120), (EXCEEDS, 130), (EXCEEDS, 140), (COMPLIES, 50)])
    after = _verdicts([(EXCEEDS, 120), (COMPLIES, 95), (EXCEEDS, 140), (COMPLIES, 50)])
    assert len(rules.episodes(before)) == 1
    split = rules.episodes(after)
    assert [(e.start, e.end, e.closed) for e in split] == [
        (_local(26, 0), _local(26, 1), True), (_local(26, 2), _local(26, 3), True)]


@pytest.mark.parametrize("value, expected", [
    (120, (COMPLIES, 0.833333333, "")),  # 120 / 144
    (144, (COMPLIES, 1.0, "")),
    (158.4, (EXCEEDS, 1.1, "2")),
    (300, (EXCEEDS, 2.083333333, "4")),
])
def test_judging_an_average_against_its_limit(value, expected):
    limit = rules.compute_limit(200, "mg/Nm3", [Factor("Kp", 0.9), Factor("Kv", 0.8)])
    assert rules.judge(value, limit, DECREE_45) == expected


def test_below_a_range_minimum_exceeds_without_a_multiple():
    ph = rules.compute_limit(9, "", minimum=5.5)
    assert rules.judge(5.0, ph, DECREE_45) == (EXCEEDS, None, "")
    assert rules.judge(9.9, ph, DECREE_45) == (EXCEEDS, 1.1, "2")
