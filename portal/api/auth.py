"""``Authorization: Bearer simk_...``: the partner API's only way in.

Cheap by design (every API request pays it): the key's shape and checksum are checked with no
database, the row comes from the cache or one query, so do the account's partner grants (its
scope, see ``_with_partner_grants``), and ``last_used_*`` is written at most once a minute
per key.
"""

import hmac
import time

from django.core.cache import cache
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from portal.accounts.permissions import Grant
from portal.accounts.scoping import granted_pk_list, granted_pks_held, granted_pks_read
from portal.api import keys
from portal.api.errors import ApiCode
from portal.api.networks import address_in_networks
from portal.api.selectors import KEY_CACHE_SECONDS, api_key_by_public_id
from portal.api.services import api_key_mark_used
from portal.audit.context import act_with_api_key
from portal.lib.client_ip import client_ip_address

LAST_USED_EVERY_SECONDS = 60
# When this process last noted each key's use: the cache is asked once a minute, not per request.
_noted_at: dict[str, float] = {}


def _refuse(code: ApiCode):
    return exceptions.AuthenticationFailed(detail=str(code.label), code=code.value)


def api_key_uses_forget() -> None:
    """Forget when keys were last noted (tests: each starts with an empty cache)."""
    _noted_at.clear()


def _note_use(api_key, address: str | None) -> None:
    now = time.monotonic()
    if now - _noted_at.get(api_key.public_id, -LAST_USED_EVERY_SECONDS) < LAST_USED_EVERY_SECONDS:
        return
    _noted_at[api_key.public_id] = now
    # cache.add succeeds for one request per key per minute: only that one writes.
    if cache.add(f"api-key-used:{api_key.public_id}", 1, LAST_USED_EVERY_SECONDS):
        api_key_mark_used(api_key=api_key, address=address)


def _with_partner_grants(api_key):
    """Hand the account the operators it holds the partner grant on, read from the cache (or
    once from the grants) and trusted as long as the key's row: scoping then filters by them
    with no query of its own. The grant is given when the account is made, never taken."""
    if granted_pks_held(api_key.account, Grant.USE_PARTNER_API):
        return api_key  # the key this process holds: its account got them on an earlier request
    name = f"api-key-grants:{api_key.public_id}"
    pks = cache.get(name)
    if pks is None:
        pks = granted_pk_list(api_key.account, Grant.USE_PARTNER_API)
        cache.set(name, pks, KEY_CACHE_SECONDS)
    else:
        granted_pks_read(api_key.account, Grant.USE_PARTNER_API, pks)
    return api_key


def authenticated_key(raw_key: str, address: str | None):
    """The usable key ``raw_key`` is, or AuthenticationFailed saying why not."""
    parsed = keys.parse(raw_key)
    if parsed is None:
        raise _refuse(ApiCode.KEY_MALFORMED)
    api_key = api_key_by_public_id(parsed.public_id)
    if api_key is None or not hmac.compare_digest(
        api_key.secret_hash, keys.key_hash(parsed.full_key)
    ):
        raise _refuse(ApiCode.KEY_UNKNOWN)
    if api_key.revoked_at is not None:
        raise _refuse(ApiCode.KEY_REVOKED)
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        raise _refuse(ApiCode.KEY_EXPIRED)
    if not address_in_networks(address, api_key.allowed_networks):
        raise _refuse(ApiCode.KEY_ADDRESS_REFUSED)
    if not api_key.account.is_active:
        raise _refuse(ApiCode.KEY_ACCOUNT_INACTIVE)
    return api_key


class ApiKeyAuthentication(BaseAuthentication):
    """request.user: the key's partner service account; request.auth: the ApiKey."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise _refuse(ApiCode.KEY_MALFORMED)
        try:
            raw_key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise _refuse(ApiCode.KEY_MALFORMED) from None
        address = client_ip_address(request)
        api_key = _with_partner_grants(authenticated_key(raw_key, address))
        _note_use(api_key, address)
        # Every audit event this request writes names the key as its actor.
        act_with_api_key(
            public_id=api_key.public_id, account_id=api_key.account_id, ip_address=address
        )
        return api_key.account, api_key

    def authenticate_header(self, request):
        return self.keyword
