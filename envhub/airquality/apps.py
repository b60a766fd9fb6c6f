from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AirQualityConfig(AppConfig):
    name = "envhub.airquality"
    label = "airquality"
    verbose_name = _("Air quality")

    def ready(self):
        from envhub.airquality import services
        from envhub.monitoring import rollups

        if services.enqueue_hours not in rollups.HOUR_LISTENERS:
            rollups.HOUR_LISTENERS.append(services.enqueue_hours)
