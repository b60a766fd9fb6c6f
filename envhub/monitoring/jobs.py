"""The worker's periodic jobs for monitoring data."""

import datetime

from envhub.core.periodic import periodic
from envhub.monitoring import connectivity, partitions, revalidation, rollups


@periodic("rollups", every=datetime.timedelta(seconds=2), max_run=datetime.timedelta(minutes=10))
def process_rollups() -> None:
    """Recompute the hours, days and latest values that new or late data touched."""
    rollups.process_queue(limit=rollups.WORKER_CLAIM_SIZE, pause=True)


MAX_REVALIDATION_SLICES = 20


@periodic("revalidate-rollups", every=datetime.timedelta(minutes=1))
def revalidate_rollups() -> None:
    """After an upgrade or a change of the completeness settings: bring the stored hours and
    days in line with the rule, a slice of series at a time (a slice per transaction)."""
    for _slice in range(MAX_REVALIDATION_SLICES):
        if not revalidation.run():
            break


@periodic("connectivity", every=datetime.timedelta(minutes=1))
def update_connectivity() -> None:
    connectivity.evaluate()


@periodic("create-partitions", every=datetime.timedelta(hours=12))
def create_partitions() -> None:
    """PostgreSQL: keep the observation partitions of the coming months ready."""
    partitions.ensure_ahead()


@periodic("ftp-sweep", every=datetime.timedelta(minutes=1))
def sweep_ftp_folders() -> None:
    """Ingest FTP uploads left in the facilities' folders when the database failed."""
    from envhub.monitoring.receivers import ftp

    result = ftp.sweep()
    if result.ingested or result.kept:
        ftp.logger.info("ftp sweep: %d files ingested, %d still waiting", result.ingested,
                        result.kept)
