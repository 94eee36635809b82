from celery import shared_task

from portal.audit.checkpoints import audit_checkpoint_write


@shared_task(name="audit.checkpoint", acks_late=True, time_limit=300)
def audit_checkpoint() -> int | None:
    """Hourly: sign the head of the audit chain. Returns the signed sequence number."""
    checkpoint = audit_checkpoint_write()
    return checkpoint.sequence if checkpoint else None
