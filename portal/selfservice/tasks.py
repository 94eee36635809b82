"""The worker's side of the subscriber's text messages: thin, the services do the work."""

from celery import shared_task

from portal.selfservice.services.sms import sms_deliver, sms_drain


@shared_task(name="selfservice.deliver_sms", acks_late=True, time_limit=60)
def deliver_sms(message_id: str) -> None:
    sms_deliver(message_id=message_id)


@shared_task(name="selfservice.drain_sms", time_limit=300)
def drain_sms() -> int:
    return sms_drain()
