from django.urls import include, path

from envhub.api import api
from envhub.core import views as core_views
from envhub.core.admin_site import admin_site
from envhub.registry import views as registry_views

urlpatterns = [
    path("", registry_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
    path("", include("envhub.accounts.urls")),
    path("", include("envhub.registry.urls")),
    path("", include("envhub.monitoring.urls")),
    path("", include("envhub.compliance.urls")),
    path("", include("envhub.compliance.public_urls")),
    path("", include("envhub.airquality.urls")),
    path("", include("envhub.catalog.urls")),
    path("", include("envhub.catalog.portal_urls")),
    path("", include("envhub.surveys.urls")),
    path("", include("envhub.dashboard.urls")),
    path("library/", include("envhub.library.urls")),
]

handler400 = "envhub.core.views.bad_request"
handler403 = "envhub.core.views.permission_denied"
handler404 = "envhub.core.views.page_not_found"
handler500 = "envhub.core.views.server_error"
