"""`/api/v1/dashboard/trends` and `/api/v1/dashboard/rankings`: the JSON twins of the
dashboard's trends and rankings pages. The view is read from the query string as on the pages
(`filters.view_from`): 401 without an account, 403 for a role without a dashboard, 404 for a
province out of scope or unknown, 400 for a filter that cannot be read — in the one error
envelope."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.core.errors import Forbidden, InvalidInput, NotAuthenticated
from envhub.dashboard import filters, rankings, trends

router = Router(tags=["dashboard"])
ERRORS = {**READ_ERRORS, 403: ErrorEnvelope}


class ViewQuery(Schema):
    period: str | None = Field(None, max_length=10,
                               description="week, month (default), quarter, year or custom")
    at: str | None = Field(None, max_length=10, description="a day of the period (YYYY-MM-DD)")
    from_: str | None = Field(None, alias="from", max_length=10,
                              description="first day of a custom period")
    to: str | None = Field(None, max_length=10, description="last day of a custom period")
    province: str | None = Field(None, max_length=2, description="a province code")
    sector: str | None = Field(None, max_length=30, description="a facility sector code")


class RankingQuery(ViewQuery):
    limit: int = Field(rankings.LIMIT, ge=1, le=rankings.MAX_LIMIT,
                       description="rows per ranking")


def view_of(request, query: ViewQuery) -> filters.View:
    actor = actor_of(request)
    if not actor.is_authenticated:
        raise NotAuthenticated()
    params = {key: value for key, value in query.dict(by_alias=True).items()
              if key != "limit" and value is not None}
    try:
        return filters.view_from(actor, params)
    except filters.DashboardRefused:
        raise Forbidden(_("The dashboard is for the ministry's leaders, data stewards and "
                          "provincial officers.")) from None
    except filters.FilterError as error:
        raise InvalidInput(str(error)) from None


class PeriodOut(Schema):
    kind: str
    first: str
    last: str


class ScopeOut(Schema):
    period: PeriodOut
    provinces: list[str] | None = Field(description="province codes; null: the whole country")
    province: str | None
    sector: str | None


def scope_of(view: filters.View) -> dict:
    return {"period": {"kind": view.period.kind, "first": view.period.first.isoformat(),
                       "last": view.period.last.isoformat()},
            "provinces": list(view.provinces) if view.provinces is not None else None,
            "province": view.province, "sector": view.sector}


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    first: str
    last: str


class LineOut(Schema):
    key: str = Field(description='a province code or "rest", a sector, an AQI category')
    name: str
    total: int
    values: list[int] = Field(description="one figure per month, oldest first")
    colour: str | None = None


class TrendOut(Schema):
    months: list[MonthOut]
    series: list[LineOut]


class AqiTrendOut(TrendOut):
    cities: list[str]


class TrendsOut(Schema):
    ok: bool = True
    view: ScopeOut
    hours_by_province: TrendOut
    hours_by_sector: TrendOut
    aqi_days: AqiTrendOut


@router.get("/dashboard/trends", response={200: TrendsOut, **ERRORS},
            summary="The dashboard's 12-month trends")
def dashboard_trends(request, query: Query[ViewQuery]):
    """Twelve months ending with the month of the period's last day: hours over the limit by
    province (the 5 with most, then the rest summed) and by sector, and the main cities'
    city-days per VN_AQI category. Every month is present (zeros when empty)."""
    view = view_of(request, query)
    return {"view": scope_of(view), "hours_by_province": trends.hours_by_province(view),
            "hours_by_sector": trends.hours_by_sector(view), "aqi_days": trends.aqi_days(view)}


class ProvinceRankOut(Schema):
    rank: int
    province: str
    name: str
    hours: int
    events: int
    open_events: int
    facilities: int
    url: str


class FacilityRankOut(Schema):
    rank: int
    facility: int
    name: str
    province: str
    province_name: str
    sector: str
    sector_name: str
    hours: int
    events: int
    open_events: int
    worst_band: str
    url: str


class StationRankOut(Schema):
    rank: int
    station: str
    name: str
    province: str
    province_name: str
    facility: int | None
    state: str
    series: int
    expected_hours: int
    received_hours: int
    missing_hours: int
    completeness: float | None
    enough: bool | None
    outages: int
    url: str


class RankingsOut(Schema):
    ok: bool = True
    view: ScopeOut
    provinces: list[ProvinceRankOut]
    facilities: list[FacilityRankOut]
    stations: list[StationRankOut]


@router.get("/dashboard/rankings", response={200: RankingsOut, **ERRORS},
            summary="The dashboard's rankings")
def dashboard_rankings(request, query: Query[RankingQuery]):
    """Provinces and facilities by hours over the limit in the period, and stations by missing
    parameter-hours; each row with the link to the page behind it."""
    view = view_of(request, query)
    return {"view": scope_of(view), **rankings.rankings(view, query.limit)}
