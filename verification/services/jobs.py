"""Verification jobs: queued after a capture, run by a worker, their result recorded once."""

import uuid
from datetime import timedelta

import cv2
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.lib.tasks import enqueue
from registrations import lifecycle
from registrations import services as registration_services
from registrations.lifecycle import Step
from registrations.models import Registration
from verification.engine import reasons as engine_reasons
from verification.errors import VerificationCode
from verification.models import BiometricEvidence, VerificationJob
from verification.services.evidence import evidence_store

Status = Registration.Status
# Reasons a new capture can cure; any other failure (not live, another person, no match)
# rejects at once. A bad ID portrait is refused at upload, before any capture.
RETAKE_REASONS = frozenset(
    {
        engine_reasons.UNREADABLE_MEDIA,
        engine_reasons.NO_FACE,
        engine_reasons.MULTIPLE_FACES,
        engine_reasons.FACE_TOO_SMALL,
        engine_reasons.TOO_BLURRY,
        engine_reasons.FACE_NOT_VISIBLE,
        engine_reasons.NO_BLINK,
        engine_reasons.TURN_MISSING,
        engine_reasons.CHALLENGE_ORDER,
    }
)


def verification_job_enqueue(*, job_id: uuid.UUID) -> bool:
    """Hand the job to the broker. A broker that is down is not an error for the person at
    the counter: the job stays queued and the sweeper sends it again."""
    return enqueue("verification.run_job", job_id=str(job_id))


@transaction.atomic
def verification_job_start(*, job_id) -> VerificationJob | None:
    """Take the job for a run; None when it is already done (a duplicate delivery)."""
    job = VerificationJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.done:
        return None
    if job.deliveries >= settings.VERIFICATION_MAX_DELIVERIES:
        _give_up(job)
        return None
    job.status = VerificationJob.Status.RUNNING
    job.deliveries += 1
    job.started_at = timezone.now()
    job.save(update_fields=["status", "deliveries", "started_at"])
    registration = job.registration
    if lifecycle.is_open_for(registration, Step.START_VERIFICATION):
        registration_services.registration_start_verification(registration=registration)
    return job


# A job whose runs keep dying (a capture that crashes the decoder, a time limit hit each time)
# must not loop forever: after VERIFICATION_MAX_DELIVERIES deliveries a person decides.


def _give_up(job: VerificationJob) -> None:
    job.status = VerificationJob.Status.DONE
    job.outcome = VerificationJob.Outcome.REVIEW
    job.reasons = [VerificationCode.PROCESSING_FAILED.value]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "outcome", "reasons", "finished_at"])
    audit_record(
        action=Action.VERIFICATION_COMPLETED,
        obj=job.registration,
        changes={
            "verification_job": (None, str(job.pk)),
            "outcome": (None, job.outcome),
            "reasons": (None, job.reasons),
        },
    )
    _send_to_review(job.registration, reasons=job.reasons)


def _send_to_review(registration: Registration, *, reasons: list[str]) -> None:
    """A person decides: submitted or verifying -> review, through the lifecycle's steps."""
    if lifecycle.is_open_for(registration, Step.START_VERIFICATION):
        registration = registration_services.registration_start_verification(
            registration=registration
        )
    registration_services.registration_decide(
        registration=registration, decision=Status.REVIEW, reasons=reasons
    )


@transaction.atomic
def verification_job_note_error(*, job_id, error: str) -> None:
    VerificationJob.objects.filter(pk=job_id).exclude(status=VerificationJob.Status.DONE).update(
        last_error=error[:200]
    )


def _outcome(*, decision: str, reasons: list[str], attempt: int) -> str:
    Outcome = VerificationJob.Outcome
    if decision == engine_reasons.PASS:
        return Outcome.APPROVED
    if decision == engine_reasons.REVIEW:
        return Outcome.REVIEW
    if not set(reasons) <= RETAKE_REASONS:
        return Outcome.REJECTED
    if attempt < settings.VERIFICATION_MAX_ATTEMPTS:
        return Outcome.RETAKE
    return Outcome.REVIEW  # a person looks at what three attempts could not settle


_REGISTRATION_STATUS = {
    VerificationJob.Outcome.APPROVED: Status.APPROVED,
    VerificationJob.Outcome.REJECTED: Status.REJECTED,
    VerificationJob.Outcome.REVIEW: Status.REVIEW,
}


def _jpeg(rgb) -> bytes:
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]
    )
    if not ok:
        raise ValueError("a key frame could not be encoded")
    return encoded.tobytes()


@transaction.atomic
def verification_job_complete(*, job_id, result) -> bool:
    """Record the engine's result once; False when another delivery already did."""
    job = VerificationJob.objects.select_for_update().select_related("registration").get(pk=job_id)
    if job.done:
        return False
    outcome = _outcome(decision=result.decision, reasons=result.reasons, attempt=job.attempt)
    job.status = VerificationJob.Status.DONE
    job.decision = result.decision
    job.outcome = outcome
    job.reasons = list(result.reasons)
    job.result = result.to_dict()
    job.engine_version = result.engine_version
    job.timings_ms = dict(result.timings_ms)
    job.finished_at = timezone.now()
    job.last_error = ""
    job.save()
    for index, rgb in result.key_frames:
        evidence_store(
            registration=job.registration,
            kind=BiometricEvidence.Kind.KEY_FRAME,
            data=_jpeg(rgb),
            media_kind="jpeg",
            job=job,
            frame_index=index,
        )
    audit_record(
        action=Action.VERIFICATION_COMPLETED,
        obj=job.registration,
        changes={
            "verification_job": (None, str(job.pk)),
            "decision": (None, result.decision),
            "outcome": (None, outcome),
            "reasons": (None, list(result.reasons)),
        },
    )
    if outcome in _REGISTRATION_STATUS:
        registration_services.registration_decide(
            registration=job.registration,
            decision=_REGISTRATION_STATUS[outcome],
            reasons=list(result.reasons),
        )
    return True


def verification_jobs_sweep(*, now=None) -> list[uuid.UUID]:
    """Queue again the jobs that have waited or run longer than the bound (a lost message,
    a worker killed without a broker redelivery, a broker that was down)."""
    now = now or timezone.now()
    bound = now - timedelta(seconds=settings.VERIFICATION_STUCK_AFTER_S)
    queued, running = VerificationJob.Status.QUEUED, VerificationJob.Status.RUNNING
    stuck_now = Q(status=queued, queued_at__lt=bound) | Q(status=running, started_at__lt=bound)
    stuck = VerificationJob.objects.filter(stuck_now)
    requeued = []
    for job_id in stuck.values_list("pk", flat=True):
        with transaction.atomic():
            job = (
                VerificationJob.objects.select_for_update(skip_locked=True)
                .filter(stuck_now, pk=job_id)
                .first()
            )
            if job is None:
                continue
            job.queued_at = now
            job.status = VerificationJob.Status.QUEUED
            job.save(update_fields=["queued_at", "status"])
            audit_record(
                action=Action.VERIFICATION_REQUEUED,
                obj=job.registration,
                changes={"verification_job": (None, str(job.pk))},
            )
            transaction.on_commit(lambda job_id=job.pk: verification_job_enqueue(job_id=job_id))
        requeued.append(job_id)
    return requeued


def registrations_stranded_sweep(*, now=None) -> list:
    """Send to review the registrations that hold a number with nothing in flight: submitted
    or verifying, no job queued or running, and nothing done for VERIFICATION_STRANDED_AFTER_S
    (a submission whose job was never made, a retake nobody came back for)."""
    now = now or timezone.now()
    bound = now - timedelta(seconds=settings.VERIFICATION_STRANDED_AFTER_S)
    in_flight = [VerificationJob.Status.QUEUED, VerificationJob.Status.RUNNING]
    stranded = (
        Registration.objects.filter(
            status__in=lifecycle.states_allowing(Step.START_VERIFICATION)
            | lifecycle.states_allowing(Step.SEND_TO_REVIEW),
            updated_at__lt=bound,
        )
        .exclude(verification_jobs__status__in=in_flight)
        .exclude(verification_jobs__finished_at__gte=bound)
    )
    sent = []
    for registration in stranded:
        with transaction.atomic():
            _send_to_review(registration, reasons=[VerificationCode.STRANDED.value])
        sent.append(registration.pk)
    return sent
