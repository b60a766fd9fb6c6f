"""Failed sign-ins, web and FTP: who is locked out, who is slowed down, who is let through.

Failures are counted from the audit log (every web process and the FTP receiver see the same
counts) over the last WINDOW, three ways: per (name, address), per name, per address. For an
attempt to sign in as a name from an address:

1. Five failures for that name from that address (since its last success there) lock the name
   *for that address* until the oldest of them is WINDOW old. Someone guessing a password from
   elsewhere never locks the user out of their own machine.
2. A client *known* for the name goes straight to the password check: an address the name
   signed in from within KNOWN_FOR, or (web) a browser holding the signed cookie envhub gives
   at each sign-in. What others do from its address or against its name does not slow it.
3. Other clients are slowed down, never locked: an address with ADDRESS_FREE_FAILURES failures
   or more (whatever the names; a proxy or NAT hides many people) must wait 1, 2, 4 … up to
   MAX_DELAY seconds after its last failure before each new attempt; so must an address that
   has itself failed for a name that has NAME_FREE_FAILURES failures or more from anywhere (a
   guessing spread over many addresses). An address that has not failed for a name is never
   slowed on that name's account.

Refused attempts check no password and are not counted as failures. The web answers them 429
with Retry-After, FTP with a delayed 530: no request holds a worker to wait.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils import timezone

from envhub.accounts.models import AuditEvent

WINDOW = datetime.timedelta(minutes=15)
PAIR_FAILURES = 5
NAME_FREE_FAILURES = 10
ADDRESS_FREE_FAILURES = 20
MAX_DELAY = datetime.timedelta(seconds=60)
KNOWN_FOR = datetime.timedelta(days=30)
# A receiver's successful logins come every few minutes; one a day keeps its address known.
SUCCESS_RECORD_INTERVAL = datetime.timedelta(days=1)

LOCKED, SLOWED = "locked", "slowed"


@dataclass(frozen=True)
class Verdict:
    refused: str = ""  # "", LOCKED or SLOWED
    retry_after: int = 0  # seconds
    known: bool = False
    # Failures of this name from this address since its last success there.
    pair_failures: int = 0
    last_success: datetime.datetime | None = None


def key_of(name: str) -> str:
    """The name as failures are keyed in the audit log (`object_repr`)."""
    return (name or "").strip().lower()[:300]


def delay(failures: int, free: int) -> datetime.timedelta:
    """The wait after the last failure once `failures` reach `free`: 1 s, doubling, at most
    MAX_DELAY."""
    if failures < free:
        return datetime.timedelta(0)
    return min(MAX_DELAY, datetime.timedelta(seconds=2 ** min(failures - free, 16)))


def _seconds(span: datetime.timedelta) -> int:
    return max(1, math.ceil(span.total_seconds()))


def check(name: str, ip: str | None, *, known_device: bool = False,
          now: datetime.datetime | None = None) -> Verdict:
    """Whether an attempt to sign in as `name` from `ip` may have its password checked."""
    now = now or timezone.now()
    key = key_of(name)
    last_success, recent = _since_last_success(key, ip, now)
    known = known_device or (ip is not None and last_success is not None
                             and last_success >= now - KNOWN_FOR)
    facts = {"known": known, "pair_failures": len(recent), "last_success": last_success}
    if len(recent) >= PAIR_FAILURES:
        return Verdict(LOCKED, _seconds(recent[-1] + WINDOW - now), **facts)
    if known or ip is None:
        return Verdict(**facts)
    wait = _slowdown(key, ip, failed_here=bool(recent), now=now)
    if wait > datetime.timedelta(0):
        return Verdict(SLOWED, _seconds(wait), **facts)
    return Verdict(**facts)


def _failures(now: datetime.datetime):
    return AuditEvent.objects.filter(action="login_failed", at__gte=now - WINDOW)


def _since_last_success(key: str, ip: str | None, now: datetime.datetime):
    """(the name's last success from the address, the times of its failures from there since,
    newest first, at most PAIR_FAILURES); without an address, from any."""
    successes = AuditEvent.objects.filter(action="login", object_repr=key)
    failures = _failures(now).filter(object_repr=key)
    if ip is not None:
        successes, failures = successes.filter(ip_address=ip), failures.filter(ip_address=ip)
    last_success = successes.order_by("-at").values_list("at", flat=True).first()
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return last_success, list(failures.order_by("-at").values_list("at", flat=True)
                              [:PAIR_FAILURES])


def _slowdown(key: str, ip: str, *, failed_here: bool,
              now: datetime.datetime) -> datetime.timedelta:
    """How long from now a stranger's attempt must wait: after the address's failures, and,
    when this address failed for the name, after the name's."""
    waits = [_wait(_failures(now).filter(ip_address=ip), ADDRESS_FREE_FAILURES, now)]
    if failed_here:
        waits.append(_wait(_failures(now).filter(object_repr=key), NAME_FREE_FAILURES, now))
    return max(waits)


def _wait(failures, free: int, now: datetime.datetime) -> datetime.timedelta:
    """How long from now the next attempt must wait, given these failures."""
    found = failures.aggregate(n=Count("id"), last=Max("at"))
    if found["n"] < free:
        return datetime.timedelta(0)
    return found["last"] + delay(found["n"], free) - now


def success_worth_recording(verdict: Verdict, now: datetime.datetime | None = None) -> bool:
    """Whether a successful login should go to the audit log: always when it ends a run of
    failures, else once a SUCCESS_RECORD_INTERVAL."""
    now = now or timezone.now()
    return (verdict.pair_failures > 0 or verdict.last_success is None
            or now - verdict.last_success > SUCCESS_RECORD_INTERVAL)


# --- known browsers (web) ------------------------------------------------------------------------

DEVICE_COOKIE = "envhub_known"
_DEVICE_SALT = "envhub.accounts.known-device"
MAX_DEVICE_NAMES = 5


def device_names(request) -> list[str]:
    """The names that signed in from this browser within KNOWN_FOR (from its signed cookie)."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=_DEVICE_SALT,
                                      max_age=KNOWN_FOR)
    return [name for name in value.split(" ") if name]


def remember_device(request, response, name: str) -> None:
    """After a sign-in: this browser is known for `name` (and the names it knew already)."""
    from django.conf import settings

    names = [key_of(name)] + [known for known in device_names(request) if known != key_of(name)]
    response.set_signed_cookie(
        DEVICE_COOKIE, " ".join(names[:MAX_DEVICE_NAMES]), salt=_DEVICE_SALT,
        max_age=int(KNOWN_FOR.total_seconds()), httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE)


def is_known_device(request, name: str) -> bool:
    return key_of(name) in device_names(request)
