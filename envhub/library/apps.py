from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "envhub.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self):
        # The search index follows every save and delete of a document (its signals).
        from envhub.library import search  # noqa: F401
