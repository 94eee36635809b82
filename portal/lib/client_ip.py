"""The address of the client behind a request, through a known number of reverse proxies."""

import ipaddress

from django.conf import settings


def client_ip_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind ``settings.TRUSTED_PROXY_COUNT`` proxies
    the entry that many places from the right of X-Forwarded-For.

    Each trusted proxy appends the address it was reached from, so the entries to the left of
    those are whatever the client chose to send: a forged left-most entry changes nothing. A
    header shorter than the proxy chain (a request that did not come through it) or an entry
    that is not an address falls back to REMOTE_ADDR, the peer that really connected.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return peer
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return peer
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
