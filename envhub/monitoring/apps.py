from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _forget_directory(sender, **kwargs):
    """A station, symbol, declared unit or analyser range changed: this process reads the
    directory again (other processes within its 30-second lifetime)."""
    from envhub.monitoring.ingest import directory

    directory.forget()


def _keep_station_days(sender, using="default", **kwargs):
    """After any migration the daily rollups' summary and its monthly one have their
    triggers (SQLite drops them when it rebuilds the table): put back and recounted if they
    were missing."""
    from envhub.monitoring import summaries
    from envhub.monitoring.station_days import MONTHS, SUMMARY

    summaries.ensure(SUMMARY, using)
    summaries.ensure(MONTHS, using)


class MonitoringConfig(AppConfig):
    name = "envhub.monitoring"
    label = "monitoring"
    verbose_name = _("Automatic monitoring")

    def ready(self):
        from envhub.monitoring.sample_views import samples_context
        from envhub.monitoring.views import station_context
        from envhub.registry import views as registry_views

        post_migrate.connect(_keep_station_days, sender=self,
                             dispatch_uid="monitoring-station-days")
        # The station's data (latest values, chart, received files; a periodic station's
        # results) on the registry's station page, scoped the same way.
        for part in (station_context, samples_context):
            if part not in registry_views.STATION_PAGE_PARTS:
                registry_views.STATION_PAGE_PARTS.append(part)
        for model in ("registry.Station", "registry.Parameter", "registry.ParameterAlias",
                      "registry.DeclaredUnit", "monitoring.Series"):
            post_save.connect(_forget_directory, sender=model,
                              dispatch_uid=f"forget-directory-save-{model}")
            post_delete.connect(_forget_directory, sender=model,
                                dispatch_uid=f"forget-directory-delete-{model}")
