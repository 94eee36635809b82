"""Reads of verification data, always for a registration already fetched through scoping."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse

from portal.accounts import scoping
from registrations.models import Registration
from verification import messages, services
from verification.models import BiometricEvidence, VerificationJob


def next_step_url(registration: Registration, state: services.FlowState | None = None) -> str:
    """The outlet flow's next page for a registration being captured."""
    state = state or services.flow_state(registration)
    if registration.status == Registration.Status.DRAFT and not state.has_portrait:
        return reverse("verification:portrait", args=[registration.pk])
    if registration.status == Registration.Status.DRAFT and not state.has_consent:
        return reverse("verification:consent", args=[registration.pk])
    return reverse("verification:capture", args=[registration.pk])


@dataclass
class Attempt:
    job: VerificationJob
    reasons: list[dict] = field(default_factory=list)


@dataclass
class RegistrationVerification:
    state: services.FlowState
    attempts: list[Attempt]
    can_continue: bool
    next_url: str | None
    can_view_evidence: bool


def registration_verification(*, user, registration: Registration) -> RegistrationVerification:
    """What the registration page shows of verification, and what this user may do next."""
    state = services.flow_state(registration)
    attempts = [
        Attempt(job=job, reasons=[messages.reason_text(code) for code in job.reasons])
        for job in state.jobs
    ]
    draft = registration.status == Registration.Status.DRAFT
    retake = (
        services.retake_open(registration, state)
        and state.attempts < settings.VERIFICATION_MAX_ATTEMPTS
    )
    can_continue = (draft or retake) and user.has_perm("registrations.submit_registration")
    return RegistrationVerification(
        state=state,
        attempts=attempts,
        can_continue=can_continue,
        next_url=next_step_url(registration, state) if can_continue else None,
        can_view_evidence=user.has_perm("verification.view_biometricevidence"),
    )


# The manual review queue and one case of it (see portal.accounts.scoping for who sees which).


def review_queue(*, user) -> QuerySet[Registration]:
    """The registrations in review this user may decide, those waiting longest first."""
    return scoping.registrations_for_review(user).order_by(
        F("submitted_at").asc(nulls_first=True), "created_at", "pk"
    )


def review_case_get(*, user, pk) -> Registration:
    return scoping.get_in_scope_or_404(scoping.registrations_for_review(user), pk=pk)


def last_attempt_reasons(registrations) -> dict:
    """Registration pk -> the plain-language reasons of its last verification attempt."""
    last: dict = {}
    jobs = VerificationJob.objects.filter(registration__in=list(registrations)).order_by(
        "registration", "attempt"
    )
    for job in jobs.only("registration_id", "attempt", "reasons"):
        last[job.registration_id] = job.reasons  # ordered by attempt: the last one wins
    return {pk: [messages.reason_text(code) for code in codes] for pk, codes in last.items()}


@dataclass
class ReviewAttempt:
    job: VerificationJob
    reasons: list[str]
    match: dict
    liveness: dict
    quality: dict
    identity: dict
    captures: list[BiometricEvidence]
    key_frames: list[BiometricEvidence]


@dataclass
class ReviewCase:
    registration: Registration
    portraits: list[BiometricEvidence]
    attempts: list[ReviewAttempt]


def review_case(*, registration: Registration) -> ReviewCase:
    """What a reviewer weighs: every attempt's scores and reasons, and the evidence behind them."""
    evidence = list(registration.evidence.order_by("created_at", "frame_index"))
    attempts = []
    for job in registration.verification_jobs.order_by("attempt"):
        result = job.result or {}
        mine = [item for item in evidence if item.job_id == job.pk]
        attempts.append(
            ReviewAttempt(
                job=job,
                reasons=[messages.reason_text(code) for code in job.reasons],
                match=result.get("match") or {},
                liveness=result.get("liveness") or {},
                quality=result.get("quality") or {},
                identity=result.get("identity") or {},
                captures=[item for item in mine if item.kind == BiometricEvidence.Kind.CAPTURE],
                key_frames=[item for item in mine if item.kind == BiometricEvidence.Kind.KEY_FRAME],
            )
        )
    portraits = [item for item in evidence if item.kind == BiometricEvidence.Kind.PORTRAIT]
    return ReviewCase(registration=registration, portraits=portraits, attempts=attempts)


def evidence_case(*, user, registration: Registration) -> ReviewCase | None:
    """The evidence of a registration page, for those allowed to look (None otherwise)."""
    if not user.has_perm("verification.view_biometricevidence"):
        return None
    if not registration.evidence.exists():
        return None
    return review_case(registration=registration)
