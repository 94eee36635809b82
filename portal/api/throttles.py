"""A token bucket per API key: API_RATE_PER_S sustained, bursts of API_BURST.

Counted in Redis, atomically by one Lua script, when the broker is Redis (every process and
server shares the bucket); in Django's cache otherwise (one process: the demo and tests).
"""

import logging
import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from portal.api.models import ApiKey

logger = logging.getLogger(__name__)

# KEYS[1]: the bucket; ARGV: rate per second, burst, now (s). Returns {allowed, wait s}.
_BUCKET_SCRIPT = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return {allowed, tostring(wait)}
"""

_REDIS_SCHEMES = ("redis://", "rediss://")
_scripts: dict[str, object] = {}
_cache_lock = threading.Lock()


def _now() -> float:
    return time.time()


def _redis_script(url: str):
    if url not in _scripts:
        import redis

        _scripts[url] = redis.Redis.from_url(url).register_script(_BUCKET_SCRIPT)
    return _scripts[url]


def _take_in_redis(url: str, bucket: str, rate: float, burst: int) -> tuple[bool, float]:
    allowed, wait = _redis_script(url)(keys=[bucket], args=[rate, burst, _now()])
    return bool(allowed), float(wait)


def _take_in_cache(bucket: str, rate: float, burst: int) -> tuple[bool, float]:
    # The same arithmetic as the script; the lock makes it atomic within this process.
    with _cache_lock:
        now = _now()
        tokens, at = cache.get(bucket, (float(burst), now))
        tokens = min(burst, tokens + max(0.0, now - at) * rate)
        allowed = tokens >= 1
        wait = 0.0 if allowed else (1 - tokens) / rate
        cache.set(bucket, (tokens - 1 if allowed else tokens, now), math.ceil(burst / rate) + 1)
    return allowed, wait


def take_token(public_id: str) -> tuple[bool, float]:
    """(allowed, seconds until a token is back) for one request with this key."""
    rate, burst = settings.API_RATE_PER_S, settings.API_BURST
    bucket = f"api-rate:{public_id}"
    url = str(settings.CELERY_BROKER_URL)
    if not url.startswith(_REDIS_SCHEMES):
        return _take_in_cache(bucket, rate, burst)
    try:
        return _take_in_redis(url, bucket, rate, burst)
    except Exception:  # noqa: BLE001 - Redis down: serve rather than refuse every partner
        logger.warning("API rate limit not counted: Redis unreachable", exc_info=True)
        return True, 0.0


class ApiKeyRateThrottle(BaseThrottle):
    """429 with Retry-After once a key's bucket is empty; requests with no key are left to
    authentication (they get a 401)."""

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return True
        allowed, self._wait = take_token(request.auth.public_id)
        return allowed

    def wait(self):
        return max(1, math.ceil(getattr(self, "_wait", 0.0)))
