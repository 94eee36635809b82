"""Reads of API keys: the cached lookup behind every API request, and the admin's list."""

import time

from django.core.cache import cache

from portal.api.models import ApiKey

# How long a key's row is trusted from the cache: a revocation clears it at once, anything
# else (an account disabled in the admin) takes effect within this.
KEY_CACHE_SECONDS = 30
# And how long a process trusts the copy it last read, without asking even the cache: every
# API request would otherwise unpickle the key and its account. A revocation drops it at once
# in the revoking process (``api_key_forget``), and within these seconds in the others.
KEY_MEMO_SECONDS = 2.0
_KEY_MEMO_LIMIT = 1024
_key_memo: dict[str, tuple[float, ApiKey]] = {}


def key_cache_name(public_id: str) -> str:
    return f"api-key:{public_id}"


def api_key_forget(public_id: str) -> None:
    """Drop this process's and the cache's copies of the key: the next request reads the row."""
    _key_memo.pop(public_id, None)
    cache.delete(key_cache_name(public_id))


def api_key_memo_clear() -> None:
    """Forget every key this process holds (tests: each starts with an empty cache)."""
    _key_memo.clear()


def api_key_by_public_id(public_id: str) -> ApiKey | None:
    """The key (with its account), from this process's memo, the cache or one query; None
    if there is none. The same object serves every request of the memo's few seconds, so
    whatever a request memoises on it (the account's grants) serves them too."""
    held = _key_memo.get(public_id)
    now = time.monotonic()
    if held is not None and held[0] > now:
        return held[1]
    found = _api_key_from_cache_or_row(public_id)
    if found is not None:
        if len(_key_memo) >= _KEY_MEMO_LIMIT:
            _key_memo.clear()
        _key_memo[public_id] = (now + KEY_MEMO_SECONDS, found)
    return found


def _api_key_from_cache_or_row(public_id: str) -> ApiKey | None:
    name = key_cache_name(public_id)
    found = cache.get(name)
    if found is None:
        found = (
            ApiKey.objects.select_related("operator", "account", "account__operator")
            .filter(public_id=public_id)
            .first()
        )
        if found is None:
            return None
        # Read the account's role and permissions now, so the cached copy carries them and
        # a request answered from the cache asks the database nothing about its caller.
        found.account.role  # noqa: B018
        found.account.get_all_permissions()
        cache.set(name, found, KEY_CACHE_SECONDS)
    return found


def api_keys_of_operator(operator) -> list[ApiKey]:
    return list(ApiKey.objects.filter(operator=operator).select_related("created_by", "revoked_by"))
