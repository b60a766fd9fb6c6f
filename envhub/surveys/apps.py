from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "envhub.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from django.db.backends.signals import connection_created

        from envhub.registry import views as registry_views
        from envhub.surveys import notices  # noqa: F401 - registers its notification kind
        from envhub.surveys.tables import register_sqlite_functions
        from envhub.surveys.views import home_panel

        if home_panel not in registry_views.HOME_PANELS:
            registry_views.HOME_PANELS.append(home_panel)
        connection_created.connect(register_sqlite_functions,
                                   dispatch_uid="envhub.surveys.sqlite_functions")
