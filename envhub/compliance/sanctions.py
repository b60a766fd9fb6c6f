"""Which clause of Decree 45/2022 sanctions an exceedance (docs/domain/sanctions.md): the band
of the exceedance multiple, the band of the source's discharge flow, the class of the
parameter (ordinary or hazardous) and the aggravation of a repeated or multiple violation,
looked up in a table a steward keeps. Pure module: no Django; the service builds the `Table`
from the database and words the `Reason`s.

It never guesses: without the flow, the class or a clause row it says what is missing, and fine
amounts are given only where a row holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from envhub.compliance import rules

ORDINARY, HAZARDOUS = "ordinary", "hazardous"
WARNING, FINE = "warning", "fine"
PER_DAY, PER_HOUR = "m3/day", "m3/h"
HOURS_PER_DAY = 24
REPEATED, MULTIPLE = "repeated", "multiple"


@dataclass(frozen=True)
class Step:
    """A band of one of the tables: values in [lower, upper) (upper None: no end)."""

    code: str
    lower: float
    upper: float | None
    label: str = ""
    verified: bool = False

    def holds(self, value: float) -> bool:
        return value >= self.lower and (self.upper is None or value < self.upper)


class Rung(Step):
    """An exceedance band: multiples in [lower, upper)."""


class FlowStep(Step):
    """A discharge-flow band: flows in [lower, upper), in the table's unit."""


@dataclass(frozen=True)
class Clause:
    """A row of the clause table; `flow_band` None: any flow; `parameter_class` "": either."""

    band: str
    flow_band: str | None = None
    parameter_class: str = ""
    penalty: str = FINE
    article: str = ""
    clause: str = ""
    point: str = ""
    fine_min: int | None = None
    fine_max: int | None = None
    additional: str = ""
    verified: bool = False

    @property
    def specificity(self) -> tuple[bool, bool]:
        return (self.flow_band is not None, bool(self.parameter_class))


@dataclass(frozen=True)
class Table:
    """One medium's sanction structure."""

    medium: str
    flow_unit: str
    bands: Sequence[Rung]
    flow_bands: Sequence[FlowStep]
    clauses: Sequence[Clause]
    organisation_multiplier: float = 2.0
    multiplier_verified: bool = False
    aggravated_from: str = ""
    aggravated_to: str = ""
    repetition_verified: bool = False


@dataclass(frozen=True)
class Reason:
    """Why the classification is what it is; `code` picks the wording, `values` fill it."""

    code: str
    values: tuple[tuple[str, object], ...] = ()

    def get(self, name: str):
        return dict(self.values).get(name)


@dataclass(frozen=True)
class Fine:
    minimum: int | None
    maximum: int | None


@dataclass(frozen=True)
class Classification:
    band: Rung | None  # the band of the multiple itself
    applied_band: Rung | None  # the band whose clause applies (lifted by aggravation)
    flow: float | None  # in the table's unit
    flow_unit: str
    flow_band: FlowStep | None
    parameter_class: str | None
    aggravation: tuple[str, ...]
    clause: Clause | None
    penalty: str | None
    fine_individual: Fine | None  # None: no fine applies or none is entered
    fine_organisation: Fine | None
    verified: bool
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


class SanctionError(ValueError):
    """The inputs cannot be classified (a unit the table cannot convert, a negative flow)."""


def convert_flow(flow: float, unit: str, to_unit: str) -> float:
    """A flow in m³/h or m³/day, in the other (a day of 24 hours)."""
    if unit not in (PER_DAY, PER_HOUR) or to_unit not in (PER_DAY, PER_HOUR):
        raise SanctionError(f"unknown flow unit {unit!r} or {to_unit!r}")
    if unit == to_unit:
        return float(flow)
    return flow * HOURS_PER_DAY if unit == PER_HOUR else flow / HOURS_PER_DAY


def band_of(multiple: float | None, bands: Sequence[Rung]) -> Rung | None:
    if multiple is None:
        return None
    return rules.band_for(multiple, sorted(bands, key=lambda rung: rung.lower))


def classify(multiple: float | None, flow: float | None, flow_unit: str,
             parameter_class: str | None, repeated: bool, multiple_parameters: bool,
             table: Table, *, class_verified: bool = True) -> Classification:
    """The clause that sanctions an exceedance of `multiple` times the limit, from a source
    discharging `flow` (in `flow_unit`), of a parameter of `parameter_class` (None: unknown),
    `repeated` or among `multiple_parameters` over their limits."""
    reasons: list[Reason] = []
    used_verified = [class_verified] if parameter_class else []

    band = band_of(multiple, table.bands)
    if band is None:
        reasons.append(Reason("not_banded", (("multiple", multiple),)))
    else:
        used_verified.append(band.verified)

    aggravation = tuple(name for name, present in ((REPEATED, repeated),
                                                   (MULTIPLE, multiple_parameters)) if present)
    applied = band
    if band is not None and aggravation:
        used_verified.append(table.repetition_verified)
        lifted = next((rung for rung in table.bands if rung.code == table.aggravated_to), None)
        if table.aggravated_from and band.code == table.aggravated_from and lifted is not None:
            applied = lifted
            used_verified.append(lifted.verified)
            reasons.append(Reason("lifted", (("band", band.label), ("to", lifted.label))))
        else:
            reasons.append(Reason("aggravating", ()))

    if flow is not None and flow < 0:
        raise SanctionError("a flow cannot be negative")
    in_unit = None if flow is None else convert_flow(flow, flow_unit, table.flow_unit)
    flow_band = None
    if in_unit is None:
        reasons.append(Reason("no_flow"))
    else:
        flow_band = next((step for step in table.flow_bands if step.holds(in_unit)), None)
        if flow_band is None:
            reasons.append(Reason("flow_outside", (("flow", in_unit),
                                                   ("unit", table.flow_unit))))
    if not parameter_class:
        parameter_class = None
        reasons.append(Reason("no_class"))

    clause = _clause(table, applied, flow_band, parameter_class) if applied else None
    penalty = fine_individual = fine_organisation = None
    if applied is not None and clause is None:
        reasons.append(Reason("no_clause", (("band", applied.label),)))
    if clause is not None:
        used_verified.append(clause.verified)
        penalty = clause.penalty
        needs_flow = clause.flow_band is None and penalty == FINE and flow_band is None and any(
            row.flow_band is not None for row in table.clauses if row.band == applied.code)
        if flow_band is not None and clause.flow_band is not None:
            used_verified.append(flow_band.verified)
        if needs_flow:
            reasons.append(Reason("fine_needs_flow"))
        elif penalty == FINE and (clause.fine_min is not None or clause.fine_max is not None):
            fine_individual = Fine(clause.fine_min, clause.fine_max)
            fine_organisation = Fine(*(None if amount is None else
                                       round(amount * table.organisation_multiplier)
                                       for amount in (clause.fine_min, clause.fine_max)))
            used_verified.append(table.multiplier_verified)
        elif penalty == FINE:
            reasons.append(Reason("no_amount"))

    verified = bool(used_verified) and clause is not None and all(used_verified)
    return Classification(
        band=band, applied_band=applied, flow=in_unit, flow_unit=table.flow_unit,
        flow_band=flow_band, parameter_class=parameter_class, aggravation=aggravation,
        clause=clause, penalty=penalty, fine_individual=fine_individual,
        fine_organisation=fine_organisation, verified=verified, reasons=tuple(reasons))


def _clause(table: Table, band: Rung, flow_band: FlowStep | None,
            parameter_class: str | None) -> Clause | None:
    """The most specific row for the band that fits: a row naming the flow band beats one for
    any flow, then a row naming the class beats one for either."""
    fitting = [row for row in table.clauses if row.band == band.code
               and (row.flow_band is None or (flow_band is not None
                                              and row.flow_band == flow_band.code))
               and (not row.parameter_class or row.parameter_class == parameter_class)]
    if not fitting:
        return None
    return max(fitting, key=lambda row: row.specificity)
