"""`envhub worker` with two jobs of the test's own instead of the apps' (run as
`python -m tests.core.blocking_worker FOLDER`): `blocking` runs until the process is killed, and
`tick` notes in FOLDER that this worker has been through a round."""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

import django

FOLDER = Path(sys.argv[1])


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "envhub.settings")
    django.setup()
    from django.core.management import call_command

    from envhub.core import periodic

    periodic.JOBS.clear()
    periodic.discover = lambda: periodic.JOBS
    # A lease of an hour: only the takeover of a gone worker's claim can explain a second run.
    hour = datetime.timedelta(hours=1)

    @periodic.periodic("blocking", every=datetime.timedelta(seconds=1), lease=hour,
                       max_run=2 * hour)
    def blocking():
        time.sleep(3600)

    @periodic.periodic("tick", every=datetime.timedelta(milliseconds=100))
    def tick():
        (FOLDER / f"tick-{os.getpid()}").touch()

    call_command("worker", "--interval", "0.1")


if __name__ == "__main__":
    main()
