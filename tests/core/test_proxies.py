"""The client's address behind proxies (`core/proxies.py`): X-Forwarded-For is believed only as
far as trusted proxies wrote it; the setting is parsed strictly and reported."""

from __future__ import annotations

import ipaddress

import pytest

from envhub.core import config, proxies

NETS = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("fd00::/64")]


@pytest.mark.parametrize("remote, forwarded, trusted, client", [
    ("203.0.113.9", None, NETS, "203.0.113.9"),
    # Not from a trusted proxy: the header is anyone's words.
    ("203.0.113.9", "192.0.2.1", NETS, "203.0.113.9"),
    ("10.0.0.5", "192.0.2.1", [], "10.0.0.5"),
    # From a trusted proxy: the hop it added.
    ("10.0.0.5", "192.0.2.1", NETS, "192.0.2.1"),
    ("10.0.0.5", "198.51.100.3, 192.0.2.1", NETS, "192.0.2.1"),
    # Two trusted proxies in a row: the hop before them.
    ("10.0.0.5", "198.51.100.3, 192.0.2.1, 10.0.0.7", NETS, "192.0.2.1"),
    ("fd00::5", "2001:db8::1", NETS, "2001:db8::1"),
    ("::ffff:10.0.0.5", "192.0.2.1", NETS, "192.0.2.1"),
    # A hop that is no address ends the walk at the last address vouched for.
    ("10.0.0.5", "192.0.2.1, garbage", NETS, "10.0.0.5"),
    ("10.0.0.5", "192.0.2.1:4711", NETS, "10.0.0.5"),
    # Only trusted hops: the first of them.
    ("10.0.0.5", "10.0.0.9", NETS, "10.0.0.9"),
    ("10.0.0.5", ", ".join(["10.0.0.9"] * 50 + ["192.0.2.1"]), NETS, "192.0.2.1"),
    (None, "192.0.2.1", NETS, None),
    ("", "192.0.2.1", NETS, None),
])
def test_it_finds_the_client(remote, forwarded, trusted, client):
    assert proxies.client_address(remote, forwarded, trusted) == client


def test_it_reads_no_further_than_a_few_trusted_hops():
    forwarded = ", ".join(["192.0.2.1"] + ["10.0.0.9"] * (proxies.MAX_HOPS + 5))
    assert proxies.client_address("10.0.0.5", forwarded, NETS) == "10.0.0.9"


@pytest.mark.parametrize("env, trusted", [
    ({}, []),
    ({"ENVHUB_HTTPS": "true"}, ["127.0.0.1/32", "::1/128"]),
    ({"ENVHUB_HTTPS": "true", "ENVHUB_TRUSTED_PROXIES": "none"}, []),
    ({"ENVHUB_TRUSTED_PROXIES": "10.0.0.5, 10.1.0.0/16, fd00::/8"},
     ["10.0.0.5/32", "10.1.0.0/16", "fd00::/8"]),
])
def test_the_setting_names_the_trusted_proxies(tmp_path, env, trusted):
    loaded = config.load(env, tmp_path)
    assert loaded.problems == []
    assert [str(network) for network in loaded.trusted_proxies] == trusted


@pytest.mark.parametrize("value", ["10.0.0.1/8", "proxy.example", "10.0.0.0/33", "10.0.0.1,,"])
def test_a_bad_proxy_setting_is_named(tmp_path, value):
    loaded = config.load({"ENVHUB_TRUSTED_PROXIES": value}, tmp_path)
    assert loaded.problems and all("ENVHUB_TRUSTED_PROXIES" in problem
                                   for problem in loaded.problems)


@pytest.mark.parametrize("env, warned", [
    ({"ENVHUB_HTTPS": "true"}, False),
    ({"ENVHUB_HTTPS": "true", "ENVHUB_TRUSTED_PROXIES": "none"}, True),
    ({"ENVHUB_HTTPS": "true", "ENVHUB_BIND": "0.0.0.0:8000"}, True),
    ({"ENVHUB_HTTPS": "true", "ENVHUB_BIND": "0.0.0.0:8000",
      "ENVHUB_TRUSTED_PROXIES": "10.0.0.5"}, False),
])
def test_check_warns_when_visitors_would_share_the_proxys_address(tmp_path, env, warned):
    loaded = config.load(env, tmp_path)
    assert any("ENVHUB_TRUSTED_PROXIES" in warning for warning in loaded.warnings) == warned


@pytest.mark.parametrize("env, said", [
    ({}, "client addresses: the connecting address (X-Forwarded-For is ignored)"),
    ({"ENVHUB_TRUSTED_PROXIES": "10.0.0.5"},
     "client addresses: from X-Forwarded-For when the request comes from 10.0.0.5/32"),
    ({"ENVHUB_TRUSTED_PROXIES": "10.0.0.1/8"}, "ENVHUB_TRUSTED_PROXIES: '10.0.0.1/8'"),
])
def test_envhub_check_says_where_client_addresses_come_from(tmp_path, env, said):
    from tests.core.test_check_command import run_check

    result = run_check(tmp_path, **env)
    assert said in result.stdout + result.stderr
