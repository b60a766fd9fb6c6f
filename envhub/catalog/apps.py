from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "envhub.catalog"
    label = "catalog"
    verbose_name = _("Data catalogue")

    def ready(self):
        from envhub.core import providers

        providers.register_published(_published)
        providers.register_readable(_readable)


def _published(provider: str, provider_key: str):
    from envhub.catalog.models import Dataset

    return Dataset.objects.filter(provider=provider, provider_key=provider_key,
                                  withdrawn=False).order_by("pk").first()


def _readable(provider: str, reader):
    from envhub.catalog.models import Dataset
    from envhub.core.permissions import catalogue_condition

    return Dataset.objects.filter(catalogue_condition(reader), provider=provider) \
        .values_list("provider_key", flat=True)
