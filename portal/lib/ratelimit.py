"""Rate limits per account, per outlet (or any other subject), counted in Django's cache.

A rule is named in ``settings.RATE_LIMITS``, a dict of ``{action: {subject: "N/period"}}``
(period: ``second``, ``minute``, ``hour`` or ``day``; an empty value means no limit), for
example ``{"challenge": {"account": "30/hour", "outlet": "120/hour"}}``. An interface counts
one request with one line, after it has authorized it::

    ratelimit.enforce("challenge", account=request.user.pk, outlet=registration.outlet_id)

which raises ``RateLimited`` (a ``PortalError``, status 429, code ``rate_limited``) once a
subject is over its rule. The JSON endpoints use the ``limited`` decorator instead, which
answers 429 JSON itself; a form page adds the error to its form and passes its response
through ``with_retry_after``. Both answers carry a ``Retry-After`` header.

Windows are fixed (``N`` requests from the start of each period, the period counted from the
epoch): simple, one cache increment per request, and the Retry-After is exact. A burst can
reach twice ``N`` across a window's edge, which these limits (against abuse, not for billing)
accept. The counters live in the ``default`` cache: shared by every process when it is Redis
(``CACHE_URL``/``REDIS_URL``); else each process counts in its own memory, which suits the
demo's single web process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from portal.lib.errors import ErrorCode, PortalError, error_response

PERIODS_S = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_KEY_PREFIX = "ratelimit"


class RateLimitCode(ErrorCode):
    RATE_LIMITED = (
        "rate_limited",
        _("Too many requests. Try again in %(minutes)d min."),
    )


# Whole sentences per subject, for the translators; %(minutes)d: when to try again.
_MESSAGES = {
    "account": _("This account has sent too many of these requests. Try again in %(minutes)d min."),
    "outlet": _("This outlet has sent too many of these requests. Try again in %(minutes)d min."),
    "api_key": _("This API key has sent too many of these requests. Try again in %(minutes)d min."),
    "id": _("Too many tries for this ID. Try again in %(minutes)d min."),
    "number": _("Too many codes for this number. Try again in %(minutes)d min."),
    "address": _("Too many tries from this network. Try again in %(minutes)d min."),
}


class RateLimited(PortalError):
    """Over a rate limit: nothing was done; ``retry_after_s`` says when to try again."""

    def __init__(self, *, action: str, subject: str, retry_after_s: int):
        minutes = max(1, math.ceil(retry_after_s / 60))
        sentence = _MESSAGES.get(subject, RateLimitCode.RATE_LIMITED.label)
        message = str(sentence) % {"minutes": minutes}
        super().__init__(RateLimitCode.RATE_LIMITED, message, status=429)
        self.action = action
        self.subject = subject
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Rate:
    """``limit`` requests per window of ``window_s`` seconds."""

    limit: int
    window_s: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"30/hour"`` -> Rate(30, 3600); raises ValueError on anything else."""
        count, _slash, period = text.strip().partition("/")
        if not count.strip().isdigit() or period.strip() not in PERIODS_S:
            raise ValueError(f"a rate is N/{'|'.join(PERIODS_S)}, not {text!r}")
        return cls(int(count), PERIODS_S[period.strip()])


def rule(action: str, subject: str) -> Rate | None:
    """The rate configured for ``action`` per ``subject``, None when there is none."""
    text = settings.RATE_LIMITS.get(action, {}).get(subject) or ""
    if not text:
        return None
    try:
        return Rate.parse(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"RATE_LIMITS[{action!r}][{subject!r}]: {error}") from None


def hit(action: str, subject: str, key: object, rate: Rate, *, now: float | None = None) -> None:
    """Count one request of ``subject`` ``key`` for ``action``; raise RateLimited when it is
    over ``rate`` in the current window (a refused request counts too: hammering does not
    shorten the wait)."""
    now = time.time() if now is None else now
    window = int(now // rate.window_s)
    cache_key = f"{_KEY_PREFIX}:{action}:{subject}:{key}:{rate.window_s}:{window}"
    # add() starts the counter only if absent; the timeout outlives the window a little.
    cache.add(cache_key, 0, timeout=rate.window_s + 60)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: this request is the window's first
        cache.set(cache_key, 1, timeout=rate.window_s + 60)
        count = 1
    if count > rate.limit:
        retry_after_s = max(1, math.ceil((window + 1) * rate.window_s - now))
        raise RateLimited(action=action, subject=subject, retry_after_s=retry_after_s)


def enforce(action: str, **subjects: object) -> None:
    """Count one ``action`` for each subject given (``account=user.pk, outlet=outlet_id``)
    that has a rule; a subject whose key is None (no outlet) is not counted."""
    for subject, key in subjects.items():
        rate = rule(action, subject)
        if rate is not None and key is not None:
            hit(action, subject, key, rate)


def limited(action: str, **subjects: Callable[..., object]):
    """A view decorator for the pages' JSON endpoints: count one ``action`` per subject, each
    key computed from the view's arguments (``account=by_account, outlet=...``), and answer
    429 JSON with Retry-After once over. Put it under the permission check, so that only
    authorized requests are counted."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            keys = {subject: key(request, *args, **kwargs) for subject, key in subjects.items()}
            try:
                enforce(action, **keys)
            except RateLimited as error:
                return json_response(error)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def by_account(request, *args, **kwargs) -> object:
    """The signed-in account, as a subject key for ``limited``."""
    return request.user.pk


def json_response(error: RateLimited) -> JsonResponse:
    """The pages' JSON endpoints: ``{"message", "reasons": ["rate_limited"]}``, 429."""
    response = error_response(error)
    response["Retry-After"] = str(error.retry_after_s)
    return response


def with_retry_after(response: HttpResponse, error: PortalError | None) -> HttpResponse:
    """A page that shows a refusal itself (a form): when the refusal is a rate limit, the
    answer becomes a 429 with Retry-After; any other response is returned as it was."""
    if isinstance(error, RateLimited):
        response.status_code = error.status
        response["Retry-After"] = str(error.retry_after_s)
    return response
