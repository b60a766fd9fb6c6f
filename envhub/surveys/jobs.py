"""The worker's periodic jobs for survey files: checking uploads and loading approved
versions. Both return at once when nothing waits."""

import datetime

from envhub.core.periodic import periodic


@periodic("survey-checks", every=datetime.timedelta(seconds=2),
          max_run=datetime.timedelta(minutes=30))
def check_uploads():
    from envhub.surveys import checking

    return checking.run()


@periodic("survey-loads", every=datetime.timedelta(seconds=5),
          max_run=datetime.timedelta(minutes=30))
def load_versions():
    from envhub.surveys import loading

    return loading.run()
