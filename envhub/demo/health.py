"""What `envhub check` says of the demo (`core/health.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError

from envhub.accounts.models import User
from envhub.core.health import Report, database_check


@database_check
def demo_accounts(report: Report) -> None:
    """Demo accounts with known passwords have no place on a real server."""
    if settings.DEBUG:
        return
    try:
        names = sorted(User.objects.filter(username__startswith="demo-", is_active=True)
                       .values_list("username", flat=True))
    except DatabaseError:
        return  # reported as pending migrations
    if names:
        report.warn(
            f"demo accounts are active on this installation ({', '.join(names)}): their "
            "passwords are in var/demo-accounts.txt; disable them on a real server."
        )
