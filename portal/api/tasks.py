"""Celery interfaces of the partner API: thin, they take ids and call services."""

from celery import shared_task

from portal.api import webhooks
from portal.api.services import idempotent_requests_purge
from portal.lib.errors import DATABASE_ERRORS


@shared_task(
    name="api.deliver_webhook",
    acks_late=True,
    soft_time_limit=30,
    time_limit=60,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=2,
    max_retries=3,
)
def deliver_webhook(message_pk: int) -> str:
    # A message not due (delivered, held by another worker, waiting) is no error: the drain
    # and the schedule decide when it goes.
    return webhooks.message_deliver(message_pk=message_pk) or "not due"


@shared_task(name="api.drain_webhooks", acks_late=True, soft_time_limit=300, time_limit=360)
def drain_webhooks() -> int:
    return webhooks.messages_drain()


@shared_task(name="api.purge_idempotent_requests", ignore_result=True)
def purge_idempotent_requests() -> int:
    """Forget Idempotency-Keys older than API_IDEMPOTENCY_TTL_S (beat runs it hourly)."""
    return idempotent_requests_purge()
