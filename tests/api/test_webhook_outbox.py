"""Webhook messages are an outbox: written in the transaction of the registration's change
(gone with it when it rolls back), one per endpoint that subscribed, with no personal data."""

import json

import pytest
from django.db import transaction

from portal.api import webhooks
from portal.api.models import WebhookMessage
from registrations import services
from registrations.signals import RegistrationEvent
from tests.api.webhook_fixtures import online_registration
from tests.factories import create_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(partner_cmcc, cmcc, guangdong):
    return online_registration(partner=partner_cmcc, operator=cmcc, province=guangdong)


def test_a_decision_writes_one_message_per_subscribed_endpoint(
    registration, endpoint, partner_cmcc, cmcc, receiver
):
    second, _ = webhooks.webhook_endpoint_create(
        owner=partner_cmcc, operator=cmcc, url=receiver.url, events=[RegistrationEvent.DECIDED]
    )
    webhooks.webhook_endpoint_create(
        owner=partner_cmcc, operator=cmcc, url=receiver.url, events=[RegistrationEvent.CANCELLED]
    )
    services.registration_decide(registration=registration, decision="approved", reasons=[])
    messages = WebhookMessage.objects.filter(event_type=RegistrationEvent.DECIDED)
    assert {m.endpoint_id for m in messages} == {endpoint[0].pk, second.pk}
    assert {m.payload["data"]["registration_id"] for m in messages} == {str(registration.pk)}
    assert len({m.message_id for m in messages}) == 2


def test_the_message_rolls_back_with_the_change(registration, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.registration_decide(registration=registration, decision="rejected", reasons=[])
        assert WebhookMessage.objects.count() == 1  # written inside the transaction
        raise RuntimeError("the change fails after the decision")
    assert WebhookMessage.objects.count() == 0


def test_the_payload_is_thin_ids_status_reasons_and_times(registration, endpoint):
    services.registration_decide(
        registration=registration, decision="rejected", reasons=["no_match"]
    )
    message = WebhookMessage.objects.get()
    assert message.message_id.startswith("msg_")
    assert message.payload["type"] == "registration.decided"
    assert message.payload["data"]["status"] == "rejected"
    assert message.payload["data"]["reasons"] == ["no_match"]
    text = json.dumps(message.payload)
    subscriber = registration.subscriber
    for personal in (
        registration.msisdn,
        registration.iccid,
        subscriber.id_number,
        subscriber.full_name,
        str(subscriber.birth_date),
    ):
        assert personal not in text


def test_review_and_cancellation_each_write_their_event(registration, endpoint, users):
    services.registration_decide(registration=registration, decision="review", reasons=[])
    services.registration_review(
        registration=registration, reviewer=users["carrier_admin"], approve=True, note="ok"
    )
    services.registration_cancel(registration=registration, actor=users["carrier_admin"])
    assert list(WebhookMessage.objects.order_by("pk").values_list("event_type", flat=True)) == [
        "registration.decided",
        "registration.reviewed",
        "registration.cancelled",
    ]


class _FixableFailure:
    """What the engine returns for a capture with no blink: a retake can cure it."""

    decision, engine_version, timings_ms, key_frames = "fail", "test", {}, []

    def __init__(self, reasons):
        self.reasons = reasons

    def to_dict(self):
        return {}


def test_a_retake_writes_verification_retake_needed(registration, endpoint, partner_cmcc):
    from datetime import timedelta

    from django.utils import timezone

    from verification.engine.reasons import NO_BLINK
    from verification.models import Challenge, VerificationJob
    from verification.services.jobs import verification_job_complete

    challenge = Challenge.objects.create(
        nonce="n" * 32,
        registration=registration,
        actions=["blink"],
        issued_to=partner_cmcc,
        expires_at=timezone.now() + timedelta(minutes=2),
    )
    job = VerificationJob.objects.create(
        registration=registration, challenge=challenge, attempt=1, created_by=partner_cmcc
    )
    verification_job_complete(job_id=job.pk, result=_FixableFailure([NO_BLINK]))
    message = WebhookMessage.objects.get()
    assert message.event_type == "verification.retake_needed"
    assert message.payload["data"]["reasons"] == [NO_BLINK]
    assert message.payload["data"]["status"] == "verifying"


def test_nothing_is_written_for_an_unsubscribed_event_a_disabled_endpoint_or_an_outlet(
    registration, endpoint, users, outlet_gd
):
    webhooks.webhook_endpoint_update(endpoint=endpoint[0], events=[RegistrationEvent.CANCELLED])
    services.registration_decide(registration=registration, decision="approved", reasons=[])
    assert WebhookMessage.objects.count() == 0
    create_registration(actor=users["staff"], outlet=outlet_gd, status="cancelled")
    assert WebhookMessage.objects.count() == 0
    endpoint[0].disabled_at = endpoint[0].created_at
    endpoint[0].save()
    services.registration_cancel(registration=registration, actor=users["carrier_admin"])
    assert WebhookMessage.objects.count() == 0


def test_another_partners_registration_does_not_reach_this_endpoint(
    endpoint, users, cmcc, guangdong
):
    from portal.accounts.roles import Role
    from portal.accounts.services import user_create
    from tests.factories import PASSWORD

    other = user_create(
        username="partner_cmcc_2", password=PASSWORD, role=Role.API_PARTNER, operator=cmcc
    )
    theirs = online_registration(partner=other, operator=cmcc, province=guangdong)
    services.registration_decide(registration=theirs, decision="approved", reasons=[])
    assert WebhookMessage.objects.count() == 0
