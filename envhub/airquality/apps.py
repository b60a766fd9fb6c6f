from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _keep_province_days(sender, using="default", **kwargs):
    """After any migration the daily indices' summary per province has its triggers (SQLite
    drops them when it rebuilds a table): put back and recounted if they were missing."""
    from envhub.airquality.province_days import MOVES, SUMMARY
    from envhub.monitoring import summaries

    summaries.ensure(SUMMARY, using)
    summaries.ensure(MOVES, using)


class AirQualityConfig(AppConfig):
    name = "envhub.airquality"
    label = "airquality"
    verbose_name = _("Air quality")

    def ready(self):
        from envhub.airquality import services
        from envhub.monitoring import rollups

        post_migrate.connect(_keep_province_days, sender=self,
                             dispatch_uid="airquality-province-days")
        if services.enqueue_hours not in rollups.HOUR_LISTENERS:
            rollups.HOUR_LISTENERS.append(services.enqueue_hours)
