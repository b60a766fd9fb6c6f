from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "envhub.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        # How a report's notification reads and who hears it (compliance's delivery).
        from envhub.dashboard import notices  # noqa: F401

        # The home page leads those who have a dashboard to it (a panel with this month's
        # headline figures), rather than a redirect: the home keeps its other panels and
        # links, and `/` stays the same page for everyone.
        from envhub.dashboard.views import home_panel
        from envhub.registry import views as registry_views

        if home_panel not in registry_views.HOME_PANELS:
            registry_views.HOME_PANELS.insert(0, home_panel)
