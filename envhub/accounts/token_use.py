"""When a token was last used, written at most once per RESOLUTION per token.

Recording every use would turn each API call into a write, and on SQLite every write waits for
the database's one write lock: with hundreds of dataloggers, the token's own UPDATE was most of
what uploads waited for. So a use is written only when neither the stored time nor this
process's last write is fresh, and an upload writes it inside its own transaction (which holds
the lock anyway) rather than in one more."""

from __future__ import annotations

import datetime
import threading

from django.db import transaction
from django.utils import timezone

RESOLUTION = datetime.timedelta(minutes=5)

# token lookup (unique, never reused) -> when this process last wrote its use: the stored value
# another request of this process read may be older than a write committed meanwhile.
_written: dict[str, datetime.datetime] = {}
_lock = threading.Lock()


def is_due(token, now: datetime.datetime | None = None) -> bool:
    """Whether `token`'s use at `now` should be written (its last write is older than
    RESOLUTION, in the database as read and in this process)."""
    if token is None or token.pk is None:
        return False
    now = now or timezone.now()
    newest = token.last_used_at
    with _lock:
        written = _written.get(token.lookup)
    if written is not None and (newest is None or written > newest):
        newest = written
    return newest is None or now - newest > RESOLUTION


def record(token, now: datetime.datetime | None = None) -> bool:
    """Write `token`'s use at `now` if it is due; whether it wrote. Inside the caller's
    transaction when there is one."""
    from envhub.accounts.models import ApiToken

    now = now or timezone.now()
    if not is_due(token, now):
        return False
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    transaction.on_commit(lambda: _remember(token.lookup, now))
    return True


def _remember(lookup: str, now: datetime.datetime) -> None:
    with _lock:
        _written[lookup] = now


def forget() -> None:
    """Forget this process's writes (tests that rewind a token's last use)."""
    with _lock:
        _written.clear()
