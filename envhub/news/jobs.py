"""The worker's periodic jobs for the news."""

import datetime

from envhub.core.periodic import periodic


@periodic("newsletter", every=datetime.timedelta(seconds=30),
          max_run=datetime.timedelta(minutes=15))
def send_newsletter() -> None:
    """Newly public posts to their subscribers, in batches, once each; stale sign-ups purged."""
    from envhub.news import newsletter_sending

    newsletter_sending.run()
