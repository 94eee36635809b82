"""portal.lib.client_ip: the client's address through a known number of proxies."""

import pytest
from django.test import RequestFactory

from portal.lib.client_ip import client_ip_address

PROXY = "10.9.9.9"


def address(forwarded: str | None = None, remote: str = PROXY) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_it_is_the_peer_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert address("203.0.113.5") == PROXY


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # a forged left-most entry
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_behind_proxies_it_counts_from_the_right(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert address(forwarded) == expected


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "203.0.113.5\x00"])
def test_a_missing_short_or_bad_header_falls_back_to_the_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert address(forwarded) == PROXY


def test_a_header_shorter_than_the_chain_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address("203.0.113.5") == PROXY
