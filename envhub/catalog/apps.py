from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "envhub.catalog"
    label = "catalog"
    verbose_name = _("Data catalogue")

    def ready(self):
        from envhub.core import providers

        providers.register_published(_published)


def _published(provider: str, provider_key: str):
    from envhub.catalog.models import Dataset

    return Dataset.objects.filter(provider=provider, provider_key=provider_key,
                                  withdrawn=False).order_by("pk").first()
