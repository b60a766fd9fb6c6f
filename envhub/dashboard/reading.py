"""What one dashboard request reads once and its parts share (the figures, the map rows, the
trends and the rankings): the stations in view with their series, the per-station totals of
the period and the one before (`StationMonth` for whole months, `StationDay` for the rest) and
the category of the main cities' worst daily VN_AQI (`ProvinceDayAqi`) over every day the
figures and the trends show.

A `Reading` lives for one request (never across requests: nothing here can be staler than the
rows). Built with the reader (`actor`), every station read goes through their scope as well
as the view's; without one (the rankings' files, the reports) the view's scope alone bounds
it — the same stations for every role that has a dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery

from envhub.core import permissions
from envhub.core.permissions import Actor
from envhub.core.raw_rows import raw_rows
from envhub.dashboard import periods
from envhub.dashboard.filters import View
from envhub.monitoring.models import Series, StationDay, StationMonth
from envhub.monitoring.period_sums import period_sums
from envhub.registry.models import Station

TREND_MONTHS = 12
STATION_SUMS = ("rollups", "valid_hours", "reporting")


@dataclass(frozen=True)
class StationRow:
    code: str
    province: str
    series: int


@dataclass
class Reading:
    view: View
    actor: Actor | None = None
    trends: bool = False  # the request shows the twelve months' trends too
    _memo: dict = field(default_factory=dict)

    def once(self, key, compute):
        """`compute()` the first time `key` is asked for in this request; its answer after."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def stations(self):
        """The active automatic stations in view (and in the reader's scope)."""
        from envhub.dashboard import tables

        qs = Station.objects.filter(tables.station_q(self.view))
        return permissions.visible(self.actor, qs) if self.actor is not None else qs

    def station_rows(self) -> dict[int, StationRow]:
        """Per station id: its code, province code and number of series. One query."""
        series = Series.objects.filter(station_id=OuterRef("pk")).order_by().values(
            "station_id").annotate(n=Count("pk")).values("n")
        return self.once("stations", lambda: {
            pk: StationRow(code, province, count or 0) for pk, code, province, count in
            raw_rows(self.stations().order_by().annotate(n=Subquery(series)).values_list(
                "pk", "code", "province__code", "n"))})

    def station_sums(self) -> tuple[dict, dict]:
        """(this period, the period before): per station id, [rollups, valid hours,
        reporting] (`STATION_SUMS`) summed over the period's days (stations without a rollup
        left out)."""
        def read():
            ids = self.stations().values("pk")
            spans = [(part.period.first, part.period.last)
                     for part in (self.view, self.view.previous())]
            return tuple(period_sums(StationDay, StationMonth, "station_id", STATION_SUMS,
                                     spans, Q(station_id__in=ids)))
        return self.once("station sums", read)

    def city_days(self, codes: list[str], first: datetime.date,
                  last: datetime.date) -> dict:
        """{(province code, day): the category of the city's worst station's daily VN_AQI}
        of `codes` in first..last: read once over the view's period and the one before (and
        the twelve months of its trends when the request shows them), then cut here."""
        from envhub.dashboard import tables

        def read():
            since, until = self.view.previous().period.first, self.view.period.last
            if self.trends:
                months = periods.months_back(self.view.period.last, TREND_MONTHS)
                since, until = min(since, months[0].first), max(until, months[-1].last)
            return since, until, tables.city_day_categories(codes, since, until)
        since, until, found = self.once(("cities", tuple(codes)), read)
        if first < since or last > until:  # outside what the view shows: read it alone
            return tables.city_day_categories(codes, first, last)
        return {key: category for key, category in found.items() if first <= key[1] <= last}
