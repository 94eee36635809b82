"""The relay's pass, from Celery beat every OUTBOX_RELAY_EVERY_S seconds."""

from celery import shared_task

from portal.outbox.services import outbox_relay


@shared_task(name="outbox.relay", acks_late=True, ignore_result=True)
def relay() -> int:
    """Passes until the backlog is sent or the broker refuses: a backlog of thousands after
    an outage goes out in one beat, a batch at a time."""
    total = 0
    while True:
        done = outbox_relay()
        total += done.sent
        if done.refused or done.sent == 0:
            return total
