"""The wire side of webhooks, without the database: signing, the address check, the POST.

- Signing follows the Standard Webhooks spec: ``webhook-signature`` is ``v1,<base64
  HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the base64 bytes after ``whsec_``,
  one per secret (space-separated) while a rotation lasts.
- SSRF: only http(s); the host is resolved and every address must be public (not private,
  loopback, link-local, multicast or reserved) unless ``WEBHOOK_ALLOW_PRIVATE_NETWORKS``.
  The check runs when an endpoint is saved and again at each delivery, and the connection
  goes to the address that was checked (pinned), so a name that re-resolves elsewhere
  between the check and the POST (DNS rebinding) reaches nothing new.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not one
EXCERPT_CHARS = 200


class WebhookCode(ErrorCode):
    URL_SCHEME = "webhook_url_scheme", _("A webhook URL must start with https:// or http://.")
    URL_UNRESOLVED = "webhook_url_unresolved", _("The webhook URL's host name does not resolve.")
    URL_NOT_PUBLIC = (
        "webhook_url_not_public",
        _(
            "The webhook URL leads to a private, loopback, link-local or reserved address: "
            "webhooks are only sent to public addresses."
        ),
    )
    EVENTS_REQUIRED = "webhook_events_required", _("Subscribe the endpoint to at least one event.")
    UNKNOWN_EVENT = "webhook_unknown_event", _("One of the events is not an event of the API.")
    ENDPOINT_DISABLED = (
        "webhook_endpoint_disabled",
        _("This endpoint is disabled: the partner must turn it on again first."),
    )


class WebhookError(PortalError):
    """A webhook endpoint or message refused (a 400 problem in the API)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secrets_: list[str], *, message_id: str, timestamp: int, body: bytes) -> dict:
    """The Standard Webhooks headers of one POST, signed with each of ``secrets_``."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(s, message_id=message_id, timestamp=timestamp, body=body) for s in secrets_
        ),
    }


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


# -- where a URL leads -------------------------------------------------------------------------


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, whatever it looks like
    return address.is_global and not address.is_multicast


def checked_addresses(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, each allowed; or a WebhookError (field url)."""
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:  # an unbalanced [ of an IPv6 address
        raise WebhookError(WebhookCode.URL_SCHEME, field="url") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise WebhookError(WebhookCode.URL_SCHEME, field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise WebhookError(WebhookCode.URL_UNRESOLVED, field="url") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found))
    if not settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS and not all(map(_public, addresses)):
        raise WebhookError(WebhookCode.URL_NOT_PUBLIC, field="url")
    return [str(address) for address in addresses]


# -- the POST ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What one POST came to: a status code, or an error (no connection, a time-out)."""

    status: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""
    retry_after_s: int | None = None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _retry_after(value: str | None) -> int | None:
    # Seconds only: an HTTP date is rare from webhook receivers and not worth parsing.
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def post(url: str, *, body: bytes, headers: dict) -> Answer:
    """POST ``body`` to ``url`` at an address checked just now; never follows a redirect."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        address = checked_addresses(url)[0]
    except WebhookError as refused:
        return Answer(status=None, duration_ms=elapsed(), error=refused.code)
    parts = urlsplit(url)
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_TIMEOUT_S, read=settings.WEBHOOK_TIMEOUT_S)
    common = {"port": parts.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, server_hostname=parts.hostname, assert_hostname=parts.hostname, **common
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **common)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    request_headers = {
        **headers,
        "Host": host,
        "Content-Type": "application/json",
        "User-Agent": "sim-portal-webhooks/1",
    }
    try:
        response = pool.urlopen(
            "POST", path, body=body, headers=request_headers, redirect=False,
            preload_content=False, assert_same_host=False,
        )  # fmt: skip
        excerpt = response.read(EXCERPT_CHARS, decode_content=False)
        response.release_conn()
    except urllib3.exceptions.HTTPError as error:
        return Answer(status=None, duration_ms=elapsed(), error=type(error).__name__)
    finally:
        pool.close()
    return Answer(
        status=response.status,
        duration_ms=elapsed(),
        excerpt=excerpt.decode("utf-8", "replace")[:EXCERPT_CHARS],
        retry_after_s=_retry_after(response.headers.get("Retry-After")),
    )
