"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router here.

Documented endpoints are a contract (docs/api.md); changing one is a versioned act.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from envhub.core import api_errors
from envhub.core.api_auth import ActorAuth


class UnicodeJSONRenderer(JSONRenderer):
    """Vietnamese text as UTF-8, not \\u escapes: half the bytes, and readable in a terminal."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="envhub API",
    version="1",
    description=(
        "Hệ thống thông tin, cơ sở dữ liệu môi trường quốc gia — the national environmental "
        "information system. Send `Authorization: Bearer <token>` from programs; browsers use "
        "their session. Errors always come as "
        '`{"ok": false, "error": {"code", "message", "details"}}`; lists as `results` with an '
        "opaque `next` cursor."
    ),
    auth=ActorAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api_errors.install(api)


def _add_routers() -> None:
    from envhub.accounts.api import router as accounts_router
    from envhub.airquality.api import router as airquality_router
    from envhub.compliance.api import router as compliance_router
    from envhub.compliance.public_api import router as disclosure_router
    from envhub.dashboard.api import router as dashboard_router
    from envhub.dashboard.reports_api import router as reports_router
    from envhub.dashboard.trends_api import router as dashboard_trends_router
    from envhub.library.api import router as library_router
    from envhub.monitoring.api import router as monitoring_router
    from envhub.registry.api import router as registry_router
    from envhub.surveys.api import router as surveys_router

    api.add_router("/", registry_router)
    api.add_router("/", monitoring_router)
    api.add_router("/", accounts_router)
    api.add_router("/", compliance_router)
    api.add_router("/", disclosure_router)
    api.add_router("/", airquality_router)
    api.add_router("/", surveys_router)
    api.add_router("/", dashboard_router)
    api.add_router("/", reports_router)
    api.add_router("/", dashboard_trends_router)
    api.add_router("/", library_router)


_add_routers()
