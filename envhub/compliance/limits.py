"""The limits in force for a source: which permit applies at a moment, and what each of its
parameters may reach, with the derivation people can check ("QCVN 19:2009/BTNMT cột B,
C = 200 × Kp 0.9 × Kv 0.8 = 144 mg/Nm3").

The arithmetic is `rules`; the figures come from the permit and the regulation's tables. A limit
that cannot be computed (a factor input missing from the permit, a table the notes could not
read, a regulation whose transition has ended) is returned with the reason instead of a value,
so that pages show the gap and the judging leaves those hours unjudged rather than guessing.

Everything is taken as in force on the day judged (`core.periods`): the regulation (from the
day it is in force to the end of its transition), the column the permit names — or, once that
column has ended, the one the regulation applies after it (QCVN 19:2009 column A until
31/12/2014, then column B), with a notice saying so — and each limit row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.compliance import rules
from envhub.compliance.models import (
    Column,
    FactorBasis,
    FactorStep,
    LimitForm,
    LimitValue,
    Permit,
    RegulationColumn,
    RegulationRules,
    Verification,
)
from envhub.core import periods, units
from envhub.core.numbers import format_number
from envhub.registry.models import Medium, Parameter, Source, SourceKind

# Which factors a regulation of the factor form multiplies, by medium, and the permit field that
# may state each one outright.
FACTOR_SYMBOLS = {Medium.EMISSION: ("Kp", "Kv"), Medium.WATER: ("Kq", "Kf")}
PERMIT_INPUTS = {
    FactorBasis.FACILITY_FLOW: "facility_flow_m3h",
    FactorBasis.STACK_FLOW: None,  # the source's own design flow
    FactorBasis.CAPACITY: "capacity",
    FactorBasis.LOCATION_CLASS: "location_class",
    FactorBasis.RIVER_FLOW: "river_flow_m3s",
    FactorBasis.LAKE_VOLUME: "lake_volume_m3",
    FactorBasis.COASTAL_USE: "coastal_use",
    FactorBasis.DISCHARGE: "discharge_m3d",
}
_TRUST = [Verification.UNVERIFIED, Verification.SECONDARY, Verification.VERIFIED]


def _weakest(tags) -> str:
    return min(tags, key=_TRUST.index, default=Verification.VERIFIED)


@dataclass
class EffectiveLimit:
    """A parameter's limit under a permit: `limit` None with `problem` when it cannot be
    computed."""

    parameter: Parameter
    permit: Permit
    limit: rules.Limit | None
    derivation: str
    reference_o2: float | None = None
    origin: str = "regulation"  # or "permit": the permit's own figure
    verification: str = Verification.UNVERIFIED
    problem: str = ""

    @property
    def verified(self) -> bool:
        return self.verification == Verification.VERIFIED


@dataclass
class PermitLimits:
    permit: Permit
    rules: RegulationRules
    column: periods.Applied  # the column the permit names, and the one in force that day
    limits: dict[int, EffectiveLimit] = field(default_factory=dict)  # by parameter id
    problem: str = ""  # the whole permit cannot be applied at this date
    notice: str = ""  # applied, but not as written: the column named is no longer in force


def regulation_rules(regulation) -> RegulationRules:
    """The regulation's application rules; the defaults when a steward has not set them."""
    found = RegulationRules.objects.filter(regulation=regulation).first()
    return found or RegulationRules(regulation=regulation)


@dataclass
class _Tables:
    columns: dict[str, RegulationColumn]
    rules: RegulationRules
    steps: list[FactorStep]
    rows: list[LimitValue]  # every column's and category's, with their parameters


class RegulationTables:
    """Regulations' tables read once for a judging run: the worker judges many sources a run
    and they share a few regulations, whose four tables were read again for every source-hour
    (a quarter of the judging's time). A run is short; an edit made during it is judged again
    in the next (editing a table queues its permits, `services.rejudge`)."""

    def __init__(self):
        self._read: dict[int, _Tables] = {}

    def of(self, regulation) -> _Tables:
        if regulation.pk not in self._read:
            self._read[regulation.pk] = _Tables(
                columns={row.column: row for row in
                         RegulationColumn.objects.filter(regulation=regulation)},
                rules=regulation_rules(regulation),
                steps=list(FactorStep.objects.filter(regulation=regulation)),
                rows=list(LimitValue.objects.filter(regulation=regulation)
                          .select_related("parameter")))
        return self._read[regulation.pk]


def permit_on(source: Source | int, day: datetime.date) -> Permit | None:
    source_id = source if isinstance(source, int) else source.pk
    candidates = Permit.objects.filter(source_id=source_id, valid_from__lte=day).select_related(
        "regulation", "source")
    for permit in candidates.order_by("-valid_from"):
        if permit.valid_until is None or day <= permit.valid_until:
            return permit
    return None


def column_in_force(permit: Permit, day: datetime.date, tables: RegulationTables | None = None
                    ) -> tuple[periods.Applied, str]:
    """The column of the permit's regulation in force on `day` for a permit naming its
    column, and the verification of the dates that decided it."""
    rows = (tables or RegulationTables()).of(permit.regulation).columns
    applied = periods.in_force(
        permit.column, day, {column: row.period for column, row in rows.items()},
        {column: row.then_column for column, row in rows.items() if row.then_column})
    decided_by = rows.get(permit.column) if applied.state != periods.IN_FORCE else None
    return applied, decided_by.verification if decided_by else Verification.VERIFIED


def _column_label(permit: Permit, column: periods.Applied) -> str:
    label = f"{permit.regulation.code} {Column(column.used or column.named).label}"
    if column.substituted:
        label += " " + _("(in place of %(column)s, which the permit names)") % {
            "column": Column(column.named).label}
    return f"{label}, {permit.category}" if permit.category else label


def _day(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _regulation_problem(permit: Permit, day: datetime.date) -> str:
    regulation = permit.regulation
    applied = periods.in_force(regulation.code, day, {regulation.code: regulation.period})
    if applied.state == periods.ENDED:
        return _("%(regulation)s applies only until %(date)s; the source needs a permit under "
                 "the regulation that replaces it.") % {
            "regulation": regulation.code, "date": _day(applied.ended_on)}
    if applied.state == periods.NOT_YET:
        return _("%(regulation)s is in force only from %(date)s.") % {
            "regulation": regulation.code, "date": _day(applied.starts_on)}
    return ""


def _column_notice(permit: Permit, column: periods.Applied) -> tuple[str, str]:
    """(problem, notice) of the column: nothing in force, or another one than the permit's."""
    named = {"regulation": permit.regulation.code, "column": Column(column.named).label}
    if column.state == periods.NOT_YET:
        return _("%(column)s of %(regulation)s applies only from %(date)s.") % {
            **named, "date": _day(column.starts_on)}, ""
    if column.state == periods.ENDED:
        return _("%(column)s of %(regulation)s applied only until %(date)s, and the regulation "
                 "names no column after it: the permit must name the column in force.") % {
            **named, "date": _day(column.ended_on)}, ""
    if column.substituted:
        return "", _("The permit names %(column)s of %(regulation)s, which applied only until "
                     "%(date)s; the regulation applies %(used)s to every facility since, so "
                     "the limits are those of %(used)s.") % {
            **named, "date": _day(column.ended_on), "used": Column(column.used).label}
    return "", ""


def _factor(permit: Permit, symbol: str, steps: list[FactorStep]) -> tuple[rules.Factor, str]:
    """The factor and the weakest verification behind it; raises RuleError with a reason."""
    stated = getattr(permit, symbol.lower())
    if stated is not None:
        return rules.Factor(symbol, stated, _("stated in the permit")), Verification.VERIFIED
    tables = [step for step in steps if step.symbol == symbol]
    if not tables:
        raise rules.RuleError(_("%(regulation)s has no %(factor)s table loaded: the permit must "
                                "state %(factor)s.") % {"regulation": permit.regulation.code,
                                                         "factor": symbol})
    for basis in dict.fromkeys(step.basis for step in tables):
        attribute = PERMIT_INPUTS[basis]
        quantity = permit.source.design_flow_m3h if attribute is None else \
            getattr(permit, attribute)
        if quantity in (None, ""):
            continue
        rows = [step for step in tables if step.basis == basis]
        pure = [rules.FactorStep(step.value, step.above, step.up_to, step.class_code)
                for step in rows]
        if FactorBasis.is_class(basis):
            chosen = rules.factor_by_class(pure, str(quantity))
            shown = str(quantity)
        else:
            chosen = rules.factor_by_quantity(pure, float(quantity))
            shown = format_number(float(quantity), get_language(), decimals=6)
        row = rows[pure.index(chosen)]
        return (rules.Factor(symbol, chosen.value, f"{FactorBasis(basis).label} = {shown}"),
                row.verification)
    bases = ", ".join(str(FactorBasis(basis).label) for basis in
                      dict.fromkeys(step.basis for step in tables))
    raise rules.RuleError(_("The permit lacks what %(factor)s is looked up by: %(bases)s.")
                          % {"factor": symbol, "bases": bases})


def _regulation_rows(permit: Permit, column: str, day: datetime.date, table: list[LimitValue]
                     ) -> tuple[dict[int, LimitValue], dict[int, str]]:
    """The regulation's rows in force on `day` for the column and the permit's category (the
    category's rows win over the general table's), one per parameter, chosen by size band when
    the table has bands; and the reasons for parameters whose row cannot be chosen."""
    rows = [row for row in table if row.column == column and
            row.category in ("", permit.category) and row.period.holds(day)]
    chosen: dict[int, LimitValue] = {}
    problems: dict[int, str] = {}
    for category in ["", permit.category] if permit.category else [""]:
        by_parameter: dict[int, list[LimitValue]] = {}
        for row in rows:
            if row.category == category:
                by_parameter.setdefault(row.parameter_id, []).append(row)
        for parameter_id, candidates in by_parameter.items():
            banded = [row for row in candidates
                      if row.size_above is not None or row.size_up_to is not None]
            if not banded:
                chosen[parameter_id] = candidates[0]
                problems.pop(parameter_id, None)
                continue
            if permit.capacity is None:
                problems[parameter_id] = _("The limit depends on the capacity, which the permit "
                                           "does not state.")
                chosen.pop(parameter_id, None)
                continue
            fitting = [row for row in banded if
                       rules.FactorStep(1, row.size_above, row.size_up_to).covers(permit.capacity)]
            if fitting:
                chosen[parameter_id] = fitting[0]
                problems.pop(parameter_id, None)
            else:
                problems[parameter_id] = _("No size band of the table covers the capacity "
                                           "%(capacity)g.") % {"capacity": permit.capacity}
    return chosen, problems


def limits_of(permit: Permit, day: datetime.date | None = None,
              tables: RegulationTables | None = None) -> PermitLimits:
    """Every limit the permit sets, as of `day` (default: the permit's first day); `tables`
    keeps the regulations' tables between calls (a judging run)."""
    day = day or permit.valid_from
    tables = tables or RegulationTables()
    table = tables.of(permit.regulation)
    column, column_verification = column_in_force(permit, day, tables)
    result = PermitLimits(permit=permit, rules=table.rules, column=column)
    column_problem, result.notice = _column_notice(permit, column)
    result.problem = _regulation_problem(permit, day) or column_problem
    medium = Medium.EMISSION if permit.source.kind == SourceKind.STACK else Medium.WATER
    rows, problems = _regulation_rows(permit, column.used or column.named, day, table.rows)
    label = _column_label(permit, column)
    parameters = {row.parameter_id: row.parameter for row in table.rows}
    for parameter_id, problem in problems.items():
        result.limits[parameter_id] = EffectiveLimit(parameters[parameter_id], permit, None,
                                                     label, problem=problem)
    for parameter_id, row in rows.items():
        effective = _from_row(permit, row, label, table.steps, medium, result.rules)
        effective.verification = _weakest([effective.verification, column_verification])
        result.limits[parameter_id] = effective
    for own in permit.own_limits.select_related("parameter"):
        limit = rules.compute_limit(own.value, own.unit, minimum=own.minimum)
        try:
            _same_unit(limit.unit, own.parameter)
        except rules.RuleError as error:
            result.limits[own.parameter_id] = EffectiveLimit(
                own.parameter, permit, None, _("Permit %(number)s") % {"number": permit.number},
                origin="permit", problem=str(error))
            continue
        result.limits[own.parameter_id] = EffectiveLimit(
            own.parameter, permit, limit,
            _("Permit %(number)s: %(limit)s") % {
                "number": permit.number, "limit": limit.derivation(language=get_language())},
            reference_o2=own.reference_o2 if own.reference_o2 is not None else
            permit.reference_o2, origin="permit", verification=Verification.VERIFIED)
    if result.problem:
        for effective in result.limits.values():
            effective.limit, effective.problem = None, result.problem
    return result


def _same_unit(unit: str, parameter: Parameter) -> None:
    """A limit is compared with the data as they are stored, in the parameter's canonical
    unit: a limit typed in another unit would be off by its factor, so it is refused."""
    try:
        same = units.equivalent(unit, parameter.unit)
    except units.UnitError:
        same = False
    if not same:
        raise rules.RuleError(_("The limit is in %(limit)s but the data are in %(data)s.") % {
            "limit": unit or "—", "data": parameter.unit or "—"})


def _from_row(permit, row: LimitValue, label: str, steps, medium, how: RegulationRules
              ) -> EffectiveLimit:
    factors, tags = [], [row.verification]
    try:
        if how.limit_form == LimitForm.FACTORS and row.factors_apply:
            for symbol in FACTOR_SYMBOLS[medium]:
                factor, tag = _factor(permit, symbol, steps)
                factors.append(factor)
                tags.append(tag)
        limit = rules.compute_limit(row.value, row.unit, factors, minimum=row.minimum)
        _same_unit(limit.unit, row.parameter)
    except rules.RuleError as error:
        return EffectiveLimit(row.parameter, permit, None, label, problem=str(error),
                              verification=_weakest(tags))
    return EffectiveLimit(
        row.parameter, permit, limit, f"{label}, {limit.derivation(language=get_language())}",
        reference_o2=permit.reference_o2 if permit.reference_o2 is not None else
        row.reference_o2, verification=_weakest(tags))
