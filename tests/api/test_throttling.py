"""Each key's token bucket: API_BURST at once, then API_RATE_PER_S; 429 with Retry-After."""

import os

import pytest

from portal.api import throttles

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["cache", "redis"])
def counter(request, settings):
    """Where the buckets are counted: Django's cache, or Redis when the broker is Redis."""
    if request.param == "redis":
        url = os.environ.get("CELERY_BROKER_URL", "")
        if not url.startswith(("redis://", "rediss://")):
            pytest.skip("needs Redis (set CELERY_BROKER_URL=redis://...)")
        settings.CELERY_BROKER_URL = url
    else:
        settings.CELERY_BROKER_URL = "memory://"
    return request.param


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by the test: no sleeping, no flakes."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(throttles, "_now", lambda: now[0])
    return now


def test_a_burst_then_429_with_retry_after_then_the_rate_refills(api, settings, counter, clock):
    settings.API_BURST, settings.API_RATE_PER_S = 3, 0.5
    statuses = [api.get("/api/v1/api-key").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = api.get("/api/v1/api-key")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["reasons"] == ["throttled"]
    assert refused["Retry-After"] == "2"  # one token at 0.5/s
    clock[0] += 2.0
    assert api.get("/api/v1/api-key").status_code == 200
    assert api.get("/api/v1/api-key").status_code == 429


def test_each_key_has_its_own_bucket(api, api_cucc, settings, counter, clock):
    settings.API_BURST, settings.API_RATE_PER_S = 1, 0.1
    assert api.get("/api/v1/api-key").status_code == 200
    assert api.get("/api/v1/api-key").status_code == 429
    assert api_cucc.get("/api/v1/api-key").status_code == 200


def test_the_bucket_never_holds_more_than_the_burst(api, settings, counter, clock):
    settings.API_BURST, settings.API_RATE_PER_S = 2, 1.0
    clock[0] += 3600  # an idle hour
    statuses = [api.get("/api/v1/api-key").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_the_defaults_are_20_per_second_bursts_of_100():
    from django.conf import settings

    if "API_RATE_PER_S" in os.environ or "API_BURST" in os.environ:
        pytest.skip("the environment sets its own limits")
    assert (settings.API_RATE_PER_S, settings.API_BURST) == (20.0, 100)
