"""The client's address behind reverse proxies.

A request's `X-Forwarded-For` header is believed only as far as trusted proxies wrote it: starting
from the address that connected, each address that is a trusted proxy gives way to the hop it
added (the header's last entry, then the one before ...); the first address that is not a
trusted proxy is the client. Anyone can write the header, so without trusted proxies, or from
an address that is not one, it is ignored. Sign-in throttling counts by this address: behind a
proxy that is not trusted, every visitor would be the proxy.

Pure module (no Django): `core/config.py` parses the setting with `parse_networks`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# Proxies in front of envhub are one or two (a load balancer, nginx); a longer chain of trusted
# hops is read no further.
MAX_HOPS = 8
# The proxies that ENVHUB_HTTPS trusts unless told otherwise: nginx on the same machine.
LOOPBACK = ("127.0.0.1/32", "::1/128")


def parse_networks(items: Sequence[str]) -> tuple[list[Network], list[str]]:
    """(networks, problems) from addresses and CIDR blocks ("10.0.0.1", "10.0.0.0/8",
    "fd00::/8"); a block with host bits set ("10.0.0.1/8") is refused as a likely typo."""
    networks, problems = [], []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as error:
            problems.append(f"{item!r}: {error}")
    return networks, problems


def _address(text: str | None):
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the IPv4 address.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks: Sequence[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(remote: str | None, forwarded_for: str | None,
                   trusted: Sequence[Network]) -> str | None:
    """The client's address: `remote` (the connection's), or the hop of `forwarded_for` that
    the trusted proxies vouch for."""
    address = _address(remote)
    if address is None:
        return remote or None
    if not trusted or not forwarded_for:
        return str(address)
    hops = forwarded_for.rsplit(",", MAX_HOPS)[-MAX_HOPS:]
    for hop in reversed(hops):
        if not _trusted(address, trusted):
            break
        previous = _address(hop)
        if previous is None:
            break  # not an address: the last one vouched for stands
        address = previous
    return str(address)


def describe(trusted: Sequence[Network]) -> str:
    """How client addresses are found, for `envhub check`."""
    if not trusted:
        return "client addresses: the connecting address (X-Forwarded-For is ignored)"
    shown = ", ".join(str(network) for network in trusted)
    return f"client addresses: from X-Forwarded-For when the request comes from {shown}"
