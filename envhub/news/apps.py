from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "envhub.news"
    label = "news"
    verbose_name = _("News")

    def ready(self):
        # Images and files attached on the editors' desk have their own size limits.
        from envhub.core.uploads import register_route_limits
        from envhub.news import media

        register_route_limits(media.is_upload_path, media.upload_limits)
