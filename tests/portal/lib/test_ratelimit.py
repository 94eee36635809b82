"""portal.lib.ratelimit: fixed windows counted in the cache, and their 429 answers."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from portal.lib import ratelimit
from portal.lib.errors import PortalError
from portal.lib.ratelimit import Rate, RateLimited

HOUR = 3600
START = 1_800_000_000.0  # a fixed moment, on an hour's edge (1_800_000_000 = 500000 * 3600)


def test_it_reads_a_rate():
    assert Rate.parse("30/hour") == Rate(30, HOUR)
    assert Rate.parse(" 200/day ") == Rate(200, 86400)
    for broken in ("30", "thirty/hour", "30/fortnight", "-1/hour", ""):
        with pytest.raises(ValueError, match="N/"):
            Rate.parse(broken)


def test_it_lets_the_limit_through_and_refuses_the_next_with_the_wait_left():
    rate = Rate(3, HOUR)
    for second in range(3):
        ratelimit.hit("challenge", "account", 7, rate, now=START + second)
    with pytest.raises(RateLimited) as refused:
        ratelimit.hit("challenge", "account", 7, rate, now=START + 600)

    assert refused.value.status == 429
    assert refused.value.reasons == ["rate_limited"]
    assert refused.value.retry_after_s == HOUR - 600
    assert "50 min" in refused.value.message
    assert "account" in refused.value.message


def test_a_new_window_starts_afresh():
    rate = Rate(1, HOUR)
    ratelimit.hit("challenge", "account", 7, rate, now=START + HOUR - 1)
    ratelimit.hit("challenge", "account", 7, rate, now=START + HOUR)  # the next hour
    with pytest.raises(RateLimited):
        ratelimit.hit("challenge", "account", 7, rate, now=START + HOUR + 1)


def test_each_action_subject_and_key_counts_on_its_own():
    rate = Rate(1, HOUR)
    ratelimit.hit("challenge", "account", 7, rate, now=START)
    ratelimit.hit("challenge", "account", 8, rate, now=START)
    ratelimit.hit("challenge", "outlet", 7, rate, now=START)
    ratelimit.hit("capture_upload", "account", 7, rate, now=START)
    with pytest.raises(RateLimited):
        ratelimit.hit("challenge", "account", 7, rate, now=START)


def test_enforce_reads_the_rules_from_settings_and_skips_what_has_none(settings):
    settings.RATE_LIMITS = {"challenge": {"account": "1/hour", "outlet": ""}}
    ratelimit.enforce("challenge", account=1, outlet=5)
    for account in range(2, 7):
        ratelimit.enforce("challenge", account=account, outlet=5)  # the outlet has no rule...
    ratelimit.enforce("registration", account=1)  # ...nor this action
    ratelimit.enforce("challenge", account=None)  # no key, no count
    with pytest.raises(RateLimited) as refused:
        ratelimit.enforce("challenge", account=1, outlet=5)
    assert refused.value.subject == "account"


def test_a_malformed_rule_fails_loudly(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.RATE_LIMITS = {"challenge": {"account": "lots"}}
    with pytest.raises(ImproperlyConfigured, match="challenge"):
        ratelimit.enforce("challenge", account=1)


def test_the_decorator_answers_429_json_with_retry_after(settings):
    settings.RATE_LIMITS = {"challenge": {"account": "2/hour"}}

    @ratelimit.limited("challenge", account=lambda request, pk: pk)
    def view(request, pk):
        return HttpResponse("done", status=201)

    request = RequestFactory().post("/x/")
    assert [view(request, pk=3).status_code for _ in range(2)] == [201, 201]
    refused = view(request, pk=3)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= HOUR
    body = json.loads(refused.content)
    assert body["reasons"] == ["rate_limited"]
    assert body["message"]
    assert view(request, pk=4).status_code == 201  # another key


def test_with_retry_after_changes_only_the_answer_to_a_rate_limit():
    limited = ratelimit.with_retry_after(
        HttpResponse(status=400),
        RateLimited(action="registration", subject="outlet", retry_after_s=120),
    )
    other = ratelimit.with_retry_after(HttpResponse(status=400), PortalError("invalid"))
    untouched = ratelimit.with_retry_after(HttpResponse(status=200), None)

    assert (limited.status_code, limited["Retry-After"]) == (429, "120")
    assert (other.status_code, other.has_header("Retry-After")) == (400, False)
    assert untouched.status_code == 200
