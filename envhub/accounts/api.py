"""Accounts API: who am I."""

from ninja import Router, Schema

from envhub.accounts import services
from envhub.core.api_auth import PUBLIC, actor_of
from envhub.core.api_errors import READ_ERRORS

router = Router(tags=["accounts"])


class MeOut(Schema):
    kind: str
    username: str | None
    full_name: str | None
    roles: list[str]
    province_codes: list[str]
    facility_ids: list[int]
    station_codes: list[str]


@router.get(
    "/me",
    response={200: MeOut, **READ_ERRORS}, openapi_extra=PUBLIC,
    summary="Who the request is made as, and the scope it sees",
)
def me(request):
    return services.scope_summary(actor_of(request))
