"""The Decree 45/2022 classification table: every exceedance band × flow band × parameter
class × repetition case, then the boundaries and what is missing (no flow, no class, no
clause, no amount), on a table built here so each expected clause can be read off it."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from envhub.compliance import sanctions
from envhub.compliance.sanctions import Clause, FlowStep, Rung, Table, classify

BANDS = (Rung("1", 1.0, 1.1, "<1.1", True), Rung("2", 1.1, 1.5, "1.1–1.5", True),
         Rung("3", 1.5, 2.0, "1.5–2", True), Rung("4", 2.0, 3.0, "2–3", True),
         Rung("5", 3.0, 5.0, "3–5", True), Rung("6", 5.0, 10.0, "5–10", True),
         Rung("7", 10.0, None, "≥10", True))
FLOWS = (FlowStep("F1", 0, 5, "<5", True), FlowStep("F2", 5, 10, "5–10", True),
         FlowStep("F3", 10, None, "≥10", True))
ARTICLE = {"ordinary": "Điều 18", "hazardous": "Điều 19"}
HAZARD_STEP = 50_000


def fine_of(band: str, flow: int, kind: str) -> int:
    """The amount the table below gives: band, flow band and class readable in the digits."""
    return int(band) * 1_000_000 + flow * 100_000 + (HAZARD_STEP if kind == "hazardous" else 0)


CLAUSES = tuple(
    [Clause("1", None, kind, sanctions.WARNING, ARTICLE[kind], "Khoản 1", verified=True)
     for kind in ARTICLE]
    + [Clause(band.code, flow.code, kind, sanctions.FINE, ARTICLE[kind], f"Khoản {band.code}",
              "abc"[index], fine_of(band.code, index, kind), fine_of(band.code, index, kind)
              + 10_000, verified=True)
       for band in BANDS[1:] for index, flow in enumerate(FLOWS) for kind in ARTICLE])
TABLE = Table("water", sanctions.PER_DAY, BANDS, FLOWS, CLAUSES, organisation_multiplier=2,
              multiplier_verified=True, aggravated_from="1", aggravated_to="2",
              repetition_verified=True)

MULTIPLES = {"1": 1.05, "2": 1.3, "3": 1.7, "4": 2.5, "5": 4.0, "6": 7.0, "7": 12.0}
FLOW_VALUES = {0: 2.0, 1: 7.0, 2: 50.0}
REPETITION = {"first": (False, False), "repeated": (True, False), "multiple": (False, True),
              "repeated+multiple": (True, True)}
CASES = list(itertools.product(MULTIPLES, FLOW_VALUES, ARTICLE, REPETITION))


@pytest.mark.parametrize("band, flow, kind, repetition", CASES,
                         ids=[f"band{b}-F{f + 1}-{k}-{r}" for b, f, k, r in CASES])
def test_it_classifies_each_band_flow_class_and_repetition(band, flow, kind, repetition):
    repeated, several = REPETITION[repetition]
    found = classify(MULTIPLES[band], FLOW_VALUES[flow], "m3/day", kind, repeated, several, TABLE)
    lifted = band == "1" and (repeated or several)
    applied = "2" if lifted else band
    assert found.band.code == band
    assert found.applied_band.code == applied
    assert found.flow_band.code == f"F{flow + 1}"
    assert found.parameter_class == kind
    assert found.aggravation == tuple(name for name, on in (("repeated", repeated),
                                                            ("multiple", several)) if on)
    assert found.clause.article == ARTICLE[kind]
    assert found.clause.clause == f"Khoản {applied}"
    assert found.verified
    if applied == "1":
        assert found.penalty == "warning"
        assert found.fine_individual is None and found.fine_organisation is None
    else:
        amount = fine_of(applied, flow, kind)
        assert found.penalty == "fine"
        assert (found.fine_individual.minimum, found.fine_individual.maximum) == (
            amount, amount + 10_000)
        assert (found.fine_organisation.minimum, found.fine_organisation.maximum) == (
            2 * amount, 2 * (amount + 10_000))
    codes = [reason.code for reason in found.reasons]
    assert ("lifted" in codes) == lifted
    assert ("aggravating" in codes) == (bool(repeated or several) and not lifted)


@pytest.mark.parametrize("multiple, band", [
    (1.0, None), (1.0000001, "1"), (1.0999999, "1"), (1.1, "2"), (1.4999, "2"), (1.5, "3"),
    (1.9999, "3"), (2.0, "4"), (3.0, "5"), (5.0, "6"), (9.9999, "6"), (10.0, "7"),
    (1000.0, "7"), (0.5, None), (None, None),
])
def test_it_puts_a_multiple_on_the_boundary_in_the_upper_band(multiple, band):
    found = classify(multiple, 7.0, "m3/day", "ordinary", False, False, TABLE)
    assert (found.band.code if found.band else None) == band
    if band is None:
        assert found.clause is None and found.penalty is None and not found.verified
        assert [reason.code for reason in found.reasons] == ["not_banded"]


@pytest.mark.parametrize("flow, unit, code", [
    (0.0, "m3/day", "F1"), (4.999, "m3/day", "F1"), (5.0, "m3/day", "F2"), (9.99, "m3/day", "F2"),
    (10.0, "m3/day", "F3"), (1e6, "m3/day", "F3"),
    (0.25, "m3/h", "F2"),  # 6 m³/day
    (0.5, "m3/h", "F3"),  # 12 m³/day
])
def test_it_puts_a_flow_on_the_boundary_in_the_upper_band(flow, unit, code):
    found = classify(1.3, flow, unit, "ordinary", False, False, TABLE)
    assert found.flow_band.code == code


def test_without_a_flow_it_says_so_and_gives_no_fined_clause():
    found = classify(1.3, None, "m3/h", "ordinary", False, False, TABLE)
    assert found.band.code == "2" and found.flow_band is None and found.flow is None
    assert found.clause is None and found.fine_individual is None
    assert [reason.code for reason in found.reasons] == ["no_flow", "no_clause"]
    assert not found.verified


def test_without_a_flow_a_warning_that_needs_none_still_applies():
    found = classify(1.05, None, "m3/h", "hazardous", False, False, TABLE)
    assert found.penalty == "warning" and found.clause.article == "Điều 19"
    assert [reason.code for reason in found.reasons] == ["no_flow"]


def test_a_parameter_without_a_class_gets_no_clause():
    found = classify(2.5, 7.0, "m3/day", None, False, False, TABLE)
    assert found.parameter_class is None and found.clause is None
    assert found.band.code == "4" and found.flow_band.code == "F2"
    assert [reason.code for reason in found.reasons] == ["no_class", "no_clause"]


GENERIC = Table("emission", sanctions.PER_HOUR, BANDS, (FlowStep("E1", 0, 500, "<500"),),
                (Clause("2", None, "ordinary", sanctions.FINE, "Điều 20", verified=True),
                 Clause("2", "E1", "ordinary", sanctions.FINE, "Điều 20", "Khoản 2", "a",
                        10_000_000, 20_000_000, verified=True),
                 Clause("3", None, "", sanctions.FINE, "Điều 20", verified=False)),
                aggravated_from="1", aggravated_to="2")


def test_a_row_for_the_flow_band_beats_a_row_for_any_flow():
    found = classify(1.2, 100, "m3/h", "ordinary", False, False, GENERIC)
    assert found.clause.point == "a" and found.fine_individual.minimum == 10_000_000
    assert not found.verified  # the flow band, the multiplier and the rule are unverified


def test_a_flow_outside_the_bands_withholds_the_amount_of_a_flow_dependent_band():
    found = classify(1.2, 50_000, "m3/h", "ordinary", False, False, GENERIC)
    assert found.flow_band is None and found.clause.article == "Điều 20"
    assert found.fine_individual is None
    assert [reason.code for reason in found.reasons] == ["flow_outside", "fine_needs_flow"]
    assert found.reasons[0].get("flow") == 50_000


def test_a_clause_without_amounts_says_they_are_not_entered():
    found = classify(1.7, 100, "m3/h", "hazardous", False, False, GENERIC)
    assert found.clause.article == "Điều 20" and found.penalty == "fine"
    assert found.fine_individual is None
    assert [reason.code for reason in found.reasons] == ["no_amount"]
    assert not found.verified


def test_a_band_without_any_clause_says_so():
    found = classify(2.5, 100, "m3/h", "ordinary", True, False, GENERIC)
    assert found.clause is None
    assert [reason.code for reason in found.reasons] == ["aggravating", "no_clause"]


@pytest.mark.parametrize("change", [
    {"bands": tuple(replace(rung, verified=rung.code != "2") for rung in BANDS)},
    {"flow_bands": (FLOWS[0], replace(FLOWS[1], verified=False), FLOWS[2])},
    {"multiplier_verified": False},
    {"clauses": tuple(replace(row, verified=row.clause != "Khoản 2") for row in CLAUSES)},
])
def test_one_unverified_row_used_makes_it_unverified(change):
    found = classify(1.3, 7.0, "m3/day", "ordinary", False, False, replace(TABLE, **change))
    assert not found.verified


def test_an_unverified_class_or_repetition_rule_makes_it_unverified():
    assert not classify(1.3, 7.0, "m3/day", "ordinary", False, False, TABLE,
                        class_verified=False).verified
    assert not classify(1.05, 7.0, "m3/day", "ordinary", True, False,
                        replace(TABLE, repetition_verified=False)).verified


@pytest.mark.parametrize("flow, unit", [(-1.0, "m3/h"), (5.0, "l/s")])
def test_it_refuses_a_negative_flow_or_an_unknown_unit(flow, unit):
    with pytest.raises(sanctions.SanctionError):
        classify(1.3, flow, unit, "ordinary", False, False, TABLE)
