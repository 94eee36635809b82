"""The live capture: a challenge issued by the server, then the recording that answers it.

Challenges are scarce: ``VERIFICATION_CHALLENGES_PER_ATTEMPT`` per attempt. A capture ends
its attempt; a budget spent without one ends it too, so at most
``VERIFICATION_MAX_ATTEMPTS`` x ``VERIFICATION_CHALLENGES_PER_ATTEMPT`` challenges are ever
issued to a registration. A random challenge is ``VERIFICATION_CHALLENGE_STEPS`` actions drawn
uniformly, with repeats, from the engine's five, each with its window of the recording; the
challenges of one attempt all ask the same actions, so re-asking draws nothing new. A fixed
recording meets at most one sequence per schedule (see the engine's README), so it passes one
attempt with p <= 5^-5 = 1/3125, and a whole registration (3 attempts) with p <= 3/3125
(0.096 %, 1 in 1,042).
"""

import math
import re
import secrets
from dataclasses import dataclass
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
from verification.selectors import (
    flow_state,
    is_draft,
    outlet_suspended,
    retake_open,
    uploads_allowed,
)
from verification.services.evidence import evidence_store
from verification.services.jobs import verification_job_enqueue

ACTIONS = engine_reasons.ACTIONS
# What ``challenge_issue`` hands out (``secrets.token_urlsafe``): anything else (a NUL byte,
# 10,000 characters) is a challenge nobody issued, refused before it reaches the database.
NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _require_capturable(registration: Registration) -> None:
    if outlet_suspended(registration):
        raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
    if is_draft(registration) or retake_open(registration):
        return
    raise VerificationError(VerificationCode.NOT_CAPTURABLE, status=409)


def challenge_actions() -> list[str]:
    """The fixed actions (a setting, for tests and demos), or a random sequence of
    ``VERIFICATION_CHALLENGE_STEPS`` actions drawn uniformly, with repeats."""
    fixed = list(settings.VERIFICATION_CHALLENGE_ACTIONS)
    if fixed:
        return fixed
    steps = settings.VERIFICATION_CHALLENGE_STEPS
    return [secrets.choice(ACTIONS) for _ in range(steps)]


def challenge_schedule(actions: list[str]) -> list[dict]:
    """Each action's window of the recording: fixed starts (a setting, when it gives one per
    action) or one window after the other from the first prompt; every window lasts
    ``VERIFICATION_CHALLENGE_WINDOW_S``."""
    length = settings.VERIFICATION_CHALLENGE_WINDOW_S
    starts = list(settings.VERIFICATION_CHALLENGE_SCHEDULE)
    if len(starts) != len(actions):
        first, gap = settings.VERIFICATION_CHALLENGE_FIRST_S, settings.VERIFICATION_CHALLENGE_GAP_S
        starts = [first + i * (length + gap) for i in range(len(actions))]
    return [
        {"action": action, "from_s": round(start, 3), "to_s": round(start + length, 3)}
        for action, start in zip(actions, starts, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class ChallengeWalk:
    """Where a registration stands in its challenge budget."""

    attempt: int  # the attempt the next challenge belongs to
    issued: int  # how many challenges that attempt has had
    actions: list[str] | None  # what that attempt's challenges ask (None: none issued yet)
    attempt_of: int | None  # the attempt of the challenge asked about, if any


def challenge_walk(registration: Registration, *, of=None) -> ChallengeWalk:
    """Walks the challenges in the order issued: a used one (a capture) ends its attempt, and
    so does the ``VERIFICATION_CHALLENGES_PER_ATTEMPT``-th unused one of an attempt."""
    budget = settings.VERIFICATION_CHALLENGES_PER_ATTEMPT
    attempt, issued, actions, attempt_of = 1, 0, None, None
    rows = registration.challenges.order_by("issued_at", "pk")
    for pk, used_at, asked in rows.values_list("pk", "used_at", "actions"):
        issued += 1
        actions = actions or asked
        if pk == of:
            attempt_of = attempt
        if used_at is not None or issued >= budget:
            attempt, issued, actions = attempt + 1, 0, None
    return ChallengeWalk(attempt, issued, actions, attempt_of)


def _capture_attempt(registration: Registration, challenge: Challenge) -> int:
    """The attempt a capture answering ``challenge`` counts as: the one its challenge belongs
    to (attempts spent on unused challenges count), and always after the last capture."""
    of_challenge = challenge_walk(registration, of=challenge.pk).attempt_of
    last = registration.verification_jobs.order_by("-attempt").values_list("attempt", flat=True)
    return max(of_challenge or 1, (last.first() or 0) + 1)


def _require_challenge_left(registration: Registration, attempts: int) -> ChallengeWalk:
    if attempts >= settings.VERIFICATION_MAX_ATTEMPTS:
        raise VerificationError(VerificationCode.ATTEMPTS_EXHAUSTED, status=409)
    walk = challenge_walk(registration)
    if walk.attempt > settings.VERIFICATION_MAX_ATTEMPTS:
        raise VerificationError(VerificationCode.CHALLENGES_EXHAUSTED, status=409)
    return walk


@transaction.atomic
def challenge_issue(*, registration: Registration, actor) -> Challenge:
    """A new challenge, within the registration's budget; audited with its attempt number
    (never the nonce: it is the proof of the capture)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _require_capturable(registration)
    state = flow_state(registration)
    if not state.has_consent:
        raise VerificationError(VerificationCode.CONSENT_MISSING, status=409)
    if not state.has_portrait:
        raise VerificationError(VerificationCode.PORTRAIT_MISSING, status=409)
    walk = _require_challenge_left(registration, state.attempts)
    now = timezone.now()
    # Asking again within an attempt (the camera failed, the page was reloaded) asks the same
    # actions again: re-asking draws nothing new, so a registration's recording meets at most
    # one sequence per attempt.
    actions = walk.actions or challenge_actions()
    challenge = Challenge.objects.create(
        nonce=secrets.token_urlsafe(32),
        registration=registration,
        actions=actions,
        schedule=challenge_schedule(actions),
        issued_to=actor,
        issued_at=now,
        expires_at=now + timedelta(seconds=settings.VERIFICATION_CHALLENGE_TTL_S),
    )
    audit_record(
        action=Action.CHALLENGE_ISSUED,
        actor=actor,
        obj=registration,
        changes={
            "attempt": (None, walk.attempt),
            "challenge_of_attempt": (None, walk.issued + 1),
        },
    )
    return challenge


def challenge_recording_s(schedule: list[dict]) -> float:
    """How long the page records: until the last window ends, and a margin."""
    return math.ceil(max((step["to_s"] for step in schedule), default=0.0) + 0.5)


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


def _check_source(source: str) -> None:
    """The page's own camera, or a file chosen instead: a file must be allowed (by the
    deployment and the ministry's policy), and even then a person approves it."""
    if source not in VerificationJob.Source.values:
        raise VerificationError(VerificationCode.UNKNOWN_SOURCE)
    if source == VerificationJob.Source.UPLOAD and not uploads_allowed():
        raise VerificationError(VerificationCode.UPLOADS_OFF, status=403)


def capture_submit(
    *,
    registration: Registration,
    actor,
    nonce: str,
    data: bytes,
    source: str = VerificationJob.Source.UPLOAD,
) -> VerificationJob:
    """Spend the challenge, store the capture, submit the registration (first attempt) and
    queue the job when all of it has committed. Any refusal leaves everything as it was.

    ``source`` is what the page says made the capture: a file unless it says the camera,
    since a file can never be approved without a person."""
    _check_source(source)
    kind = _check_capture(data)
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        # The challenge first: a replayed nonce is refused as such, whatever the state.
        challenge = _spend_challenge(registration=registration, actor=actor, nonce=nonce)
        _require_capturable(registration)
        attempt = _capture_attempt(registration, challenge)
        if attempt > settings.VERIFICATION_MAX_ATTEMPTS:
            raise VerificationError(VerificationCode.ATTEMPTS_EXHAUSTED, status=409)
        if is_draft(registration):
            registration = registration_services.registration_submit(
                registration=registration, actor=actor, with_capture=True
            )
        job = VerificationJob.objects.create(
            registration=registration,
            challenge=challenge,
            attempt=attempt,
            source=source,
            created_by=actor,
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
            changes={
                "verification_job": (None, str(job.pk)),
                "attempt": (None, attempt),
                "source": (None, source),
            },
        )
        verification_job_enqueue(job_id=job.pk)
    return job
