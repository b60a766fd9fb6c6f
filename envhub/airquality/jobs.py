"""The worker's periodic job for air quality."""

import datetime

from envhub.airquality import services
from envhub.core.periodic import periodic


@periodic("air-quality", every=datetime.timedelta(seconds=5),
          max_run=datetime.timedelta(minutes=10))
def compute_aqi() -> None:
    """The hourly and daily VN_AQI of the hours whose rollups changed."""
    services.process_queue(limit=services.WORKER_CLAIM_SIZE, pause=True)
