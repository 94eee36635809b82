"""Celery interfaces of verification: thin, they load ids and call services."""

import logging

from celery import shared_task
from celery.signals import worker_process_init

from portal.lib.errors import DATABASE_ERRORS
from verification import engine_runner, services
from verification.services.jobs import OutletBusy, verification_job_defer
from verification.storage import EvidenceUnreadable

logger = logging.getLogger(__name__)

# Errors worth another try later: the database or the storage hiccuped. A verification
# itself never raises for bad media (the engine turns it into reasons).
TRANSIENT_ERRORS = (*DATABASE_ERRORS, OSError)


@worker_process_init.connect
def _load_face_models(**_kwargs) -> None:
    engine_runner.warm_up()


@shared_task(
    name="verification.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=90,
    time_limit=120,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def verification_job_run(job_id: str) -> str:
    try:
        job = services.verification_job_start(job_id=job_id)
    except OutletBusy as busy:
        # A new message, not a retry: waiting for a turn spends none of the job's retries.
        verification_job_defer(job_id=job_id)
        verification_job_run.apply_async(kwargs={"job_id": job_id}, countdown=busy.countdown_s)
        return "deferred"
    if job is None:
        return "already done"
    try:
        result = engine_runner.verify_job(job)
    except EvidenceUnreadable:
        # Not transient: a key is missing. Leave the job for the sweeper once keys are fixed.
        logger.error("verification job %s: evidence cannot be decrypted", job_id)
        services.verification_job_note_error(job_id=job_id, error="evidence cannot be decrypted")
        raise
    except TRANSIENT_ERRORS as error:
        _note_error(job_id, error)
        raise
    recorded = services.verification_job_complete(job_id=job_id, result=result)
    return "done" if recorded else "already done"


def _note_error(job_id: str, error: Exception) -> None:
    """The job's last error, if the database takes it: when the error is the database gone,
    noting it fails too, and the retry must still be scheduled for the original error."""
    try:
        services.verification_job_note_error(job_id=job_id, error=type(error).__name__)
    except DATABASE_ERRORS:
        logger.warning(
            "verification job %s: %s not noted (database gone)", job_id, type(error).__name__
        )


@shared_task(name="verification.sweep_stuck_jobs", acks_late=True)
def sweep_stuck_jobs() -> int:
    return len(services.verification_jobs_sweep())


@shared_task(name="verification.sweep_stranded_registrations", acks_late=True)
def sweep_stranded_registrations() -> int:
    return len(services.registrations_stranded_sweep())


@shared_task(name="verification.purge_evidence")
def evidence_purge_run() -> dict:
    """What retention.py says is due, purged (Celery beat, daily)."""
    from verification.services.purge import evidence_purge

    return evidence_purge().as_dict()
