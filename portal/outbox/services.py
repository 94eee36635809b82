"""The one way the apps hand work to Celery: a row in the transaction, sent after it commits.

``enqueue`` names the task instead of importing it, which keeps services free of their own
interfaces (the tasks modules import the services, never the other way round). The row is
sent right after the commit; the relay (``outbox.relay`` every few seconds from beat, or
``manage.py outbox_relay``) sends whatever that missed: a broker that was down, a process
that died between the commit and the send. A message may so reach a worker twice (sent, then
the process died before the row was deleted): every task it names is idempotent.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH = 500


def enqueue(task_name: str, **kwargs) -> OutboxMessage:
    """Write ``task_name(**kwargs)`` to the outbox in the caller's transaction; it is sent
    once that commits (at once when there is no transaction)."""
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_relay(ids=[message.pk]))
    return message


@dataclass(frozen=True)
class RelayPass:
    sent: int = 0
    refused: int = 0
    dead: int = 0


def backoff_s(attempts: int) -> int:
    """1, 2, 4... seconds, never more than OUTBOX_BACKOFF_MAX_S: a job waits at most that long
    past the broker's return."""
    return min(2 ** max(attempts - 1, 0), settings.OUTBOX_BACKOFF_MAX_S)


def outbox_relay(*, ids=None, now=None, limit: int = BATCH) -> RelayPass:
    """Send the pending rows that are due (of ``ids`` only, if given) and delete them.

    Rows are taken ``FOR UPDATE SKIP LOCKED``: relays on several machines share the backlog
    without sending a row twice. The first refusal ends the pass (the broker is down: the
    rest would be refused too) and puts that row back with its backoff.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            state=OutboxMessage.State.PENDING, next_attempt_at__lte=now
        )
        if ids is not None:
            due = due.filter(pk__in=ids)
        sent, refused = [], None
        for message in due.order_by("next_attempt_at")[:limit]:
            try:
                current_app.send_task(message.task_name, kwargs=message.kwargs, retry=False)
            except Exception as error:  # noqa: BLE001 - any broker failure means "later"
                refused = message
                _refused(message, error=error, now=now)
                break
            sent.append(message.pk)
        OutboxMessage.objects.filter(pk__in=sent).delete()
    dead = refused is not None and refused.state == OutboxMessage.State.DEAD
    return RelayPass(sent=len(sent), refused=int(refused is not None), dead=int(dead))


def _refused(message: OutboxMessage, *, error: Exception, now) -> None:
    message.attempts += 1
    message.last_error = type(error).__name__[:200]
    message.next_attempt_at = now + timedelta(seconds=backoff_s(message.attempts))
    if now - message.created_at > timedelta(seconds=settings.OUTBOX_DEAD_AFTER_S):
        message.state = OutboxMessage.State.DEAD
    message.save(update_fields=["attempts", "last_error", "next_attempt_at", "state"])
    logger.warning(
        "%s not sent yet (attempt %d): %s", message.task_name, message.attempts, message.last_error
    )


def outbox_revive(*, ids=None) -> int:
    """Give dead messages another life (after the cause is fixed): pending, due now."""
    dead = OutboxMessage.objects.filter(state=OutboxMessage.State.DEAD)
    if ids is not None:
        dead = dead.filter(pk__in=ids)
    return dead.update(
        state=OutboxMessage.State.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
