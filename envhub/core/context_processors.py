from django.apps import apps
from django.conf import settings


def _role_labels(roles) -> list[str]:
    """The actor's roles by their labels in the page's language (never `facility_operator`),
    as the app that owns memberships names them."""
    try:
        field = apps.get_model("accounts", "Membership")._meta.get_field("role")
        labels = dict(field.flatchoices)
    except LookupError:
        labels = {}
    return sorted(str(labels.get(role, role)) for role in roles)


def site(request):
    actor = getattr(request, "actor", None)
    try:
        roles = _role_labels(actor.roles) if actor is not None else []
        from envhub.core.permissions import (
            ADMIN,
            LEADER,
            STEWARD,
            SURVEY_UNIT,
            has_dashboard,
            may_use_admin,
        )

        show_admin = actor is not None and may_use_admin(actor)
        show_surveys = actor is not None and actor.kind == "user" and actor.has_role(
            SURVEY_UNIT, STEWARD, ADMIN, LEADER)
        show_dashboard = actor is not None and actor.kind == "user" and has_dashboard(actor)
    except Exception:  # noqa: BLE001 - a bad token must not break every page's header
        roles, show_admin, show_surveys, show_dashboard = [], False, False, False
    return {
        "map_tile_url": settings.ENVHUB_MAP_TILE_URL,
        "map_tile_attribution": settings.ENVHUB_MAP_TILE_ATTRIBUTION,
        "actor_roles": roles,
        "show_admin_link": show_admin,
        # Who has survey work: the units, and the stewards, leaders and admins who follow it.
        "show_survey_link": show_surveys,
        # Who has a dashboard: admins, stewards, leaders and provincial officers.
        "show_dashboard_link": show_dashboard,
    }
