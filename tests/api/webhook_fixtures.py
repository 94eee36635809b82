"""Webhook test fixtures: an endpoint of CMCC's partner pointing at the receiver (a local
HTTP server, ``webhook_receiver``), and online registrations made by that partner through
the real services. Import the fixtures a test module uses from here."""

import pytest

from portal.api import webhooks
from registrations import services
from registrations.signals import RegistrationEvent
from tests.api.webhook_receiver import Receiver, receiver
from tests.factories import next_iccid, next_msisdn, subscriber_details

__all__ = ["Receiver", "endpoint", "private_networks_allowed", "receiver"]

ALL_EVENTS = list(RegistrationEvent.values)


def online_registration(*, partner, operator, province, status="verifying"):
    """A registration of the partner's online channel brought to ``status``."""
    registration = services.registration_create(
        actor=partner,
        subscriber=subscriber_details(),
        operator=operator,
        province=province,
        msisdn=next_msisdn(),
        iccid=next_iccid(),
    )
    if status in ("submitted", "verifying"):
        registration = services.registration_submit(registration=registration, actor=partner)
    if status == "verifying":
        registration = services.registration_start_verification(registration=registration)
    return registration


@pytest.fixture
def private_networks_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def endpoint(receiver, partner_cmcc, cmcc, private_networks_allowed):
    """(endpoint, secret): CMCC's partner's endpoint on the receiver, every event."""
    return webhooks.webhook_endpoint_create(
        owner=partner_cmcc, operator=cmcc, url=receiver.url, events=ALL_EVENTS
    )
