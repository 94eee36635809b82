"""The ministry side's periodic jobs: thin, each calls one service."""

from celery import shared_task

from portal.lib.errors import DATABASE_ERRORS
from portal.supervision.services.alerts import risk_evaluate


@shared_task(
    name="supervision.evaluate_risk",
    acks_late=True,
    soft_time_limit=600,
    time_limit=660,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=30,
    max_retries=3,
)
def evaluate_risk() -> dict:
    """Evaluate every risk signal over its recent window and upsert the alerts (beat runs it
    every 15 minutes; a second run at once finds the same hits and changes nothing)."""
    return risk_evaluate().as_dict()
