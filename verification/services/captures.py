"""The live capture: a challenge issued by the server, then the recording that answers it."""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations import services as registration_services
from registrations.models import Registration
from verification.engine import reasons as engine_reasons
from verification.engine.media import VIDEO_KINDS, sniff
from verification.errors import VerificationCode, VerificationError
from verification.models import BiometricEvidence, Challenge, VerificationJob
from verification.selectors import flow_state, is_draft, outlet_suspended, retake_open
from verification.services.evidence import evidence_store
from verification.services.jobs import verification_job_enqueue

ACTIONS = (engine_reasons.BLINK, engine_reasons.TURN_LEFT, engine_reasons.TURN_RIGHT)
# What ``challenge_issue`` hands out (``secrets.token_urlsafe``): anything else (a NUL byte,
# 10,000 characters) is a challenge nobody issued, refused before it reaches the database.
NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _require_capturable(registration: Registration) -> None:
    if outlet_suspended(registration):
        raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
    if is_draft(registration) or retake_open(registration):
        return
    raise VerificationError(VerificationCode.NOT_CAPTURABLE, status=409)


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
        raise VerificationError(VerificationCode.CONSENT_MISSING, status=409)
    if not state.has_portrait:
        raise VerificationError(VerificationCode.PORTRAIT_MISSING, status=409)
    if state.attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
        raise VerificationError(VerificationCode.ATTEMPTS_EXHAUSTED, status=409)
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
        raise VerificationError(VerificationCode.EMPTY_FILE)
    if len(data) > settings.VERIFICATION_MAX_CAPTURE_BYTES:
        raise VerificationError(VerificationCode.FILE_TOO_LARGE, status=413)
    kind = sniff(data[:32])
    if kind not in VIDEO_KINDS:
        raise VerificationError(VerificationCode.NOT_A_VIDEO)
    return kind


def _spend_challenge(*, registration: Registration, actor, nonce: str) -> Challenge:
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise VerificationError(VerificationCode.CHALLENGE_UNKNOWN)
    challenge = (
        Challenge.objects.select_for_update()
        .filter(nonce=nonce, registration=registration, issued_to=actor)
        .first()
    )
    if challenge is None:
        raise VerificationError(VerificationCode.CHALLENGE_UNKNOWN)
    if challenge.used_at is not None:
        raise VerificationError(VerificationCode.CHALLENGE_USED, status=409)
    if challenge.expired():
        raise VerificationError(VerificationCode.CHALLENGE_EXPIRED, status=409)
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
            raise VerificationError(VerificationCode.ATTEMPTS_EXHAUSTED, status=409)
        if is_draft(registration):
            registration = registration_services.registration_submit(
                registration=registration, actor=actor, with_capture=True
            )
        job = VerificationJob.objects.create(
            registration=registration, challenge=challenge, attempt=attempt, created_by=actor
        )
        evidence_store(
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
