"""Delivery of webhook messages to a real HTTP server on loopback: signed, retried on the
Standard Webhooks schedule, Retry-After honoured, 410 and 5 days of failures disable the
endpoint, redirects never followed, each attempt recorded. The clock is moved by passing
``now``: no test waits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks import Webhook

from portal.api import webhooks
from portal.api.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from registrations import services
from tests.api.webhook_fixtures import online_registration

pytestmark = pytest.mark.django_db
State = WebhookMessage.State
SCHEDULE_S = [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]


@pytest.fixture
def message(endpoint, partner_cmcc, cmcc, guangdong):
    registration = online_registration(partner=partner_cmcc, operator=cmcc, province=guangdong)
    services.registration_decide(registration=registration, decision="approved", reasons=[])
    return WebhookMessage.objects.get()


def deliver(message, now):
    return webhooks.message_deliver(message_pk=message.pk, now=now)


def test_a_2xx_delivers_the_message_signed_once(message, endpoint, receiver):
    assert deliver(message, timezone.now()) == State.DELIVERED
    (received,) = receiver.received
    assert received.path == "/hooks"
    headers = {name.lower(): value for name, value in received.headers.items()}
    payload = Webhook(endpoint[1]).verify(received.body, headers)
    assert payload["data"]["status"] == "approved"
    assert headers["webhook-id"] == message.message_id
    # Delivered: neither the drain nor a second task sends it again.
    assert webhooks.messages_drain(now=timezone.now() + timedelta(days=1)) == 0
    assert deliver(message, timezone.now() + timedelta(days=1)) is None
    assert len(receiver.received) == 1
    attempt = WebhookAttempt.objects.get()
    assert (attempt.response_code, attempt.response_excerpt) == (200, "ok")


def test_failures_are_retried_on_the_spec_schedule_then_the_message_fails(message, receiver):
    receiver.answer(500)
    now = timezone.now()
    waits = []
    for _ in range(len(SCHEDULE_S)):
        assert deliver(message, now) == State.PENDING
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - now).total_seconds()))
        assert deliver(message, message.next_attempt_at - timedelta(seconds=1)) is None
        now = message.next_attempt_at
    assert waits == SCHEDULE_S
    # Not so long in all (about 1.5 days) that the endpoint would be disabled for 5 days.
    assert deliver(message, now) == State.FAILED
    assert len(receiver.received) == 10
    message.refresh_from_db()
    assert (message.attempts, message.last_response_code) == (10, 500)


def test_a_delivery_after_failures_ends_the_failing_spell(message, endpoint, receiver):
    receiver.answer(503, 200)
    deliver(message, timezone.now())
    assert WebhookEndpoint.objects.get().failing_since is not None
    message.refresh_from_db()
    assert deliver(message, message.next_attempt_at) == State.DELIVERED
    assert WebhookEndpoint.objects.get().failing_since is None


@pytest.mark.parametrize(
    ("retry_after", "wait_s"),
    [("120", 120), ("3", 5), ("999999999", 7200)],
    ids=["honoured", "never-before-the-schedule", "bounded"],
)
def test_retry_after_of_a_429_is_honoured_within_bounds(
    message, receiver, settings, retry_after, wait_s
):
    settings.WEBHOOK_RETRY_AFTER_MAX_S = 7200
    receiver.answer((429, {"Retry-After": retry_after}))
    now = timezone.now()
    deliver(message, now)
    message.refresh_from_db()
    assert (message.next_attempt_at - now).total_seconds() == wait_s


def test_410_disables_the_endpoint_at_once_and_tells_the_carrier_admins(
    message,
    endpoint,
    receiver,
    users,
    partner_cmcc,
    cmcc,
    guangdong,
    django_capture_on_commit_callbacks,
):
    users["carrier_admin"].email = "admin@cmcc.example"
    users["carrier_admin"].save()
    other = online_registration(partner=partner_cmcc, operator=cmcc, province=guangdong)
    services.registration_decide(registration=other, decision="rejected", reasons=[])
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(message, timezone.now()) == State.DISABLED
    endpoint_row = WebhookEndpoint.objects.get()
    assert endpoint_row.disabled_reason == WebhookEndpoint.DisabledReason.GONE
    assert set(WebhookMessage.objects.values_list("state", flat=True)) == {State.DISABLED}
    assert webhooks.messages_drain(now=timezone.now() + timedelta(days=2)) == 0
    assert len(receiver.received) == 1
    assert [m.to for m in mail.outbox] == [["admin@cmcc.example"]]
    assert endpoint_row.url in mail.outbox[0].body


def test_five_days_of_failures_disable_the_endpoint(message, receiver, partner_cmcc, cmcc):
    receiver.answer(500)
    start = timezone.now()
    deliver(message, start)
    message.refresh_from_db()
    assert deliver(message, start + timedelta(days=4, hours=23)) == State.PENDING
    message.refresh_from_db()
    assert WebhookEndpoint.objects.get().is_active
    assert deliver(message, start + timedelta(days=5)) == State.DISABLED
    assert WebhookEndpoint.objects.get().disabled_reason == WebhookEndpoint.DisabledReason.FAILING


def test_a_redirect_is_not_followed(message, receiver):
    receiver.answer((302, {"Location": receiver.url.replace("/hooks", "/elsewhere")}))
    assert deliver(message, timezone.now()) == State.PENDING
    assert [r.path for r in receiver.received] == ["/hooks"]
    assert WebhookAttempt.objects.get().response_code == 302


def test_an_unreachable_endpoint_is_an_attempt_with_an_error(message, endpoint):
    WebhookEndpoint.objects.filter(pk=endpoint[0].pk).update(url="http://127.0.0.1:1/hooks")
    assert deliver(message, timezone.now()) == State.PENDING
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_code is None and attempt.error


def test_a_rotated_secret_signs_beside_the_new_one_for_24_hours(message, endpoint, receiver):
    old = endpoint[1]
    now = timezone.now()
    new = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint[0], now=now)
    deliver(message, now)
    headers = {k.lower(): v for k, v in receiver.received[0].headers.items()}
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(receiver.received[0].body, headers)
    later = WebhookEndpoint.objects.get()
    assert later.signing_secrets(now + timedelta(hours=24, seconds=1)) == [new]


def test_the_drain_sends_what_is_due_and_only_that(message, receiver):
    receiver.answer(500, 200)
    now = timezone.now()
    assert webhooks.messages_drain(now=now) == 1
    assert webhooks.messages_drain(now=now + timedelta(seconds=4)) == 0
    assert webhooks.messages_drain(now=now + timedelta(seconds=5)) == 1
    assert WebhookMessage.objects.get().state == State.DELIVERED
    assert len(receiver.received) == 2
