from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "envhub.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self):
        # The search index follows every save and delete of a document (its signals).
        # Its uploads go to disk with limits of their own (`library/uploads.py`).
        from django.conf import settings

        from envhub.core.uploads import register_route_limits
        from envhub.library import (
            datasets,  # noqa: F401 - the catalogue notes each changed document (signals)
            search,  # noqa: F401
            tombstones,  # noqa: F401 - OAI-PMH remembers public documents that left
            uploads,
        )

        register_route_limits(uploads.is_library_path, lambda: (
            settings.ENVHUB_LIBRARY_MAX_FILE_BYTES, uploads.body_limit()))
