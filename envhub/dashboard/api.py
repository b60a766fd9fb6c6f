"""The dashboard's JSON twin: `/api/v1/dashboard` (the figures of the page, same filters as
query parameters) and `/api/v1/dashboard/map` (the stations of the view with their state, for
the page's map). Thin: `dashboard.services` does the work."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema

from envhub.core.api_auth import actor_of
from envhub.core.api_errors import READ_ERRORS, ErrorEnvelope
from envhub.dashboard import services

router = Router(tags=["dashboard"])
ERRORS = {**READ_ERRORS, 403: ErrorEnvelope}


class DashboardQuery(Schema):
    period: str | None = Field(None, description="week, month (default), quarter, year or "
                                                 "custom")
    at: str | None = Field(None, description="YYYY-MM-DD: a day of the calendar period "
                                             "(default: today)")
    from_: str | None = Field(None, alias="from", description="YYYY-MM-DD, custom periods")
    to: str | None = Field(None, description="YYYY-MM-DD (inclusive), custom periods")
    province: str | None = Field(None, description="a province code, e.g. 01")
    sector: str | None = Field(None, description="a facility sector code")


@router.get("/dashboard", response={200: dict, **ERRORS}, url_name="dashboard",
            summary="The dashboard's figures for a period, a province and a sector")
def dashboard(request, query: Query[DashboardQuery]):
    actor = actor_of(request)
    view = services.read_view(actor, request.GET)
    return services.as_dict(services.read(actor, view))


@router.get("/dashboard/map", response={200: dict, **ERRORS}, url_name="dashboard_map",
            summary="The stations of a dashboard view with their connectivity state now")
def dashboard_map(request, query: Query[DashboardQuery]):
    actor = actor_of(request)
    view = services.read_view(actor, request.GET)
    return {"stations": services.station_points(actor, view)}
