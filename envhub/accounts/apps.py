from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "envhub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from envhub.accounts import signals  # noqa: F401  (login and failed-login audit)
        from envhub.accounts.audit_triggers import on_post_migrate
        from envhub.accounts.models import AuditEvent
        from envhub.core import audit

        audit.keep_events_in(AuditEvent)

        # A rebuilt SQLite table loses its triggers: put the audit log's back after migrating.
        post_migrate.connect(on_post_migrate, sender=self,
                             dispatch_uid="envhub.accounts.audit_triggers")
