"""Housekeeping jobs of the core."""

import datetime

from django.core.management import call_command

from envhub.core.periodic import periodic

TASK_RESULT_RETENTION_DAYS = 14


@periodic("prune-task-results", every=datetime.timedelta(hours=6))
def prune_task_results() -> None:
    """Finished background-task rows are kept two weeks for diagnosis, then deleted."""
    call_command("prune_db_task_results", min_age_days=TASK_RESULT_RETENTION_DAYS, verbosity=0)
