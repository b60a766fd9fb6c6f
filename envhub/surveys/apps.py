from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "envhub.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        from envhub.surveys import notices  # noqa: F401 - registers its notification kind
