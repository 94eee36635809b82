"""Webhooks reach public addresses only: other schemes, private, loopback, link-local,
metadata and reserved addresses (and names resolving to them) are refused when the endpoint
is saved and again at each delivery, unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on."""

import pytest
from django.utils import timezone

from portal.api import webhooks
from portal.api.models import WebhookAttempt, WebhookMessage
from portal.api.webhooks_http import WebhookCode, WebhookError, checked_addresses
from registrations import services
from tests.api.webhook_fixtures import ALL_EVENTS, online_registration

REFUSED = [
    ("http://127.0.0.1/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://10.1.2.3/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://192.168.0.10:8080/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://169.254.169.254/latest/meta-data/", WebhookCode.URL_NOT_PUBLIC),
    ("http://[::1]/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://[::ffff:127.0.0.1]/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://[fe80::1]/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://224.0.0.1/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://0.0.0.0/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("http://localhost:8000/hooks", WebhookCode.URL_NOT_PUBLIC),
    ("file:///etc/passwd", WebhookCode.URL_SCHEME),
    ("gopher://203.0.113.7:70/_stats", WebhookCode.URL_SCHEME),
    ("ftp://203.0.113.7/hooks", WebhookCode.URL_SCHEME),
    ("http:///hooks", WebhookCode.URL_SCHEME),
    ("http://[::1/hooks", WebhookCode.URL_SCHEME),
]


@pytest.mark.parametrize(("url", "code"), REFUSED, ids=[url for url, _ in REFUSED])
def test_an_address_that_is_not_public_is_refused(url, code, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(WebhookError) as refused:
        checked_addresses(url)
    assert refused.value.reasons == [code]
    assert refused.value.field == "url"


def test_a_public_address_is_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    assert checked_addresses("https://8.8.8.8/hooks") == ["8.8.8.8"]


@pytest.mark.parametrize("url", ["http://127.0.0.1/hooks", "http://10.1.2.3/", "http://[::1]/"])
def test_private_addresses_are_allowed_with_the_setting(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert checked_addresses(url)


def test_the_setting_never_allows_another_scheme(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    with pytest.raises(WebhookError):
        checked_addresses("file:///etc/passwd")


@pytest.mark.django_db
def test_an_endpoint_to_a_private_address_is_not_saved(settings, partner_cmcc, cmcc):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(WebhookError):
        webhooks.webhook_endpoint_create(
            owner=partner_cmcc, operator=cmcc, url="http://10.0.0.5/hooks", events=ALL_EVENTS
        )


@pytest.mark.django_db
def test_the_address_is_checked_again_at_delivery(
    endpoint, receiver, settings, partner_cmcc, cmcc, guangdong
):
    """Saved while allowed (as a name that later resolves to a private address would be):
    at delivery the check runs again, and nothing is sent."""
    registration = online_registration(partner=partner_cmcc, operator=cmcc, province=guangdong)
    services.registration_decide(registration=registration, decision="approved", reasons=[])
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    message = WebhookMessage.objects.get()
    webhooks.message_deliver(message_pk=message.pk, now=timezone.now())
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert (attempt.response_code, attempt.error) == (None, WebhookCode.URL_NOT_PUBLIC)
