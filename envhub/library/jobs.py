"""The worker's periodic job for the library: the text of new documents and versions (text
layers, office files, OCR of scans). Returns at once when nothing waits."""

import datetime

from envhub.core.periodic import periodic

# Documents read per run, and the time after which a run takes no new one: an OCR of a long
# scan holds this worker's other jobs while it runs, so a run stays short.
BATCH = 5
BUDGET = datetime.timedelta(minutes=2)


@periodic("library-text", every=datetime.timedelta(seconds=10),
          max_run=datetime.timedelta(hours=2))
def read_texts():
    from envhub.library import extraction

    return extraction.process_pending(BATCH, budget=BUDGET)
