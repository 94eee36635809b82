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
from portal.outbox.services import enqueue
from registrations import lifecycle
from registrations import services as registration_services
from registrations.lifecycle import Step
from registrations.models import Registration
from registrations.signals import RegistrationEvent, registration_event
from verification import metrics
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
        engine_reasons.LOOK_MISSING,
        engine_reasons.CHALLENGE_ORDER,
        engine_reasons.CHALLENGE_TIMING,
    }
)


def verification_job_enqueue(*, job_id: uuid.UUID) -> None:
    """Hand the job to a worker through the outbox, in the caller's transaction: sent once it
    commits, and again by the relay while the broker refuses it."""
    enqueue("verification.run_job", job_id=str(job_id))


class OutletBusy(Exception):
    """The job's outlet already has its share of jobs running: run it a little later, and
    let the worker take another outlet's job meanwhile."""

    def __init__(self, *, countdown_s: int):
        super().__init__(f"outlet busy: again in {countdown_s} s")
        self.countdown_s = countdown_s


def _lock_outlet(outlet_id: int) -> None:
    registration_services.outlet_row_lock(outlet_id)


def _outlet_slot_taken(job: VerificationJob) -> bool:
    """Whether the job's outlet already runs VERIFICATION_OUTLET_MAX_RUNNING jobs.

    The outlet's row is locked first, so that two workers taking two jobs of one outlet at
    the same moment count one after the other. A job running for longer than
    VERIFICATION_STUCK_AFTER_S is not counted: its worker is gone and the sweeper sends it
    again. Jobs of the online channel (no outlet) are not limited here.
    """
    outlet_id = job.registration.outlet_id
    if outlet_id is None:
        return False
    _lock_outlet(outlet_id)
    alive_since = timezone.now() - timedelta(seconds=settings.VERIFICATION_STUCK_AFTER_S)
    running = (
        VerificationJob.objects.filter(
            registration__outlet_id=outlet_id,
            status=VerificationJob.Status.RUNNING,
            started_at__gte=alive_since,
        )
        .exclude(pk=job.pk)
        .count()
    )
    return running >= settings.VERIFICATION_OUTLET_MAX_RUNNING


@transaction.atomic
def verification_job_start(*, job_id) -> VerificationJob | None:
    """Take the job for a run; None when it is already done (a duplicate delivery).

    Raises OutletBusy, changing nothing, when the job's outlet already runs its share of
    jobs (VERIFICATION_OUTLET_MAX_RUNNING): one outlet's heavy captures never hold every
    worker while another outlet's customer waits.
    """
    job = (
        VerificationJob.objects.select_for_update(of=("self",))
        .select_related("registration")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.done:
        return None
    if job.deliveries >= settings.VERIFICATION_MAX_DELIVERIES:
        _give_up(job)
        return None
    if _outlet_slot_taken(job):
        raise OutletBusy(countdown_s=settings.VERIFICATION_OUTLET_DEFER_S)
    job.status = VerificationJob.Status.RUNNING
    job.deliveries += 1
    job.started_at = timezone.now()
    job.save(update_fields=["status", "deliveries", "started_at"])
    registration = job.registration
    if lifecycle.is_open_for(registration, Step.START_VERIFICATION):
        registration_services.registration_start_verification(registration=registration)
    return job


@transaction.atomic
def verification_job_defer(*, job_id) -> None:
    """Note that a queued job was handed back to the broker (its outlet was busy): it is not
    stuck, so the sweeper leaves it alone while it waits its turn."""
    VerificationJob.objects.filter(pk=job_id, status=VerificationJob.Status.QUEUED).update(
        queued_at=timezone.now()
    )


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


def _held_for_a_person(*, outcome: str, reasons: list[str], source: str) -> tuple[str, list]:
    """A file uploaded instead of recorded by the page's camera proves no live presence: what
    the engine would approve goes to a person, and every case it sends there says why.
    Rejections and retakes stand as the engine decided them."""
    Outcome = VerificationJob.Outcome
    if source == VerificationJob.Source.CAMERA or outcome not in (Outcome.APPROVED, Outcome.REVIEW):
        return outcome, reasons
    return Outcome.REVIEW, [*reasons, VerificationCode.UPLOADED_FILE.value]


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
    # NO KEY UPDATE: the rows stay mutually exclusive, but others may still commit rows that
    # point at them (the foreign-key check shares them).
    job = (
        VerificationJob.objects.select_for_update(no_key=True)
        .select_related("registration")
        .get(pk=job_id)
    )
    if job.done:
        return False
    outcome, reasons = _held_for_a_person(
        outcome=_outcome(decision=result.decision, reasons=result.reasons, attempt=job.attempt),
        reasons=list(result.reasons),
        source=job.source,
    )
    job.status = VerificationJob.Status.DONE
    job.decision = result.decision
    job.outcome = outcome
    job.reasons = reasons
    job.result = result.to_dict()
    job.engine_version = result.engine_version
    job.timings_ms = dict(result.timings_ms)
    job.finished_at = timezone.now()
    job.last_error = ""
    job.save()
    transaction.on_commit(lambda: _count(job))
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
            "reasons": (None, reasons),
        },
    )
    if outcome in _REGISTRATION_STATUS:
        registration_services.registration_decide(
            registration=job.registration,
            decision=_REGISTRATION_STATUS[outcome],
            reasons=reasons,
        )
    elif outcome == VerificationJob.Outcome.RETAKE:
        registration_event.send(
            sender=Registration,
            event=RegistrationEvent.RETAKE_NEEDED,
            registration=job.registration,
            reasons=reasons,
        )
    return True


def _count(job: VerificationJob) -> None:
    """The completed job in the metrics, once its decision is committed."""
    metrics.job_completed(
        outcome=job.outcome,
        waited_s=(job.finished_at - job.queued_at).total_seconds(),
        engine_ms=job.timings_ms.get("total"),
    )


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
            verification_job_enqueue(job_id=job.pk)
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
