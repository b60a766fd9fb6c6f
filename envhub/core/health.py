"""What `envhub check` asks each app once the database answers: an app states the checks of its
own tables in its `health.py` (`@database_check`), run in the order of INSTALLED_APPS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from envhub.core.apps import import_app_modules


class Report(Protocol):
    """Where a check says what it found (the command's three kinds of line)."""

    def ok(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...


Check = Callable[[Report], None]
_CHECKS: dict[str, Check] = {}


def database_check(check: Check) -> Check:
    _CHECKS[f"{check.__module__}.{check.__qualname__}"] = check
    return check


def database_checks() -> list[Check]:
    """Every app's checks, apps in the order of INSTALLED_APPS."""
    from django.apps import apps

    import_app_modules("health")
    order = [config.name for config in apps.get_app_configs()]
    return sorted(_CHECKS.values(),
                  key=lambda check: order.index(check.__module__.rpartition(".")[0]))
