"""The worker's periodic job for the catalogue."""

import datetime

from envhub.catalog import services
from envhub.core.periodic import periodic


@periodic("catalogue", every=datetime.timedelta(minutes=5), max_run=datetime.timedelta(minutes=30))
def sync_catalogue() -> None:
    """New datasets from the providers; every dataset's dates, extent and rows from its data."""
    report = services.sync()
    for problem in report.problems:
        services.logger.warning("catalogue: %s", problem)
