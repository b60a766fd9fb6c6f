"""What `envhub check` says of survey files (`core/health.py`): files waiting long to be
checked or versions waiting long to be loaded mean no worker is running."""

from __future__ import annotations

import datetime

from django.db import DatabaseError
from django.utils import timezone

from envhub.core.health import Report, database_check

LONG_WAIT = datetime.timedelta(minutes=15)


@database_check
def survey_queues(report: Report) -> None:
    from envhub.surveys.models import CheckState, LoadState, SchemaVersion, Upload, Version

    try:
        if not SchemaVersion.objects.exists():
            report.error("no survey table schemas: run `envhub reference`.")
            return
        before = timezone.now() - LONG_WAIT
        unchecked = Upload.objects.filter(check_state=CheckState.QUEUED,
                                          uploaded_at__lt=before).count()
        unloaded = Version.objects.filter(load_state=LoadState.WAITING,
                                          approved_at__lt=before).count()
    except DatabaseError:
        return  # reported as pending migrations
    if unchecked or unloaded:
        report.warn(f"survey files waiting over 15 minutes: {unchecked} to check, {unloaded} "
                    "to load; is `envhub worker` running?")
    else:
        report.ok("survey files: none waiting long to be checked or loaded")
