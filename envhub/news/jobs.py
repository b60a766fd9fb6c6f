"""The worker's periodic jobs for the news (the worker imports `<app>.jobs`): the newsletter
here, the bulletins' drafting in `bulletin_jobs`."""

import datetime

from envhub.core.periodic import periodic
from envhub.news import bulletin_jobs  # noqa: F401 - registers the bulletins' job


@periodic("newsletter", every=datetime.timedelta(seconds=30),
          max_run=datetime.timedelta(minutes=15))
def send_newsletter() -> None:
    """Newly public posts to their subscribers, in batches, once each; stale sign-ups purged."""
    from envhub.news import newsletter_sending

    newsletter_sending.run()
