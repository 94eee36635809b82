"""Text messages to subscribers: written in the transaction that decides to send them, handed
to the SMS backend by the worker after commit, again by the drain while it fails."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.lib.sms import SmsNotSent, sms_send
from portal.outbox.services import enqueue
from portal.selfservice.models import SmsMessage

DELIVER_TASK = "selfservice.deliver_sms"
MAX_ATTEMPTS = 8
# Kinds whose text is a secret (a one-time code): cleared once delivered.
SECRET_KINDS = frozenset({"sign_in_code"})


def sms_queue(
    *, to: str, text: str, kind: str, subscriber_id: int | None = None, not_before=None
) -> SmsMessage:
    """One message to ``to``, sent once the caller's transaction commits; or, held until
    ``not_before`` (a deferral), by the drain after that."""
    now = timezone.now()
    message = SmsMessage.objects.create(
        to=to,
        kind=kind,
        text=text,
        subscriber_id=subscriber_id,
        created_at=now,
        next_attempt_at=max(now, not_before) if not_before else now,
    )
    if not not_before:
        enqueue(DELIVER_TASK, message_id=str(message.pk))
    return message


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 15 * 2 ** (attempts - 1)))


@transaction.atomic
def sms_deliver(*, message_id) -> SmsMessage | None:
    """Hand one pending message to the backend, once, whichever worker gets to it first."""
    message = (
        SmsMessage.objects.select_for_update(skip_locked=True)
        .filter(pk=message_id, status=SmsMessage.Status.PENDING)
        .first()
    )
    now = timezone.now()
    if message is None or message.next_attempt_at > now:
        return None  # delivered already, being delivered by another worker, or held
    message.attempts += 1
    try:
        sms_send(to=message.to, text=message.text, kind=message.kind)
    except SmsNotSent:
        failed = message.attempts >= MAX_ATTEMPTS
        message.status = SmsMessage.Status.FAILED if failed else SmsMessage.Status.PENDING
        message.next_attempt_at = now + _backoff(message.attempts)
    else:
        message.status, message.sent_at = SmsMessage.Status.SENT, now
        if message.kind in SECRET_KINDS:
            message.text = ""
    message.save()
    return message


def sms_drain(*, limit: int = 100) -> int:
    """Deliver the messages that are due (the broker was down, or the gateway failed)."""
    due = SmsMessage.objects.filter(
        status=SmsMessage.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at")
    delivered = 0
    for message_id in due.values_list("pk", flat=True)[:limit]:
        message = sms_deliver(message_id=message_id)
        delivered += message is not None and message.status == SmsMessage.Status.SENT
    return delivered
