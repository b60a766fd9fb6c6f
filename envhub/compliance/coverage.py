"""How much of a period the judged averages cover, told by the one rule of
`core.completeness.period_coverage`: the facility page, the overview, the province ranking,
the XLSX report and the API all say "no data", "not enough data (coverage)", "in progress" or
give their counts — never a 0 where nothing was judged.

A period's expected windows are the averaging windows (the regulation's width) that have ended
by now while a permit was valid; the window still running is not counted (it is in progress).
A window counts as valid when it was judged (enough data by the regulation's share); the
period has enough data when that same share of its expected windows are valid
(docs/domain/emission-standards.md §5)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Aggregate, Count, F, Q, Sum, TextField
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from envhub.compliance import daily_tallies
from envhub.compliance.models import (
    Assessment,
    DailyTally,
    LimitValue,
    Permit,
    PermitLimit,
    State,
)
from envhub.core import completeness
from envhub.core.completeness import PeriodCoverage
from envhub.core.numbers import format_number
from envhub.core.raw_rows import raw_rows
from envhub.core.timeutil import day_bounds
from envhub.monitoring.period_sums import add_sums, period_sums

STATUS_LABELS = {
    completeness.NO_DATA: gettext_lazy("no data"),
    completeness.INSUFFICIENT: gettext_lazy("not enough data"),
    completeness.IN_PROGRESS: gettext_lazy("in progress"),
    completeness.COMPLETE: gettext_lazy("enough data"),
}


def label(told: PeriodCoverage) -> str:
    """The status as people read it, with the coverage where it says something:
    "không đủ dữ liệu (tỷ lệ dữ liệu 25 %)"."""
    text = str(STATUS_LABELS[told.status])
    if told.status == completeness.INSUFFICIENT:
        return _("%(status)s (coverage %(coverage)s %%)") % {
            "status": text, "coverage": format_number(told.coverage, get_language(), unit="%")}
    return text


def _permit_bounds(permit, start: datetime.datetime, end: datetime.datetime):
    """The part of (start, end] in which the permit is valid."""
    first = max(start, day_bounds(permit["valid_from"])[0])
    last = end if permit["valid_until"] is None else min(end, day_bounds(permit["valid_until"])[1])
    return first, last


def _counts(filters: Q, start, stop, by: str) -> dict:
    """Per `by`: ended windows with any data, valid ones (judged), those over the limit and
    their hours, in (start, stop]."""
    rows = Assessment.objects.filter(filters, window_end__gt=start, window_end__lte=stop).values(
        by).annotate(with_data=Count("pk"), valid=Count("pk", filter=~Q(state=State.UNKNOWN)),
                     exceeded=Count("pk", filter=Q(state=State.EXCEEDS)),
                     exceeded_hours=Sum("window_hours", filter=Q(state=State.EXCEEDS)))
    return {row[by]: row for row in rows}


@dataclass
class ParameterCoverage:
    """One parameter of a source over a period: its judged windows and what may be said."""

    told: PeriodCoverage
    with_data: int = 0
    exceeded: int = 0
    exceeded_hours: int = 0

    @property
    def label(self) -> str:
        return label(self.told)

    @property
    def hours_shown(self) -> int | None:
        return self.told.shown(self.exceeded_hours)

    @property
    def exceeded_shown(self) -> int | None:
        return self.told.shown(self.exceeded)


def source_parameters(source_id: int, permit, rules, parameter_ids, start, end,
                      now) -> dict[int, ParameterCoverage]:
    """Per parameter id: its coverage over (start, end] under `permit` (the one whose limits are
    shown) and its regulation's `rules` (window width, share). Only the parameters the source
    measures (a regulation's table lists many more), or all of them while it has sent none."""
    from envhub.monitoring.models import Series

    measured = set(Series.objects.filter(station__source_id=source_id).order_by().values_list(
        "parameter_id", flat=True))
    parameter_ids = [pk for pk in parameter_ids if pk in measured] if measured else parameter_ids
    bounds = _permit_bounds({"valid_from": permit.valid_from,
                             "valid_until": permit.valid_until}, start, end)
    expected = completeness.ended_windows(*bounds, now, rules.averaging_hours)
    counts = _counts(Q(source_id=source_id, parameter_id__in=list(parameter_ids)), start,
                     min(end, now), "parameter_id")
    found = {}
    for parameter_id in parameter_ids:
        row = counts.get(parameter_id, {})
        told = completeness.period_coverage(start, end, now, expected, row.get("valid", 0),
                                            row.get("with_data", 0), rules.min_coverage)
        found[parameter_id] = ParameterCoverage(told, row.get("with_data", 0),
                                                row.get("exceeded", 0),
                                                row.get("exceeded_hours") or 0)
    return found


# --- facilities of a month (the overview and the province ranking) ---------------------------

@dataclass
class Tally:
    """Sums over the judged (source, parameter) pairs of one or more facilities."""

    expected: int = 0
    valid: int = 0
    with_data: int = 0
    exceeded_hours: int = 0
    share: float = 0.0  # the strictest of the regulations summed; the default when none

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.valid += other.valid
        self.with_data += other.with_data
        self.exceeded_hours += other.exceeded_hours
        self.share = max(self.share, other.share)

    def told(self, start, end, now) -> PeriodCoverage:
        return completeness.period_coverage(start, end, now, self.expected, self.valid,
                                            self.with_data,
                                            self.share or completeness.DEFAULT_SHARE)


def facilities_tally(facilities, start, end, now) -> dict[int, Tally]:
    """Per facility id (those with a permit valid in (start, end]): its expected windows —
    each permit's ended windows times the parameters it judges (those both measured and
    limited; at least one, so that a source that never sent data is expected to) — and its
    judged ones. Five queries, whatever the number of facilities."""
    return facilities_tallies(facilities, [(start, end)], now)[0]


def _first_day(start: datetime.datetime) -> datetime.date:
    return (start + datetime.timedelta(hours=12)).date()


def _after_last_day(end: datetime.datetime) -> datetime.date:
    return (end + datetime.timedelta(days=1)).date()


def _days(start, end) -> tuple[datetime.date, datetime.date]:
    """The first local day of (start, end] and the day after its last (`_valid_in`'s bounds,
    worked out once a period rather than once a permit)."""
    return _first_day(start), _after_last_day(end)


def _valid_in(permit, days: tuple[datetime.date, datetime.date]) -> bool:
    """Whether the permit is valid on some day of the period whose `_days` are `days`."""
    return permit["valid_from"] < days[1] and (
        permit["valid_until"] is None or permit["valid_until"] >= days[0])


_KEYS = ("with_data", "valid", "exceeded", "exceeded_hours")


def _window_sums(prefix: str, within: Q) -> dict:
    exceeds = within & Q(state=State.EXCEEDS)
    return {f"with_data{prefix}": Count("pk", filter=within),
            f"valid{prefix}": Count("pk", filter=within & ~Q(state=State.UNKNOWN)),
            f"exceeded{prefix}": Count("pk", filter=exceeds),
            f"exceeded_hours{prefix}": Coalesce(Sum("window_hours", filter=exceeds), 0)}


def _counts_of_spans(sources, spans, now) -> list[dict[int, list[int]]]:
    """`_counts` by source for each (start, end) of `spans`, as lists in `_KEYS`' order (with
    data, valid, exceeded, exceeded hours): whole local months and days from the summaries
    (`SourceMonth`, `DailyTally`: `period_sums`), the days a period's edges cut from the
    judged windows themselves — three queries whatever the periods. Sources without a window
    with data are left out."""
    plans = [daily_tallies.spans(start, min(end, now)) for start, end in spans]
    totals: list[dict[int, list[int]]] = [{} for _span in spans]
    whole = [index for index, (days, _ranges) in enumerate(plans) if days]
    if whole:
        counted = period_sums(DailyTally, daily_tallies.SourceMonth, "source_id", _KEYS,
                              [plans[index][0] for index in whole],
                              Q(source_id__in=sources))
        for index, found in zip(whole, counted, strict=True):
            totals[index] = found  # fresh lists, one a source
    edges = [(index, piece, after, until, sign) for index, (_whole, ranges) in enumerate(plans)
             for piece, (after, until, sign) in enumerate(ranges)]
    if edges:
        sums, reach = {}, Q()
        for index, piece, after, until, _sign in edges:
            within = Q(window_end__gt=after, window_end__lte=until)
            sums.update(_window_sums(f"{index}_{piece}", within))
            reach |= within
        # The edges are a few hours of the windows: read through the index on their end.
        # `source_id + 0` keeps SQLite (no statistics) from reading every window of each
        # source through the primary key instead. Rows as the driver gives them
        # (`raw_rows`): after the source, each edge's four counts in `_KEYS`' order.
        names = list(sums)
        columns = [(totals[index], names.index(f"{_KEYS[0]}{index}_{piece}") + 1, sign)
                   for index, piece, _after, _until, sign in edges]
        for row in raw_rows(Assessment.objects.alias(of_source=F("source_id") + 0).filter(
                reach, of_source__in=sources).order_by().values("source_id").annotate(
                **sums).values_list("source_id", *names)):
            for found, first, sign in columns:
                add_sums(found, row[0], row[first:first + len(_KEYS)], sign)
    return [{source: counts for source, counts in found.items() if counts[0]}
            for found in totals]


class _IdList(Aggregate):
    """The distinct ids of a group as one text "3,7,12" (SQLite's GROUP_CONCAT, PostgreSQL's
    STRING_AGG): a source's measured parameters in one row instead of one row each."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG",
                           template="%(function)s(%(distinct)s(%(expressions)s)::text, ',')",
                           **extra)


def _measured(sources) -> dict[int, frozenset[int]]:
    """Per source: the parameters its stations measure (a series of one of them). Sources
    measuring the same parameters share one set (most do: a few kinds of stack). The ids are
    gathered without DISTINCT (a sort per source, half the query's time on PostgreSQL): a
    parameter two stations of a source measure comes twice, and the set keeps it once."""
    from envhub.monitoring.models import Series

    sets: dict[str, frozenset[int]] = {}
    found = {}
    for source, ids in raw_rows(Series.objects.filter(station__source_id__in=sources)
                                .order_by().values("station__source_id").annotate(
                                    ids=_IdList("parameter_id"))
                                .values_list("station__source_id", "ids")):
        found[source] = sets.get(ids) or sets.setdefault(
            ids, frozenset(int(pk) for pk in ids.split(",")))
    return found


def facilities_tallies(facilities, spans: list[tuple], now) -> list[dict[int, Tally]]:
    """`facilities_tally` for each (start, end) of `spans` (a dashboard's period and the one
    before), in a fixed number of queries: the permits, the parameters their sources measure
    (one row a source) and limit, and the judged windows read once for all of them
    (`_counts_of_spans`)."""
    span_days = [_days(start, end) for start, end in spans]
    in_spans = Permit.objects.filter(
        source__facility__in=facilities,
        valid_from__lt=max(_after_last_day(end) for _start, end in spans)).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=min(_first_day(start)
                                                             for start, _end in spans)))
    permits = [permit for permit in in_spans.values(
        "id", "source_id", "source__facility_id", "regulation_id", "valid_from", "valid_until",
        "regulation__rules__averaging_hours", "regulation__rules__min_coverage")
        if any(_valid_in(permit, days) for days in span_days)]
    # The sources as a subquery (a few more than those of `permits`, whose counts are not
    # used): a list of thousands of ids costs more to send than to select again.
    sources = in_spans.order_by().values("source_id")
    measured = _measured(sources) if permits else {}
    limited = defaultdict(set)
    for regulation_id, parameter_id in LimitValue.objects.filter(
            regulation_id__in={permit["regulation_id"] for permit in permits}).order_by(
            ).values_list("regulation_id", "parameter_id").distinct():
        limited[("regulation", regulation_id)].add(parameter_id)
    for permit_id, parameter_id in PermitLimit.objects.filter(
            permit_id__in=in_spans.order_by().values("id")).order_by().values_list(
            "permit_id", "parameter_id"):
        limited[("permit", permit_id)].add(parameter_id)
    counted = _counts_of_spans(sources, spans, now) if permits else [{} for _span in spans]
    # The parameters each permit judges are counted once for all the spans; a permit's ended
    # windows depend only on its validity and window width (most permits share them), so they
    # are counted once per case; the facility's sums are kept as plain integers.
    judged_of, judged_by_case = {}, {}
    for permit in permits:
        here = measured.get(permit["source_id"], frozenset())
        own = limited.get(("permit", permit["id"]))
        if own:
            judged = len(here & (limited[("regulation", permit["regulation_id"])] | own))
        else:  # the regulation's limits alone: shared by every permit under it
            case = (here, permit["regulation_id"])
            judged = judged_by_case.get(case)
            if judged is None:
                judged = judged_by_case[case] = len(
                    here & limited[("regulation", permit["regulation_id"])])
        judged_of[permit["id"]] = max(1, judged)
    found = []
    for (start, end), days, counts in zip(spans, span_days, counted, strict=True):
        windows_of = {}
        sums: dict[int, list] = {}
        seen_sources = set()
        for permit in permits:
            if not _valid_in(permit, days):
                continue
            width = permit["regulation__rules__averaging_hours"] or 1
            share = permit["regulation__rules__min_coverage"] or completeness.DEFAULT_SHARE
            case = (permit["valid_from"], permit["valid_until"], width)
            if case not in windows_of:
                windows_of[case] = completeness.ended_windows(
                    *_permit_bounds(permit, start, end), now, width)
            facility = sums.setdefault(permit["source__facility_id"], [0, 0, 0, 0, 0.0])
            facility[0] += windows_of[case] * judged_of[permit["id"]]
            facility[4] = max(facility[4], share)
            if permit["source_id"] not in seen_sources:  # a source's windows counted once
                seen_sources.add(permit["source_id"])
                row = counts.get(permit["source_id"])
                if row:  # with data, valid, exceeded, exceeded hours (`_KEYS`)
                    facility[1] += row[1]
                    facility[2] += row[0]
                    facility[3] += row[3]
        found.append({facility: Tally(*values) for facility, values in sums.items()})
    return found
