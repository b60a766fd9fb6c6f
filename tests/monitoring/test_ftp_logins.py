"""FTP logins against a real receiver with Python's `ftplib` and raw sockets, from several
loopback addresses (127.0.0.x) as dataloggers behind different NATs: failed logins slow down
strangers without locking out known dataloggers; connections that do not log in are closed
soon, and one address cannot fill the server with them."""

from __future__ import annotations

import ftplib
import re
import socket
import time

import pytest
from django.conf import settings
from django.utils import translation

from envhub.accounts import lockout
from envhub.accounts import services as accounts
from envhub.accounts.models import AuditEvent
from envhub.core.permissions import system_actor
from envhub.monitoring.receivers import ftp_logins
from tests.monitoring import test_ftp_receiver as receiving

transactional = pytest.mark.django_db(transaction=True)
# The receiver's fixtures: a server on a free port of 127.0.0.0/8, a facility's token.
ftp_root, server, token = receiving.ftp_root, receiving.server, receiving.token

PARK = "127.0.0.1"  # an industrial park's NAT
ELSEWHERE = "127.0.0.2"


def login(server, user: str, password: str, source: str = PARK) -> ftplib.FTP:
    host, port = server.address
    client = ftplib.FTP(source_address=(source, 0))
    client.connect(host, port, timeout=20)
    try:
        client.login(user, password)
    except BaseException:
        client.close()
        raise
    return client


def refused(server, user: str, password: str, source: str = PARK) -> str:
    with pytest.raises(ftplib.error_perm) as error:
        login(server, user, password, source)
    return str(error.value)


def says(reply: str, message: str) -> bool:
    """Whether a 530 reply is `message` (in the receiver's language, with any number)."""
    with translation.override(settings.LANGUAGE_CODE):
        pattern = re.escape(translation.gettext(message)).replace(
            re.escape("%(seconds)d"), r"\d+").replace(re.escape("%(minutes)d"), r"\d+")
    return re.fullmatch(f"530 {pattern}", reply, flags=re.IGNORECASE) is not None


SLOWED = "Too many failed logins: wait %(seconds)d seconds before trying again."
LOCKED = ("Too many failed logins for this tax code from your address: try again in "
          "%(minutes)d minutes.")


@pytest.fixture
def quick_refusals(monkeypatch):
    """A slowed login's 530 comes after a fraction of a second, not seconds."""
    monkeypatch.setattr(ftp_logins, "MAX_REFUSAL_DELAY_SECONDS", 0.2)


@transactional
def test_failed_logins_with_made_up_tax_codes_lock_no_datalogger_out(world, server, token,
                                                                     quick_refusals):
    known = world.facility_hn.tax_code
    login(server, known, token).quit()  # the datalogger has logged in from the park before
    stranger = world.facility_hn2.tax_code
    stranger_token = accounts.create_token(system_actor("tests"), name="new logger",
                                           facility=world.facility_hn2).plain

    for n in range(lockout.ADDRESS_FREE_FAILURES):
        assert refused(server, f"{9000000000 + n}", "envh_guess").startswith("530")
    # Six more just now (as the audit log has them): a minute's wait for strangers.
    AuditEvent.objects.bulk_create(
        AuditEvent(actor="anonymous", action="login_failed", object_repr=f"{9100000000 + n}",
                   ip_address=PARK) for n in range(6))
    assert says(refused(server, "9200000000", "envh_guess"), SLOWED)  # refused unchecked

    client = login(server, known, token)  # in at once
    assert client.pwd() == "/"
    client.quit()
    # A stranger to the park waits a little.
    assert says(refused(server, stranger, stranger_token), SLOWED)
    login(server, stranger, stranger_token, source=ELSEWHERE).quit()  # not locked
    assert AuditEvent.objects.filter(action="login_failed").count() == \
        lockout.ADDRESS_FREE_FAILURES + 6


@transactional
def test_a_tax_code_guessed_five_times_is_locked_for_that_address_only(world, server, token):
    tax_code = world.facility_hn.tax_code
    for _ in range(lockout.PAIR_FAILURES):
        assert refused(server, tax_code, token + "x", source=ELSEWHERE).startswith("530")
    reply = refused(server, tax_code, token, source=ELSEWHERE)
    assert says(reply, LOCKED) and " 15 " in reply
    login(server, tax_code, token, source=PARK).quit()


@transactional
def test_a_datalogger_login_is_recorded_once_a_day_and_after_failures(world, server, token):
    tax_code = world.facility_hn.tax_code
    for _ in range(3):
        login(server, tax_code, token).quit()
    refused(server, tax_code, "envh_wrong")
    login(server, tax_code, token).quit()
    logins = AuditEvent.objects.filter(action__in=["login", "login_failed"]).order_by("id")
    assert [(event.action, event.object_repr, event.ip_address) for event in logins] == [
        ("login", tax_code, PARK), ("login_failed", tax_code, PARK), ("login", tax_code, PARK)]


# --- connections that do not log in ----------------------------------------------------------

def open_raw(server, source: str) -> tuple[socket.socket, str]:
    """A connection that says nothing, and the server's first reply."""
    connection = socket.create_connection(server.address, timeout=20,
                                          source_address=(source, 0))
    return connection, connection.makefile("rb").readline().decode()


def until_closed(connection: socket.socket) -> str:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    connection.close()
    return received.decode()


@transactional
def test_a_connection_that_does_not_log_in_is_closed_soon(world, server, token, monkeypatch):
    """Without the login deadline, each would wait for the idle timeout (two minutes), and
    the test for its socket's (20 s)."""
    monkeypatch.setattr(ftp_logins, "LOGIN_TIMEOUT_SECONDS", 2)
    idle, banner = open_raw(server, PARK)
    assert banner.startswith("220")
    chatty, _banner = open_raw(server, PARK)
    logged_in = login(server, world.facility_hn.tax_code, token)

    replies = chatty.makefile("rb")
    for _ in range(3):  # commands restart the idle timer, not the login deadline
        chatty.sendall(b"NOOP\r\n")
        if replies.readline().startswith(b"421"):
            break
        time.sleep(0.2)
    assert "421" in until_closed(idle)
    assert "421" in replies.read().decode() + until_closed(chatty)
    assert logged_in.voidcmd("NOOP").startswith("200")  # a logged-in datalogger stays
    logged_in.quit()


@transactional
def test_idle_connections_from_many_addresses_leave_room_for_a_datalogger(world, server, token):
    """The attack: 16 connections (all one address may open) from each of 17 addresses, none
    logging in. Each address gets its few waiting places; the real datalogger gets in."""
    per_address = ftp_logins.MAX_WAITING_LOGINS_PER_IP
    opened = []
    try:
        for n in range(2, 19):
            replies = []
            for _ in range(16):
                connection, reply = open_raw(server, f"127.0.0.{n}")
                opened.append(connection)
                replies.append(reply[:3])
            assert replies == ["220"] * per_address + ["421"] * (16 - per_address)
        client = login(server, world.facility_hn.tax_code, token)
        assert client.pwd() == "/"
        client.quit()
    finally:
        for connection in opened:
            connection.close()


@transactional
def test_a_waiting_place_is_freed_by_a_login_or_a_close(world, server, token):
    host, port = server.address
    datalogger = ftplib.FTP(source_address=(PARK, 0))
    datalogger.connect(host, port, timeout=20)
    waiting = [open_raw(server, PARK)[0]
               for _ in range(ftp_logins.MAX_WAITING_LOGINS_PER_IP - 1)]
    try:
        assert open_raw(server, PARK)[1].startswith("421")  # no room left
        datalogger.login(world.facility_hn.tax_code, token)
        connection, reply = open_raw(server, PARK)
        waiting.append(connection)
        assert reply.startswith("220")
        assert open_raw(server, PARK)[1].startswith("421")
        waiting.pop(0).close()  # the server sees the close a moment later
        for _ in range(100):
            connection, reply = open_raw(server, PARK)
            waiting.append(connection)
            if reply.startswith("220"):
                break
            time.sleep(0.05)
        assert reply.startswith("220")
    finally:
        datalogger.quit()
        for connection in waiting:
            connection.close()
