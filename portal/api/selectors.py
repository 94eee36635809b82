"""Reads of API keys: the cached lookup behind every API request, and the admin's list."""

from django.core.cache import cache

from portal.api.models import ApiKey

# How long a key's row is trusted from the cache: a revocation clears it at once, anything
# else (an account disabled in the admin) takes effect within this.
KEY_CACHE_SECONDS = 30


def key_cache_name(public_id: str) -> str:
    return f"api-key:{public_id}"


def api_key_by_public_id(public_id: str) -> ApiKey | None:
    """The key (with its account), from the cache or one query; None if there is none."""
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
