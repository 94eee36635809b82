"""Webhooks: the partner's endpoints, the outbox written with each registration event, and
the delivery of its messages on the Standard Webhooks retry schedule.

Who gets what: an event of an online-channel registration goes to the active endpoints of
the partner account that created it (the same rows its API key sees), subscribed to that
event. Outlet registrations send no webhooks.

The outbox: ``outbox_write`` runs inside the lifecycle service's transaction (it receives
``registrations.signals.registration_event``), so a message exists exactly when the change
committed. Delivery is queued after commit; if the broker is down then, the drain (Celery
beat, ``messages_drain``) sends it once it is due. A message is taken with a lease (its
``next_attempt_at`` moved past the POST's time-out, under ``skip_locked``), so two workers
never POST it at the same time.

Retries after the first try: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then the
message is failed. A 429 or 503 with ``Retry-After`` waits at least that long (at most
``WEBHOOK_RETRY_AFTER_MAX_S``). A 410 disables the endpoint at once; an endpoint whose
deliveries have all failed for 5 days is disabled. Either way its pending messages stop, the
reason shows on the partner's endpoint and on the carrier admin's page, and the operator's
carrier admins get an email. The partner turns it on again with PATCH ``enabled: true``.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_users_with_perms

from portal.accounts.permissions import Grant
from portal.accounts.scoping import granted_pks
from portal.api.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from portal.api.webhooks_http import (
    WebhookCode,
    WebhookError,
    body_of,
    checked_addresses,
    new_secret,
    post,
    signed_headers,
)
from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.outbox.services import enqueue
from registrations.models import Registration
from registrations.signals import RegistrationEvent

RETRY_SCHEDULE = tuple(
    timedelta(seconds=s)
    for s in (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 14 * 3600, 20 * 3600, 86400)
)
FAILING_FOR_DISABLES = timedelta(days=5)
ROTATION_OVERLAP = timedelta(hours=24)
# Longer than a POST may take, so a lease never ends while its POST is still running.
LEASE = timedelta(seconds=60)
# At most 20 POSTs of at most 2 x WEBHOOK_TIMEOUT_S each: well inside the task's time limit.
DRAIN_BATCH = 20
State = WebhookMessage.State

# -- reads -------------------------------------------------------------------------------------


def endpoints_of_partner(user):
    """The endpoints a partner account manages through the API."""
    return WebhookEndpoint.objects.filter(owner=user)


def endpoints_of_carrier(user):
    """The endpoints of the operator a carrier admin runs."""
    return WebhookEndpoint.objects.filter(operator__in=granted_pks(user, Grant.MANAGE_OPERATOR))


def messages_of_carrier(user):
    return WebhookMessage.objects.filter(endpoint__in=endpoints_of_carrier(user))


# -- endpoints ---------------------------------------------------------------------------------


def _validated_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if not events:
        raise WebhookError(WebhookCode.EVENTS_REQUIRED, field="events")
    if not set(events) <= set(RegistrationEvent.values):
        raise WebhookError(WebhookCode.UNKNOWN_EVENT, field="events")
    return events


@transaction.atomic
def webhook_endpoint_create(
    *, owner, operator, url: str, events: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (returned once: it is stored sealed, never shown again)."""
    events = _validated_events(events)
    checked_addresses(url)
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        owner=owner,
        operator=operator,
        url=url,
        events=events,
        description=description,
        secret=secret,
    )
    audit_record(
        action=Action.WEBHOOK_ENDPOINT_CREATED,
        actor=owner,
        obj=endpoint,
        changes={"url": (None, url), "events": (None, events)},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url=None, events=None, description=None, enabled=None
) -> WebhookEndpoint:
    """Change what is given; ``enabled`` turns the endpoint off (by its owner) or on again
    (after any disabling: the owner says the receiver answers again)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.is_active}
    if url is not None:
        checked_addresses(url)
        endpoint.url = url
    if events is not None:
        endpoint.events = _validated_events(events)
    if description is not None:
        endpoint.description = description
    if enabled is True and endpoint.disabled_at is not None:
        endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    elif enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at = timezone.now()
        endpoint.disabled_reason = WebhookEndpoint.DisabledReason.BY_OWNER
        endpoint.messages.filter(state=State.PENDING).update(state=State.DISABLED)
    endpoint.save()
    after = {"url": endpoint.url, "events": endpoint.events, "enabled": endpoint.is_active}
    changes = {name: (before[name], after[name]) for name in after if before[name] != after[name]}
    if changes:
        audit_record(
            action=Action.WEBHOOK_ENDPOINT_CHANGED,
            actor=endpoint.owner,
            obj=endpoint,
            changes=changes,
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    audit_record(
        action=Action.WEBHOOK_ENDPOINT_DELETED,
        actor=endpoint.owner,
        obj=endpoint,
        changes={"url": (endpoint.url, None)},
    )
    endpoint.delete()


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, now=None) -> str:
    """A new secret (returned once); the current one keeps signing for 24 hours beside it."""
    now = now or timezone.now()
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = secret
    endpoint.save()
    # Never the secret itself: only that it changed, and until when the old one still signs.
    audit_record(
        action=Action.WEBHOOK_SECRET_ROTATED,
        actor=endpoint.owner,
        obj=endpoint,
        changes={"previous_secret_expires_at": (None, endpoint.previous_secret_expires_at)},
    )
    return secret


# -- the outbox --------------------------------------------------------------------------------


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _payload(event: str, registration: Registration, reasons: list[str], now) -> dict:
    """What a message says: ids, status, reason codes and times. No name, ID number, MSISDN
    or ICCID: the partner reads those, if it must, through the API with its key."""
    return {
        "type": str(event),
        "timestamp": _iso(now),
        "data": {
            "registration_id": str(registration.pk),
            "status": registration.status,
            "reasons": list(reasons),
            "submitted_at": _iso(registration.submitted_at),
            "decided_at": _iso(registration.decided_at),
            "cancelled_at": _iso(registration.cancelled_at),
            "updated_at": _iso(registration.updated_at),
        },
    }


def deliver_soon(message_pk: int) -> None:
    """Queue the delivery in the transaction's outbox: sent once it commits."""
    enqueue("api.deliver_webhook", message_pk=message_pk)


def outbox_write(sender, *, event, registration: Registration, reasons=(), **_kwargs) -> list:
    """The receiver of ``registration_event``: one message per endpoint that wants it, in
    the transaction of the change."""
    if registration.channel != Registration.Channel.ONLINE or registration.created_by_id is None:
        return []
    endpoints = WebhookEndpoint.objects.filter(
        operator_id=registration.operator_id,
        owner_id=registration.created_by_id,
        disabled_at__isnull=True,
    )
    now = timezone.now()
    payload = _payload(event, registration, list(reasons), now)
    written = [
        WebhookMessage.objects.create(
            endpoint=endpoint, event_type=str(event), payload=payload, next_attempt_at=now
        )
        for endpoint in endpoints
        if str(event) in endpoint.events  # a JSON list: filtered here, SQLite has no contains
    ]
    for message in written:
        deliver_soon(message.pk)
    return written


# -- delivery ----------------------------------------------------------------------------------


@transaction.atomic
def _take(message_pk: int, now) -> WebhookMessage | None:
    """The message if it is due and nobody holds it, leased to this worker."""
    message = (
        WebhookMessage.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("endpoint")
        .filter(pk=message_pk, state=State.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if message is None:
        return None
    if not message.endpoint.is_active:
        message.state = State.DISABLED
        message.save(update_fields=["state"])
        return None
    message.next_attempt_at = now + LEASE
    message.save(update_fields=["next_attempt_at"])
    return message


def _next_attempt(answer, *, attempts: int, now):
    """When to try again after ``attempts`` tries, or None when the schedule is spent."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    wait = RETRY_SCHEDULE[attempts - 1]
    if answer.status in (429, 503) and answer.retry_after_s is not None:
        asked = timedelta(seconds=min(answer.retry_after_s, settings.WEBHOOK_RETRY_AFTER_MAX_S))
        wait = max(wait, asked)
    return now + wait


def _tell_carrier_admins(endpoint: WebhookEndpoint) -> None:
    admins = get_users_with_perms(
        endpoint.operator, only_with_perms_in=[Grant.MANAGE_OPERATOR.split(".")[1]]
    )
    recipients = [admin.email for admin in admins if admin.email]
    if not recipients:
        return
    subject = _("A webhook endpoint was disabled")
    text = _(
        "The webhook endpoint %(url)s of %(operator)s was disabled: %(reason)s. The partner "
        "can turn it on again once it answers."
    ) % {
        "url": endpoint.url,
        "operator": endpoint.operator.name,
        "reason": endpoint.get_disabled_reason_display(),
    }
    transaction.on_commit(lambda: send_mail(subject, text, None, recipients, fail_silently=True))


def _disable(endpoint: WebhookEndpoint, *, reason: str, now) -> None:
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "updated_at"])
    endpoint.messages.filter(state=State.PENDING).update(state=State.DISABLED)
    audit_record(action=Action.WEBHOOK_ENDPOINT_DISABLED, obj=endpoint, reason=reason)
    _tell_carrier_admins(endpoint)


@transaction.atomic
def _record(message_pk: int, answer, now) -> str:
    message = WebhookMessage.objects.select_for_update().get(pk=message_pk)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=message.endpoint_id)
    WebhookAttempt.objects.create(
        message=message,
        attempted_at=now,
        response_code=answer.status,
        duration_ms=answer.duration_ms,
        error=answer.error[:200],
        response_excerpt=answer.excerpt,
        requested_by_id=message.redelivery_requested_by_id,
    )
    message.attempts += 1
    message.last_response_code = answer.status
    message.last_error = answer.error[:200]
    message.redelivery_requested_by = None
    if answer.delivered:
        message.state, message.delivered_at = State.DELIVERED, now
        endpoint.failing_since = None
        endpoint.save(update_fields=["failing_since", "updated_at"])
    else:
        endpoint.failing_since = endpoint.failing_since or now
        endpoint.save(update_fields=["failing_since", "updated_at"])
        next_attempt = _next_attempt(answer, attempts=message.attempts, now=now)
        if next_attempt is None:
            message.state = State.FAILED
        else:
            message.next_attempt_at = next_attempt
        if answer.status == 410:
            _disable(endpoint, reason=WebhookEndpoint.DisabledReason.GONE, now=now)
            message.state = State.DISABLED
        elif now - endpoint.failing_since >= FAILING_FOR_DISABLES:
            _disable(endpoint, reason=WebhookEndpoint.DisabledReason.FAILING, now=now)
            message.state = State.DISABLED
    message.save()
    return message.state


def message_deliver(*, message_pk: int, now=None) -> str | None:
    """POST one message if it is due; its state afterwards, or None when it was not due
    (already delivered, held by another worker, or waiting for its next attempt)."""
    now = now or timezone.now()
    message = _take(message_pk, now)
    if message is None:
        return None
    body = body_of(message.payload)
    headers = signed_headers(
        message.endpoint.signing_secrets(now),
        message_id=message.message_id,
        timestamp=int(now.timestamp()),
        body=body,
    )
    answer = post(message.endpoint.url, body=body, headers=headers)
    return _record(message.pk, answer, now)


def messages_drain(*, now=None, limit: int = DRAIN_BATCH) -> int:
    """Deliver the messages that are due (the beat task); how many were attempted.

    Each message is taken at the time it is taken (unless a test fixes ``now``), so its
    lease still covers its POST after the batch's earlier POSTs took their time.
    """
    due = WebhookMessage.objects.filter(
        state=State.PENDING, next_attempt_at__lte=now or timezone.now()
    )
    pks = list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(message_deliver(message_pk=pk, now=now) is not None for pk in pks)


@transaction.atomic
def message_redeliver(*, message: WebhookMessage, actor) -> WebhookMessage:
    """Send a message again now, at a carrier admin's request (recorded on its attempt)."""
    message = (
        WebhookMessage.objects.select_for_update().select_related("endpoint").get(pk=message.pk)
    )
    if not message.endpoint.is_active:
        raise WebhookError(WebhookCode.ENDPOINT_DISABLED, status=409)
    message.state = State.PENDING
    message.next_attempt_at = timezone.now()
    message.redelivery_requested_by = actor
    message.save(update_fields=["state", "next_attempt_at", "redelivery_requested_by"])
    audit_record(
        action=Action.WEBHOOK_REDELIVERED,
        actor=actor,
        obj=message.endpoint,
        changes={"message": (None, message.message_id)},
    )
    deliver_soon(message.pk)
    return message
