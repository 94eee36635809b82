"""The carrier admin's webhook pages: the operator's endpoints and recent deliveries with
the receivers' answers, a redeliver button (POST) recorded with who pressed it; another
operator's endpoints do not exist for them."""

import pytest
from django.utils import timezone

from portal.api import webhooks
from portal.api.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from registrations import services
from tests.api.webhook_fixtures import online_registration
from tests.factories import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(endpoint, receiver, partner_cmcc, cmcc, guangdong):
    """A decision's message, tried once and answered 503."""
    registration = online_registration(partner=partner_cmcc, operator=cmcc, province=guangdong)
    services.registration_decide(registration=registration, decision="approved", reasons=[])
    message = WebhookMessage.objects.get()
    receiver.answer(503)
    webhooks.message_deliver(message_pk=message.pk, now=timezone.now())
    message.refresh_from_db()
    return message


def test_the_carrier_admin_sees_endpoints_and_deliveries_with_answers(
    client, users, endpoint, delivered
):
    sign_in(client, users["carrier_admin"])
    listing = client.get("/operator/webhooks/")
    assert listing.status_code == 200
    assert endpoint[0].url in listing.content.decode()
    assert delivered.event_type in listing.content.decode()
    detail = client.get(f"/operator/webhooks/{endpoint[0].pk}/").content.decode()
    assert delivered.message_id in detail
    assert " 503 " in detail
    assert endpoint[1] not in detail  # never the secret


def test_another_operators_admin_and_other_roles_see_nothing(client, users, endpoint, delivered):
    sign_in(client, users["carrier_admin_cucc"])
    assert endpoint[0].url not in client.get("/operator/webhooks/").content.decode()
    assert client.get(f"/operator/webhooks/{endpoint[0].pk}/").status_code == 404
    redeliver = f"/operator/webhooks/messages/{delivered.pk}/redeliver/"
    assert client.post(redeliver).status_code == 404
    for role in ("staff", "inspector", "partner"):
        sign_in(client, users[role])
        assert client.get("/operator/webhooks/").status_code == 403


def test_redeliver_sends_the_message_again_and_records_who_asked(
    client, users, delivered, receiver
):
    sign_in(client, users["carrier_admin"])
    url = f"/operator/webhooks/messages/{delivered.pk}/redeliver/"
    assert client.get(url).status_code == 405
    WebhookMessage.objects.filter(pk=delivered.pk).update(state=WebhookMessage.State.FAILED)
    response = client.post(url)
    assert response.status_code == 302
    message = WebhookMessage.objects.get()
    assert message.state == WebhookMessage.State.PENDING
    receiver.answer(200)
    assert webhooks.message_deliver(message_pk=message.pk) == WebhookMessage.State.DELIVERED
    latest = WebhookAttempt.objects.order_by("-pk").first()
    assert (latest.response_code, latest.requested_by) == (200, users["carrier_admin"])
    page = client.get(f"/operator/webhooks/{message.endpoint_id}/").content.decode()
    assert "sent again by carrier_admin_cmcc" in page


def test_a_disabled_endpoint_is_shown_with_why_and_is_not_redelivered(
    client, users, endpoint, delivered
):
    WebhookEndpoint.objects.filter(pk=endpoint[0].pk).update(
        disabled_at=timezone.now(), disabled_reason=WebhookEndpoint.DisabledReason.GONE
    )
    sign_in(client, users["carrier_admin"])
    page = client.get(f"/operator/webhooks/{endpoint[0].pk}/").content.decode()
    assert "410 Gone" in page
    response = client.post(f"/operator/webhooks/messages/{delivered.pk}/redeliver/", follow=True)
    assert "disabled" in response.content.decode()
    assert WebhookMessage.objects.get().redelivery_requested_by is None
