"""The client's address, taken only from proxies we trust.

`X-Forwarded-For` is written by whoever sends the request; only the hops appended by our own
proxies (settings.TRUSTED_PROXIES, CIDRs; default none) can be believed. Every throttle, the log-in
limiter (django-axes, AXES_CLIENT_IP_CALLABLE) and every log line naming an address use
`client_ip`, so they all agree on who the client is.
"""

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES must list IP networks (CIDRs): {exc}") from exc


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_ip(request: Any) -> str:
    """The address of the client that sent `request` (a Django or DRF request).

    Without trusted proxies this is REMOTE_ADDR. When REMOTE_ADDR is a trusted proxy, the
    `X-Forwarded-For` hops are read from the right (each proxy appends the address it saw) and
    the first one that is not a trusted proxy is the client; anything further left was written
    by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    current = _address(remote)
    if current is None or not networks or not _trusted(current, networks):
        return str(current) if current is not None else remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            # A trusted proxy passed on something that is no address: stop at the last one it vouched for.
            break
        current = address
        if not _trusted(address, networks):
            break
    return str(current)
