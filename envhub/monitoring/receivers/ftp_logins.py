"""Logins to the FTP receiver: who may log in, and how long a connection may wait before it does.

The user name is a facility's tax code, the password one of its tokens. Failed logins go to the
audit log and count toward the web's rule (`accounts.lockout`): a tax code is locked for an
address after five failures from it; other addresses are slowed down, never locked, and a
datalogger that logged in from its address before is never slowed by others' failures behind
the same address (an industrial park's NAT). A slowed attempt gets its 530 only after a delay
(at most MAX_REFUSAL_DELAY_SECONDS) on its own connection, which costs the server no worker.

Connections that have not logged in are held to LOGIN_TIMEOUT_SECONDS from their connection,
whatever they send meanwhile, and one address may have MAX_WAITING_LOGINS_PER_IP of them at
once: idle connections cannot fill the server's places and keep dataloggers out.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sys
import threading
import warnings

from django.db import DatabaseError, close_old_connections, connections
from django.utils.translation import gettext as _

from envhub.accounts import lockout
from envhub.accounts import services as accounts
from envhub.core import audit
from envhub.core.permissions import Actor

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # see ftp.py
    from pyftpdlib.authorizers import AuthenticationFailed

logger = logging.getLogger("envhub.ftp")

# A datalogger logs in within a few seconds of connecting, even over a slow mobile link.
LOGIN_TIMEOUT_SECONDS = 15
# Dataloggers behind one NAT connect at the same minute; each waits to log in for a moment only.
MAX_WAITING_LOGINS_PER_IP = 8
MAX_REFUSAL_DELAY_SECONDS = 10

TAX_CODE_SHAPE = re.compile(r"[0-9]{10}(?:[0-9]{3})?")


def tax_code_of(username: str) -> str | None:
    """The compact tax code a user name stands for, or None when it cannot be one (such a name
    never becomes a folder)."""
    from envhub.registry.validators import compact_tax_code

    code = compact_tax_code((username or "")[:40])
    return code if TAX_CODE_SHAPE.fullmatch(code) else None


class Refused(AuthenticationFailed):
    """A failed login; its 530 is sent `delay` seconds later (None: pyftpdlib's usual delay)."""

    def __init__(self, message: str, delay: float | None = None):
        super().__init__(message)
        self.delay = delay


def authenticate(username: str, password: str, ip: str | None) -> tuple[str, Actor]:
    """(tax code, actor) of a facility login, or `Refused` with the reply's text."""
    tax_code = tax_code_of(username)
    key = tax_code or lockout.key_of(username)
    close_old_connections()
    try:
        verdict = lockout.check(key, ip)
        if verdict.refused:
            raise _refusal(verdict)
        actor = accounts.facility_actor(tax_code, password) if tax_code else None
        if actor is None:
            _record_failed_login(username, key, ip)
            raise Refused(_("Wrong tax code or token."))
        actor = dataclasses.replace(actor, extra={"ip": ip, "channel": "ftp"})
        # What keeps the address known for the tax code, and ends a run of failures.
        if lockout.success_worth_recording(verdict):
            audit.record(actor, "login", object_type="registry.facility", object_repr=key,
                         changes={"channel": [None, "ftp"]}, ip_address=ip)
    except DatabaseError:
        logger.exception("FTP login of %r from %s could not be checked", username, ip)
        connections["default"].close_if_unusable_or_obsolete()
        raise Refused(
            _("Logins cannot be checked right now; try again in a few minutes.")) from None
    return tax_code, actor


def _refusal(verdict: lockout.Verdict) -> Refused:
    if verdict.refused == lockout.LOCKED:
        minutes = -(-verdict.retry_after // 60)
        return Refused(_("Too many failed logins for this tax code from your address: try "
                         "again in %(minutes)d minutes.") % {"minutes": minutes})
    return Refused(_("Too many failed logins: wait %(seconds)d seconds before trying "
                     "again.") % {"seconds": verdict.retry_after},
                   delay=min(verdict.retry_after, MAX_REFUSAL_DELAY_SECONDS))


def _record_failed_login(username: str, key: str, ip: str | None) -> None:
    # Keyed like the web's failures (the name as typed, lower case) so that both count toward
    # one rule; a tax code is keyed in its compact form however it was typed.
    shown = (username or "")[:60]
    audit.record(Actor(kind="anonymous", label=f"anonymous (ftp, tried {shown!r})"),
                 "login_failed", object_type="registry.facility", object_repr=key,
                 changes={"channel": [None, "ftp"]}, ip_address=ip)


class WaitingLogins:
    """How many connections of each address have not logged in yet (one per server; the
    server's threads share it)."""

    def __init__(self, per_address: int):
        self.per_address = per_address
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def enter(self, ip: str) -> bool:
        with self._lock:
            if self._counts.get(ip, 0) >= self.per_address:
                return False
            self._counts[ip] = self._counts.get(ip, 0) + 1
            return True

    def leave(self, ip: str) -> None:
        with self._lock:
            left = self._counts.get(ip, 0) - 1
            if left > 0:
                self._counts[ip] = left
            else:
                self._counts.pop(ip, None)


class NoRoomToWait(Exception):
    """Raised by `LoginGuard.handle` so that pyftpdlib drops the connection without a thread."""


class LoginGuard:
    """Mixed into the FTP handler: the login deadline, the cap on connections waiting to log
    in, and the delayed reply of a refused login."""

    # Set per server by `ftp.make_server`.
    waiting_logins: WaitingLogins
    refusal_delay: float | None = None
    _waiting = False
    _login_deadline = None

    def handle(self):
        """A new connection: refused when its address has too many waiting to log in,
        otherwise given LOGIN_TIMEOUT_SECONDS to log in."""
        if not self.waiting_logins.enter(self.remote_ip):
            raise NoRoomToWait()
        self._waiting = True
        self._login_deadline = self.ioloop.call_later(
            LOGIN_TIMEOUT_SECONDS, self._login_timed_out, _errback=self.handle_error)
        super().handle()

    def handle_error(self):
        if isinstance(sys.exc_info()[1], NoRoomToWait):
            # As pyftpdlib refuses a connection over its own limits: the reply goes from the
            # accepting loop, and the connection never gets a thread.
            self.respond_w_warning("421 " + _("Too many connections from your address are "
                                              "waiting to log in; try again later."))
            self.close_when_done()
            return
        super().handle_error()

    def _login_timed_out(self):
        if self.authenticated or self._closed:
            return
        self.respond("421 " + _("No login within %(seconds)d seconds; closing.")
                     % {"seconds": LOGIN_TIMEOUT_SECONDS}, logfun=logger.info)
        self.close_when_done()

    def _stop_waiting(self):
        if self._login_deadline is not None and not self._login_deadline.cancelled:
            self._login_deadline.cancel()
        if self._waiting:
            self._waiting = False
            self.waiting_logins.leave(self.remote_ip)

    def handle_auth_success(self, home, password, msg_login):
        self._stop_waiting()  # before the reply: the client may open its next connection at once
        super().handle_auth_success(home, password, msg_login)

    def close(self):
        self._stop_waiting()
        super().close()

    def handle_auth_failed(self, msg, password):
        # pyftpdlib holds back the reply to every failed login (`auth_failed_timeout`); a
        # slowed attempt's reply longer.
        delay, self.refusal_delay = self.refusal_delay, None
        if delay is None:
            return super().handle_auth_failed(msg, password)
        self.auth_failed_timeout = delay
        try:
            return super().handle_auth_failed(msg, password)
        finally:
            del self.auth_failed_timeout
