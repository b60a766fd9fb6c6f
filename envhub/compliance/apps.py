from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _keep_tallies(sender, using="default", **kwargs):
    """After any migration the judged windows' summary and its monthly one have their
    triggers (SQLite drops them when it rebuilds the table): put back and recounted if they
    were missing."""
    from envhub.compliance.daily_tallies import MONTHS, SUMMARY
    from envhub.monitoring import summaries

    summaries.ensure(SUMMARY, using)
    summaries.ensure(MONTHS, using)


class ComplianceConfig(AppConfig):
    name = "envhub.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from envhub.compliance import assess, digests, list_views  # noqa: F401 - digests registers its kind
        from envhub.monitoring import rollups
        from envhub.registry import views as registry_views

        post_migrate.connect(_keep_tallies, sender=self, dispatch_uid="compliance-tallies")
        if assess.enqueue_hours not in rollups.HOUR_LISTENERS:
            rollups.HOUR_LISTENERS.append(assess.enqueue_hours)
        # The facility list's compliance columns (the registry imports no compliance).
        if not any(isinstance(part, list_views.FacilityColumns)
                   for part in registry_views.FACILITY_LIST_COLUMNS):
            registry_views.FACILITY_LIST_COLUMNS.append(list_views.FacilityColumns())
