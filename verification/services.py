"""Every write of live verification: consent, portrait, challenge, capture, job, review queue.

The flow of a registration at an outlet:
1. ``consent_record`` and ``portrait_store`` while it is a draft;
2. ``challenge_issue`` when the capture page opens;
3. ``capture_submit`` with the recording: the challenge is spent, the capture stored, the
   registration submitted (first attempt) and the job queued once the transaction commits;
4. the worker's ``verification_job_start`` / ``verification_job_complete`` around the engine;
   the registration is approved, rejected, sent to review, or left for a retake.
"""

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import cv2
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations import services as registration_services
from registrations.models import Registration
from verification import messages
from verification.engine import reasons as engine_reasons
from verification.engine.media import IMAGE_KINDS, VIDEO_KINDS, sniff
from verification.models import BiometricEvidence, Challenge, Consent, VerificationJob

logger = logging.getLogger(__name__)

Status = Registration.Status
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}
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
ACTIONS = (engine_reasons.BLINK, engine_reasons.TURN_LEFT, engine_reasons.TURN_RIGHT)


class VerificationError(Exception):
    """A request the flow refuses; ``reason`` is a code, ``message`` says what to do."""

    def __init__(self, reason: str, message: str | None = None, *, status: int = 400):
        self.reason = reason
        self.message = message or messages.problem(reason)
        self.status = status
        super().__init__(self.message)


@dataclass(frozen=True)
class FlowState:
    """Where a registration stands in the outlet flow."""

    has_consent: bool
    has_portrait: bool
    jobs: tuple[VerificationJob, ...]  # by attempt

    @property
    def attempts(self) -> int:
        return len(self.jobs)

    @property
    def pending_job(self) -> VerificationJob | None:
        return next((job for job in self.jobs if not job.done), None)

    @property
    def last_job(self) -> VerificationJob | None:
        return self.jobs[-1] if self.jobs else None

    @property
    def can_capture(self) -> bool:
        return self.has_consent and self.has_portrait and self.pending_job is None


def flow_state(registration: Registration) -> FlowState:
    return FlowState(
        has_consent=Consent.objects.filter(registration=registration).exists(),
        has_portrait=registration.evidence.filter(kind=BiometricEvidence.Kind.PORTRAIT).exists(),
        jobs=tuple(registration.verification_jobs.order_by("attempt")),
    )


def retake_open(registration: Registration, state: FlowState | None = None) -> bool:
    """A verifying registration whose last attempt asked for a retake."""
    last = (state or flow_state(registration)).last_job
    return (
        registration.status == Status.VERIFYING
        and last is not None
        and last.outcome == VerificationJob.Outcome.RETAKE
    )


def _require_capturable(registration: Registration) -> None:
    if registration.status == Status.DRAFT or retake_open(registration):
        return
    raise VerificationError("not_capturable", status=409)


# -- consent and portrait -----------------------------------------------------------------------


@transaction.atomic
def consent_record(*, registration: Registration, actor, text_version: str) -> Consent:
    if registration.status != Status.DRAFT:
        raise VerificationError("not_draft", status=409)
    consent, created = Consent.objects.get_or_create(
        registration=registration,
        defaults={"text_version": text_version, "recorded_by": actor},
    )
    if created:
        audit_record(
            action=Action.CONSENT_RECORDED,
            actor=actor,
            obj=registration,
            changes={"consent_text_version": (None, text_version)},
        )
    return consent


def _store(
    *, registration, kind, data: bytes, media_kind: str, actor=None, job=None, frame_index=None
) -> BiometricEvidence:
    evidence = BiometricEvidence(
        registration=registration,
        job=job,
        kind=kind,
        content_type=CONTENT_TYPES[media_kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        frame_index=frame_index,
        created_by=actor,
    )
    evidence.file.save("evidence", ContentFile(data), save=False)
    evidence.save()
    return evidence


def _check_portrait(data: bytes) -> str:
    """The media kind of an acceptable portrait, or a VerificationError saying what is wrong.

    The engine decodes it (with its caps) and looks for exactly one usable face, so a bad
    photo is refused here, while the person is still at the counter.
    """
    from verification import engine_runner  # loads the face models on first use

    if not data:
        raise VerificationError("empty_file")
    if len(data) > settings.VERIFICATION_MAX_PORTRAIT_BYTES:
        raise VerificationError("file_too_large", status=413)
    kind = sniff(data[:32])
    if kind not in IMAGE_KINDS:
        raise VerificationError("not_an_image")
    problems = engine_runner.portrait_problems(data)
    if problems:
        raise VerificationError(problems[0], messages.portrait_problem(problems[0]))
    return kind


def portrait_store(*, registration: Registration, actor, data: bytes) -> BiometricEvidence:
    kind = _check_portrait(data)  # slow (face detection): outside the transaction
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Status.DRAFT:
            raise VerificationError("not_draft", status=409)
        evidence = _store(
            registration=registration,
            kind=BiometricEvidence.Kind.PORTRAIT,
            data=data,
            media_kind=kind,
            actor=actor,
        )
        audit_record(
            action=Action.EVIDENCE_STORED,
            actor=actor,
            obj=registration,
            changes={"evidence": (None, f"portrait {evidence.pk}")},
        )
    return evidence


def current_portrait(registration: Registration) -> BiometricEvidence | None:
    return (
        registration.evidence.filter(kind=BiometricEvidence.Kind.PORTRAIT)
        .order_by("-created_at")
        .first()
    )


# -- challenge and capture ----------------------------------------------------------------------


def _challenge_actions() -> list[str]:
    fixed = list(settings.VERIFICATION_CHALLENGE_ACTIONS)
    if fixed:
        return fixed
    count = 2 + secrets.randbelow(2)  # two or three actions, in a random order
    pool = list(ACTIONS)
    return [pool.pop(secrets.randbelow(len(pool))) for _ in range(count)]


@transaction.atomic
def challenge_issue(*, registration: Registration, actor) -> Challenge:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _require_capturable(registration)
    state = flow_state(registration)
    if not state.has_consent:
        raise VerificationError("consent_missing", status=409)
    if not state.has_portrait:
        raise VerificationError("portrait_missing", status=409)
    if state.attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
        raise VerificationError("attempts_exhausted", status=409)
    now = timezone.now()
    return Challenge.objects.create(
        nonce=secrets.token_urlsafe(32),
        registration=registration,
        actions=_challenge_actions(),
        issued_to=actor,
        issued_at=now,
        expires_at=now + timedelta(seconds=settings.VERIFICATION_CHALLENGE_TTL_S),
    )


def _check_capture(data: bytes) -> str:
    if not data:
        raise VerificationError("empty_file")
    if len(data) > settings.VERIFICATION_MAX_CAPTURE_BYTES:
        raise VerificationError("file_too_large", status=413)
    kind = sniff(data[:32])
    if kind not in VIDEO_KINDS:
        raise VerificationError("not_a_video")
    return kind


def _spend_challenge(*, registration: Registration, actor, nonce: str) -> Challenge:
    challenge = (
        Challenge.objects.select_for_update()
        .filter(nonce=nonce, registration=registration, issued_to=actor)
        .first()
    )
    if challenge is None:
        raise VerificationError("challenge_unknown")
    if challenge.used_at is not None:
        raise VerificationError("challenge_used", status=409)
    if challenge.expired():
        raise VerificationError("challenge_expired", status=409)
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    return challenge


def capture_submit(
    *, registration: Registration, actor, nonce: str, data: bytes
) -> VerificationJob:
    """Spend the challenge, store the capture, submit the registration (first attempt) and
    queue the job when all of it has committed. Any refusal leaves everything as it was."""
    kind = _check_capture(data)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        # The challenge first: a replayed nonce is refused as such, whatever the state.
        challenge = _spend_challenge(registration=registration, actor=actor, nonce=nonce)
        _require_capturable(registration)
        attempt = registration.verification_jobs.count() + 1
        if attempt > settings.VERIFICATION_MAX_ATTEMPTS:
            raise VerificationError("attempts_exhausted", status=409)
        if registration.status == Status.DRAFT:
            registration = registration_services.registration_submit(
                registration=registration, actor=actor
            )
        job = VerificationJob.objects.create(
            registration=registration, challenge=challenge, attempt=attempt, created_by=actor
        )
        _store(
            registration=registration,
            kind=BiometricEvidence.Kind.CAPTURE,
            data=data,
            media_kind=kind,
            actor=actor,
            job=job,
        )
        audit_record(
            action=Action.VERIFICATION_QUEUED,
            actor=actor,
            obj=registration,
            changes={"verification_job": (None, str(job.pk)), "attempt": (None, attempt)},
        )
        transaction.on_commit(lambda: verification_job_enqueue(job_id=job.pk))
    return job


def verification_job_enqueue(*, job_id: uuid.UUID) -> bool:
    """Hand the job to the broker. A broker that is down is not an error for the person at
    the counter: the job stays queued and the sweeper sends it again."""
    from verification.tasks import verification_job_run

    try:
        verification_job_run.apply_async(args=[str(job_id)], retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure means "later"
        logger.warning("verification job %s not queued yet: %s", job_id, type(error).__name__)
        return False
    return True


# -- the worker's side ----------------------------------------------------------------------


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
    if registration.status == Status.SUBMITTED:
        registration_services.registration_start_verification(registration=registration)
    return job


# A job whose runs keep dying (a capture that crashes the decoder, a time limit hit each time)
# must not loop forever: after this many deliveries a person decides.
PROCESSING_FAILED = "processing_failed"


def _give_up(job: VerificationJob) -> None:
    job.status = VerificationJob.Status.DONE
    job.outcome = VerificationJob.Outcome.REVIEW
    job.reasons = [PROCESSING_FAILED]
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
    registration = job.registration
    if registration.status == Status.SUBMITTED:
        registration = registration_services.registration_start_verification(
            registration=registration
        )
    registration_services.registration_decide(
        registration=registration, decision=Status.REVIEW, reasons=job.reasons
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
        _store(
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
