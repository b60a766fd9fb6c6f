"""Accounts API: who am I."""

from ninja import Router, Schema

from envhub.core.api_auth import actor_of
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
    response={200: MeOut, **READ_ERRORS},
    summary="Who the request is made as, and the scope it sees",
)
def me(request):
    from envhub.registry.models import Province, Station

    actor = actor_of(request)
    return {
        "kind": actor.kind,
        "username": actor.user.username if actor.user else None,
        "full_name": (actor.user.full_name or None) if actor.user else None,
        "roles": sorted(actor.roles),
        "province_codes": sorted(
            Province.objects.filter(id__in=actor.province_ids).values_list("code", flat=True)
        ),
        "facility_ids": sorted(actor.facility_ids),
        "station_codes": sorted(
            Station.objects.filter(id__in=actor.station_ids).values_list("code", flat=True)
        ),
    }
