"""Reads of verification data, always for a registration already fetched through scoping."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from registrations.models import Registration
from verification import messages, services
from verification.models import VerificationJob


def next_step_url(registration: Registration) -> str:
    """The outlet flow's next page for a registration being captured."""
    state = services.flow_state(registration)
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
        for job in registration.verification_jobs.order_by("attempt")
    ]
    draft = registration.status == Registration.Status.DRAFT
    retake = (
        registration.status == Registration.Status.VERIFYING
        and state.last_job is not None
        and state.last_job.outcome == VerificationJob.Outcome.RETAKE
        and state.attempts < settings.VERIFICATION_MAX_ATTEMPTS
    )
    can_continue = (draft or retake) and user.has_perm("registrations.submit_registration")
    return RegistrationVerification(
        state=state,
        attempts=attempts,
        can_continue=can_continue,
        next_url=next_step_url(registration) if can_continue else None,
        can_view_evidence=user.has_perm("verification.view_biometricevidence"),
    )
