"""The client's address: the peer, or, when the peer is one of our trusted reverse proxies
(FANWEN_TRUSTED_PROXIES), the right-most address in X-Forwarded-For that is not a trusted
proxy — the one our own proxy wrote.  Entries further left are whatever the client sent."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    peer = str(request.META.get("REMOTE_ADDR") or "unknown")
    networks = _networks(tuple(getattr(settings, "FANWEN_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [hop for hop in hops if _ip(hop) is not None]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return str(_ip(hop))
    return str(_ip(hops[0])) if hops else peer
