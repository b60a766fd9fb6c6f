"""Incremental providers: a provider whose datasets are many and change one at a time (the
library's documents) notes each change as a `PendingChange` row, and the catalogue's sync
refreshes — or withdraws — only the datasets so named, instead of recomputing all of them on
every run (about 26 ms a dataset). `sync(full=True)` still walks every dataset and repairs
whatever a missed note could have left behind.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max

from envhub.catalog.models import Dataset, PendingChange

logger = logging.getLogger("envhub.catalog")


def note(provider: str, key) -> None:
    """Say that the data behind `provider`'s dataset `key` changed (or is gone); call it in
    the changing transaction, so that a rollback takes the note with it."""
    PendingChange.objects.create(provider=provider, provider_key=str(key))


def newest(provider: str) -> int | None:
    """The id of the newest note of `provider`: a sync handles the notes up to it, and notes
    written meanwhile wait for the next run."""
    return PendingChange.objects.filter(provider=provider).aggregate(last=Max("id"))["last"]


def forget(provider: str, upto: int | None, keep: set[str] = frozenset()) -> None:
    """Drop `provider`'s notes up to id `upto`, except those of the keys in `keep` (failed:
    tried again at the next run)."""
    if upto is not None:
        PendingChange.objects.filter(provider=provider, id__lte=upto).exclude(
            provider_key__in=keep).delete()


def pending_keys(provider: str, upto: int) -> list[str]:
    return sorted(set(PendingChange.objects.filter(provider=provider, id__lte=upto)
                      .values_list("provider_key", flat=True)))


def sync_changes(provider, owner, now, report, ensure, refresh, withdraw) -> None:
    """Refresh the datasets of `provider`'s noted keys; withdraw those it no longer offers
    (`provider.spec(key)` is None: the document is gone or no longer public)."""
    upto = newest(provider.key)
    if upto is None:
        return
    failed: set[str] = set()
    for key in pending_keys(provider.key, upto):
        try:
            with transaction.atomic():
                spec = provider.spec(key)
                stale = Dataset.objects.filter(provider=provider.key, provider_key=key,
                                               withdrawn=False)
                if spec is not None:
                    dataset, created = ensure(provider, spec, owner, now)
                    report.created += created
                    refresh(provider, dataset, now)
                    report.refreshed += 1
                    stale = stale.exclude(pk=dataset.pk)  # its identifier changed
                for dataset in stale:
                    withdraw(dataset)
                    report.withdrawn += 1
        except Exception as error:  # noqa: BLE001 - one dataset must not stop the others
            logger.exception("dataset %s:%s could not be refreshed", provider.key, key)
            report.problems.append(f"{provider.key}:{key}: {error}")
            failed.add(key)
    forget(provider.key, upto, keep=failed)
