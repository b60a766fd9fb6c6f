from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "envhub.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Each app's part of the permission policy (its models' rules), before any request.
        import_app_modules("policy")
        # Last: what is loaded by now lives as long as the process (`core.collector`).
        from envhub.core import collector

        collector.tune()
        collector.freeze_startup_objects()


def import_app_modules(module: str) -> None:
    """Import `<app>.<module>` of every installed envhub app that has one: how apps register
    their periodic jobs (`jobs`), catalogue providers (`datasets`), reference data (`reference`)
    and permission rules (`policy`). An import error inside such a module is raised, not taken
    for a missing module."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("envhub."):
            try:
                import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.{module}":
                    raise
