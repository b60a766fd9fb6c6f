"""The worker's periodic jobs for compliance."""

import datetime

from envhub.compliance import alerts, assess, digests
from envhub.core.periodic import periodic


@periodic("compliance", every=datetime.timedelta(seconds=5), max_run=datetime.timedelta(minutes=10))
def judge_hours() -> None:
    """Judge again the hours whose rollups changed; keep the exceedance events true."""
    assess.process_queue(limit=assess.WORKER_CLAIM_SIZE, pause=True)


@periodic("alerts", every=datetime.timedelta(seconds=10), max_run=datetime.timedelta(minutes=5))
def send_alerts() -> None:
    """Connectivity changes to notifications; recipients chosen; deliveries sent."""
    alerts.run()


@periodic("digests", every=datetime.timedelta(minutes=5), max_run=datetime.timedelta(minutes=30))
def send_digests() -> None:
    """From ENVHUB_DIGEST_HOUR: each person's daily and weekly digests, once."""
    digests.run()
