from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "envhub.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from envhub.compliance import assess, digests  # noqa: F401 - digests registers its kind
        from envhub.monitoring import rollups

        if assess.enqueue_hours not in rollups.HOUR_LISTENERS:
            rollups.HOUR_LISTENERS.append(assess.enqueue_hours)
