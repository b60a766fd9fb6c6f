"""What one dashboard request reads once and its parts share (the figures, the map rows, the
trends and the rankings): the stations in view with their series, the per-station totals of
the period and the one before (`StationMonth` for whole months, `StationDay` for the rest) and
the main cities' worst daily VN_AQI over every day the figures and the trends show.

A `Reading` lives for one request (never across requests: nothing here can be staler than the
rows). Built with the reader (`actor`), every station read goes through their scope as well
as the view's; without one (the rankings' files, the reports) the view's scope alone bounds
it — the same stations for every role that has a dashboard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from envhub.airquality.models import DailyAqi
from envhub.core import permissions
from envhub.core.permissions import Actor
from envhub.dashboard import periods
from envhub.dashboard.filters import View
from envhub.monitoring.models import StationDay, StationMonth
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
        return self.once("stations", lambda: {
            pk: StationRow(code, province, series) for pk, code, province, series in
            self.stations().order_by().annotate(n=Count("series")).values_list(
                "pk", "code", "province__code", "n")})

    def station_sums(self) -> tuple[dict, dict]:
        """(this period, the period before): per station id, {rollups, valid_hours,
        reporting} summed over the period's days (stations without a rollup left out)."""
        def read():
            ids = self.stations().values("pk")
            spans = [(part.period.first, part.period.last)
                     for part in (self.view, self.view.previous())]
            return tuple(period_sums(StationDay, StationMonth, "station_id", STATION_SUMS,
                                     spans, Q(station_id__in=ids)))
        return self.once("station sums", read)

    def city_days(self, codes: list[str], first: datetime.date,
                  last: datetime.date) -> dict:
        """{(province code, day): the highest daily VN_AQI of the city's stations} of `codes`
        in first..last: read once over the view's period, the one before and the twelve
        months of its trends, then cut here."""
        def read():
            months = periods.months_back(self.view.period.last, TREND_MONTHS)
            since = min(self.view.previous().period.first, months[0].first)
            until = max(self.view.period.last, months[-1].last)
            rows = (DailyAqi.objects.filter(station__province__code__in=codes, day__gte=since,
                                            day__lte=until, aqi__isnull=False)
                    .order_by().values("station__province__code", "day")
                    .annotate(aqi=Max("aqi")))
            return since, until, {(row["station__province__code"], row["day"]): row["aqi"]
                                  for row in rows}
        since, until, found = self.once(("cities", tuple(codes)), read)
        if first < since or last > until:  # outside what the view shows: read it alone
            from envhub.dashboard import tables

            return tables.worst_city_days(codes, first, last)
        return {key: aqi for key, aqi in found.items() if first <= key[1] <= last}
