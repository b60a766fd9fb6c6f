"""Failed web sign-ins (`accounts.lockout`): a name is locked only for the address that guessed
it; an address full of failures (a proxy, a NAT) slows down strangers and never locks out the
people known there; the proxy's header names the client only when the proxy is trusted."""

from __future__ import annotations

import datetime
import ipaddress

import pytest
from django.test import Client
from django.utils import timezone

from envhub.accounts import lockout
from envhub.accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-rat-dai-2026"
OFFICE = "203.0.113.9"  # one public address for a whole office, or a proxy
HOME = "10.1.2.3"


def user(username: str) -> User:
    person = User.objects.create(username=username)
    person.set_password(PASSWORD)
    person.save()
    return person


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def signed_in(client: Client, person: User) -> bool:
    return client.session.get("_auth_user_id") == str(person.pk)


def failures(*, names, ip: str, ago: datetime.timedelta = datetime.timedelta(0)):
    """Failed sign-ins as the sign-in signal records them, `ago` in the past."""
    at = timezone.now() - ago
    AuditEvent.objects.bulk_create(
        AuditEvent(actor="anonymous", action="login_failed", object_type="accounts.user",
                   object_repr=name, ip_address=ip, at=at) for name in names)


def test_five_failures_lock_the_name_for_the_guessing_address_only(reference):
    anh = user("anh")
    guesser = Client(REMOTE_ADDR=OFFICE)
    for _ in range(lockout.PAIR_FAILURES):
        assert sign_in(guesser, "anh", "wrong").status_code == 200

    refused = sign_in(guesser, "anh")
    assert refused.status_code == 429 and not signed_in(guesser, anh)
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60
    assert "15" in refused.content.decode()

    owner = Client(REMOTE_ADDR=HOME)
    assert sign_in(owner, "anh").status_code == 302 and signed_in(owner, anh)


def test_twenty_failures_with_made_up_names_lock_nobody_out(reference):
    """The address of a proxy or an office: someone tries twenty made-up names from it."""
    regular, traveller, newcomer = user("regular"), user("traveller"), user("newcomer")
    assert sign_in(Client(REMOTE_ADDR=OFFICE), "regular").status_code == 302
    laptop = Client(REMOTE_ADDR=HOME)
    assert sign_in(laptop, "traveller").status_code == 302
    laptop.post("/logout/")

    sprayer = Client(REMOTE_ADDR=OFFICE)
    for n in range(lockout.ADDRESS_FREE_FAILURES):
        assert sign_in(sprayer, f"made-up-{n}", "wrong").status_code == 200

    # Known at that address, or by their browser: in at once.
    colleague = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(colleague, "regular").status_code == 302 and signed_in(colleague, regular)
    laptop.defaults["REMOTE_ADDR"] = OFFICE
    assert sign_in(laptop, "traveller").status_code == 302 and signed_in(laptop, traveller)
    # A stranger to the address is slowed down, for a minute at most, not locked (six more
    # failures just now: a minute's wait, whatever the time the sign-ins above took).
    failures(names=[f"made-up-{n}" for n in range(6)], ip=OFFICE)
    stranger = Client(REMOTE_ADDR=OFFICE)
    refused = sign_in(stranger, "newcomer")
    assert refused.status_code == 429 and not signed_in(stranger, newcomer)
    assert 1 <= int(refused["Retry-After"]) <= 60
    # The sprayer's further tries are refused unchecked and counted nowhere.
    assert sign_in(sprayer, "made-up-x", "wrong").status_code == 429
    assert AuditEvent.objects.filter(action="login_failed").count() == \
        lockout.ADDRESS_FREE_FAILURES + 6


@pytest.mark.parametrize("count, seconds_ago, waits", [
    (lockout.ADDRESS_FREE_FAILURES - 1, 0, False),
    (lockout.ADDRESS_FREE_FAILURES + 3, 0, True),  # 8 s
    (lockout.ADDRESS_FREE_FAILURES, 2, False),  # waited the 1 s
    (lockout.ADDRESS_FREE_FAILURES + 5, 20, True),  # 32 s
    (lockout.ADDRESS_FREE_FAILURES + 5, 40, False),
    (lockout.ADDRESS_FREE_FAILURES + 30, 50, True),  # at most a minute ...
    (lockout.ADDRESS_FREE_FAILURES + 30, 61, False),  # ... however many failures
])
def test_a_stranger_waits_a_little_after_the_addresss_last_failure(reference, count,
                                                                      seconds_ago, waits):
    newcomer = user("newcomer")
    failures(names=[f"made-up-{n}" for n in range(count)], ip=OFFICE,
             ago=datetime.timedelta(seconds=seconds_ago))
    stranger = Client(REMOTE_ADDR=OFFICE)
    response = sign_in(stranger, "newcomer")
    assert (response.status_code == 429) == waits
    assert signed_in(stranger, newcomer) == (not waits)


def test_guessing_one_name_from_many_addresses_slows_only_the_guessers(reference):
    anh = user("anh")
    assert sign_in(Client(REMOTE_ADDR=HOME), "anh").status_code == 302
    guessers = [f"198.51.100.{n}" for n in range(1, lockout.NAME_FREE_FAILURES + 1)]
    for address in guessers:
        assert sign_in(Client(REMOTE_ADDR=address), "anh", "wrong").status_code == 200
    failures(names=["anh"] * 6, ip="198.51.100.200")  # a minute's wait, whatever the time above

    # An address that guessed wrong is slowed down, even with the right password ...
    assert sign_in(Client(REMOTE_ADDR=guessers[0]), "anh").status_code == 429
    # ... one that has not failed signs in, and so does the owner at home after a typo.
    fresh = Client(REMOTE_ADDR="192.0.2.44")
    assert sign_in(fresh, "anh").status_code == 302 and signed_in(fresh, anh)
    home = Client(REMOTE_ADDR=HOME)
    assert sign_in(home, "anh", "typo").status_code == 200
    assert sign_in(home, "anh").status_code == 302 and signed_in(home, anh)


def test_a_sign_in_cookie_that_was_not_signed_by_envhub_counts_for_nothing(reference):
    user("newcomer")
    failures(names=[f"made-up-{n}" for n in range(lockout.ADDRESS_FREE_FAILURES + 6)],
             ip=OFFICE)
    forger = Client(REMOTE_ADDR=OFFICE)
    forger.cookies[lockout.DEVICE_COOKIE] = "newcomer"
    assert sign_in(forger, "newcomer").status_code == 429


@pytest.mark.parametrize("failures_, seconds", [
    (18, 0), (19, 1), (20, 2), (21, 4), (24, 32), (25, 60), (1000, 60),
])
def test_its_delay_doubles_from_one_second_to_a_minute(failures_, seconds):
    assert lockout.delay(failures_, free=19) == datetime.timedelta(seconds=seconds)


# --- the client's address behind a proxy ------------------------------------------------------

PROXY = "10.0.0.5"


def test_the_proxys_header_names_the_client_only_from_a_trusted_proxy(reference, settings):
    user("anh")
    spoofed = Client(REMOTE_ADDR=OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.1")
    sign_in(spoofed, "anh", "wrong")
    settings.ENVHUB_TRUSTED_PROXIES = [ipaddress.ip_network(PROXY)]
    sign_in(spoofed, "anh", "wrong")
    proxied = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    sign_in(proxied, "anh", "wrong")
    addresses = list(AuditEvent.objects.filter(action="login_failed").order_by("id")
                     .values_list("ip_address", flat=True))
    assert addresses == [OFFICE, OFFICE, "198.51.100.7"]


def test_behind_a_trusted_proxy_one_guesser_locks_out_no_one_else(reference, settings):
    settings.ENVHUB_TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]
    anh = user("anh")
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    for _ in range(lockout.PAIR_FAILURES):
        sign_in(guesser, "anh", "wrong")
    assert sign_in(guesser, "anh").status_code == 429
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.20")
    assert sign_in(owner, "anh").status_code == 302 and signed_in(owner, anh)
