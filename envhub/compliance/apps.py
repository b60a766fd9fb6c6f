from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "envhub.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from envhub.compliance import assess, digests, list_views  # noqa: F401 - digests registers its kind
        from envhub.monitoring import rollups
        from envhub.registry import views as registry_views

        if assess.enqueue_hours not in rollups.HOUR_LISTENERS:
            rollups.HOUR_LISTENERS.append(assess.enqueue_hours)
        # The facility list's compliance columns (the registry imports no compliance).
        if not any(isinstance(part, list_views.FacilityColumns)
                   for part in registry_views.FACILITY_LIST_COLUMNS):
            registry_views.FACILITY_LIST_COLUMNS.append(list_views.FacilityColumns())
