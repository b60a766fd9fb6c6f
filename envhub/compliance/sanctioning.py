"""The Decree 45/2022 classification of exceedance events: computed on read from the event, its
source and the sanction data a steward keeps (`sanction_models`), with the pure rule
(`sanctions.classify`). Nothing is stored on the event, so the page, the API and the exports
show the same thing and follow every edit of the data.

`SanctionContext` reads the tables once and the events that make an event repeated or
multiple in one query per batch: build one for a page or an export of events."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from envhub.compliance import sanctions
from envhub.compliance.models import EventStatus, ExceedanceBand, ExceedanceEvent, Verification
from envhub.compliance.sanction_models import (
    FlowBand,
    FlowUnit,
    ParameterClass,
    ParameterClassKind,
    Penalty,
    SanctionClause,
    SanctionRule,
)
from envhub.core.numbers import format_number
from envhub.registry.models import SourceKind

V = Verification.VERIFIED


def build_table(medium: str) -> tuple[sanctions.Table, SanctionRule] | None:
    """The medium's sanction table as the pure rule reads it; None without a rule row."""
    rule = SanctionRule.objects.filter(medium=medium).first()
    if rule is None:
        return None
    bands = [sanctions.Rung(band.code, band.lower, band.upper, band.label, band.verification == V)
             for band in ExceedanceBand.objects.filter(medium=medium).order_by("lower")]
    flows = [sanctions.FlowStep(row.code, row.lower, row.upper, row.label, row.verification == V)
             for row in FlowBand.objects.filter(medium=medium).order_by("lower")]
    clauses = [sanctions.Clause(
        band=row.band.code, flow_band=row.flow_band.code if row.flow_band else None,
        parameter_class=row.parameter_class, penalty=row.penalty, article=row.article,
        clause=row.clause, point=row.point, fine_min=row.fine_min, fine_max=row.fine_max,
        additional=row.additional, verified=row.verification == V)
        for row in SanctionClause.objects.filter(band__medium=medium).select_related(
            "band", "flow_band")]
    table = sanctions.Table(
        medium=medium, flow_unit=rule.flow_unit, bands=bands, flow_bands=flows, clauses=clauses,
        organisation_multiplier=rule.organisation_multiplier,
        multiplier_verified=rule.multiplier_verification == V,
        aggravated_from=rule.aggravated_from, aggravated_to=rule.aggravated_to,
        repetition_verified=rule.repetition_verification == V)
    return table, rule


def source_flow(event: ExceedanceEvent) -> tuple[float | None, str]:
    """The discharge flow the flow bands are read with: for an outfall the permit's daily
    discharge where it states one, else the source's design flow (m³/h)."""
    source = event.source
    if source.kind == SourceKind.OUTFALL and event.permit is not None \
            and event.permit.discharge_m3d is not None:
        return event.permit.discharge_m3d, sanctions.PER_DAY
    return source.design_flow_m3h, sanctions.PER_HOUR


class SanctionContext:
    """What classifying a batch of events needs, read once."""

    def __init__(self, events: Iterable[ExceedanceEvent] = ()):
        self.tables: dict[str, tuple[sanctions.Table, SanctionRule] | None] = {}
        self.classes = {row.parameter_id: row for row in ParameterClass.objects.all()}
        self.neighbours: dict[int, list[tuple]] = {}
        self._loaded: set[int] = set()
        self.prepare(list(events))

    def table(self, medium: str):
        if medium not in self.tables:
            self.tables[medium] = build_table(medium)
        return self.tables[medium]

    def prepare(self, events: list[ExceedanceEvent]) -> None:
        """Read the events near these (same sources, within the longest repetition window)."""
        missing = [event for event in events if event.source_id not in self._loaded]
        if not missing:
            return
        windows = [rule.repeat_window_days for rule in SanctionRule.objects.all()] or [0]
        reach = datetime.timedelta(days=max(windows))
        sources = {event.source_id for event in missing}
        first = min(event.start for event in missing) - reach
        last = max(event.end for event in missing)
        rows = ExceedanceEvent.objects.filter(
            source_id__in=sources, end__gte=first, start__lte=last).exclude(
            status=EventStatus.WITHDRAWN).values_list("id", "source_id", "parameter_id", "start",
                                                      "end")
        for source_id in sources:
            self.neighbours.setdefault(source_id, [])
        for row in rows:
            self.neighbours[row[1]].append(row)
        self._loaded |= sources

    def repeated(self, event: ExceedanceEvent, rule: SanctionRule) -> bool:
        """Another exceedance of the same source and parameter ended within the window before
        this one began."""
        self.prepare([event])
        window = datetime.timedelta(days=rule.repeat_window_days)
        return any(other_id != event.pk and parameter_id == event.parameter_id
                   and start < event.start and event.start - end <= window
                   for other_id, _source, parameter_id, start, end
                   in self.neighbours[event.source_id])

    def multiple(self, event: ExceedanceEvent, rule: SanctionRule) -> bool:
        """At least the rule's number of parameters of the source over their limits at once."""
        self.prepare([event])
        parameters = {parameter_id for _id, _source, parameter_id, start, end
                      in self.neighbours[event.source_id]
                      if start <= event.end and end >= event.start}
        parameters.add(event.parameter_id)
        return len(parameters) >= rule.multiple_min_parameters

    def classify(self, event: ExceedanceEvent) -> sanctions.Classification | None:
        """The event's classification; None when its medium has no sanction rule."""
        found = self.table(event.parameter.medium)
        if found is None:
            return None
        table, rule = found
        flow, unit = source_flow(event)
        known = self.classes.get(event.parameter_id)
        return sanctions.classify(
            event.peak_multiple, flow, unit, known.kind if known else None,
            self.repeated(event, rule), self.multiple(event, rule), table,
            class_verified=known is not None and known.verification == V)


def classify_event(event: ExceedanceEvent) -> sanctions.Classification | None:
    return SanctionContext([event]).classify(event)


# --- wording -----------------------------------------------------------------------------------

def _flow_unit_label(unit: str) -> str:
    return str(FlowUnit(unit).label)


def _number(value) -> str:
    return format_number(value, get_language())


def reason_text(reason: sanctions.Reason, unit: str) -> str:
    if reason.code == "not_banded":
        return _("The peak is not above the limit by a multiple the bands hold (a value below "
                 "a range, say): no band.")
    if reason.code == "lifted":
        return _("Under the lowest band but repeated or multiple: treated as “%(to)s”.") % {
            "to": reason.get("to")}
    if reason.code == "aggravating":
        return _("Repeated or multiple: an aggravating circumstance.")
    if reason.code == "no_flow":
        return _("The source's discharge flow is not recorded: the flow band is not known.")
    if reason.code == "flow_outside":
        return _("A flow of %(flow)s %(unit)s is outside the flow bands entered.") % {
            "flow": _number(reason.get("flow")), "unit": _flow_unit_label(unit)}
    if reason.code == "no_class":
        return _("The parameter has no class (ordinary or hazardous) in the sanction data.")
    if reason.code == "no_clause":
        return _("No clause is entered for this band, flow and class.")
    if reason.code == "fine_needs_flow":
        return _("The fine depends on the flow band, which is not known: no amount is shown.")
    if reason.code == "no_amount":
        return _("The fine amounts of this clause are not entered yet.")
    return reason.code


def clause_text(clause: sanctions.Clause | None) -> str:
    if clause is None:
        return ""
    return ", ".join(part for part in (clause.point, clause.clause, clause.article) if part)


def _band(rung) -> dict | None:
    return None if rung is None else {"code": rung.code, "label": rung.label}


def _fine(fine: sanctions.Fine | None) -> dict | None:
    return None if fine is None else {"min": fine.minimum, "max": fine.maximum}


def as_dict(found: sanctions.Classification | None) -> dict | None:
    """The classification as the API and the page show it (reasons in the request's
    language); None when the medium has no sanction rule."""
    if found is None:
        return None
    clause = found.clause
    return {
        "band": _band(found.band), "applied_band": _band(found.applied_band),
        "flow": found.flow, "flow_unit": found.flow_unit,
        "flow_band": None if found.flow_band is None else {
            "code": found.flow_band.code, "label": found.flow_band.label},
        "parameter_class": found.parameter_class,
        "parameter_class_label": str(ParameterClassKind(found.parameter_class).label)
        if found.parameter_class else "",
        "aggravation": list(found.aggravation),
        "penalty": found.penalty,
        "penalty_label": str(Penalty(found.penalty).label) if found.penalty else "",
        "clause": None if clause is None else {
            "article": clause.article, "clause": clause.clause, "point": clause.point,
            "text": clause_text(clause)},
        "fine_individual": _fine(found.fine_individual),
        "fine_organisation": _fine(found.fine_organisation),
        "additional": clause.additional if clause else "",
        "verified": found.verified,
        "reasons": [reason_text(reason, found.flow_unit) for reason in found.reasons],
    }


def _aggravation_label(names) -> str:
    words = {sanctions.REPEATED: _("repeated"), sanctions.MULTIPLE: _("multiple parameters")}
    return ", ".join(str(words[name]) for name in names)


def sanction_column_labels() -> list[str]:
    """The headers of `sanction_columns`, in order (for an export with no events)."""
    return [_("Decree 45/2022 band"), _("Flow band"), _("Parameter class"), _("Aggravation"),
            _("Clause"), _("Penalty"), _("Fine for an individual, from (VND)"),
            _("Fine for an individual, up to (VND)"), _("Fine for an organisation, from (VND)"),
            _("Fine for an organisation, up to (VND)"), _("Additional sanctions and remedies"),
            _("Sanction data verified")]


def sanction_columns(event: ExceedanceEvent, context: SanctionContext | None = None
                     ) -> dict[str, object]:
    """Column label → value of the event's classification, for CSV and XLSX exports: text
    cells and whole VND amounts (None where not entered or not applicable). Pass one
    `context` for a batch of events (`SanctionContext(events)`)."""
    found = (context or SanctionContext([event])).classify(event)
    if found is None:
        return dict.fromkeys(sanction_column_labels())
    shown = as_dict(found)
    fine, organisation = found.fine_individual, found.fine_organisation
    values = [
        found.applied_band.label if found.applied_band else None,
        found.flow_band.label if found.flow_band else None,
        shown["parameter_class_label"] or None,
        _aggravation_label(found.aggravation) or None,
        shown["clause"]["text"] if shown["clause"] else None,
        shown["penalty_label"] or None,
        fine.minimum if fine else None, fine.maximum if fine else None,
        organisation.minimum if organisation else None,
        organisation.maximum if organisation else None,
        shown["additional"] or None,
        _("yes") if found.verified else _("no"),
    ]
    return dict(zip(sanction_column_labels(), values, strict=True))


def summary(event: ExceedanceEvent) -> str:
    """The classification in one line of text (the admin's event page)."""
    shown = as_dict(classify_event(event))
    if shown is None:
        return "—"
    parts = [shown["clause"]["text"] if shown["clause"] else "",
             shown["penalty_label"],
             shown["applied_band"]["label"] if shown["applied_band"] else "",
             shown["flow_band"]["label"] if shown["flow_band"] else "",
             shown["parameter_class_label"],
             str(_("verified")) if shown["verified"] else str(_("not verified")),
             *shown["reasons"]]
    return " · ".join(part for part in parts if part)


def attach(events: list[ExceedanceEvent]) -> list[ExceedanceEvent]:
    """Set `event.sanction` (`as_dict`) on each event of a page, reading the data once."""
    context = SanctionContext(events)
    for event in events:
        event.sanction = as_dict(context.classify(event))
    return events
