from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "envhub.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from envhub.accounts import signals  # noqa: F401  (login and failed-login audit)
