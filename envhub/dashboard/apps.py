from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "envhub.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        # How a report's notification reads and who hears it (compliance's delivery).
        from envhub.dashboard import notices  # noqa: F401
