"""What an outcome screen says: what happened to a registration, and the one next step.

The registration's page and the capture page (through its status JSON) both read this, so
they never disagree with each other nor with the lifecycle: the words follow the
registration's status, not the outcome of its last attempt (an attempt sent to review may
since have been approved or rejected by a person).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registrations.models import Registration
from verification.engine import reasons as engine_reasons
from verification.errors import message_for
from verification.models import VerificationJob

Status = Registration.Status

# Rejections where the capture showed no live person, or not one person throughout.
_NOT_LIVE = frozenset(
    {engine_reasons.NOT_LIVE, engine_reasons.SPLICED_MEDIA, engine_reasons.IDENTITY_CHANGED}
)
_NO_MATCH = frozenset({engine_reasons.NO_MATCH, engine_reasons.MATCH_UNCERTAIN})


@dataclass(frozen=True)
class Outcome:
    """``key`` names the state for the page's styling: draft, checking, retake, review,
    approved, rejected, cancelled, discarded or stopped (a draft at a suspended outlet)."""

    key: str
    status_word: str
    headline: str
    next_step: str
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "outcome_key": self.key,
            "status_word": self.status_word,
            "headline": self.headline,
            "next_step": self.next_step,
        }


def attempts_left(attempts_made: int) -> int:
    return max(settings.VERIFICATION_MAX_ATTEMPTS - attempts_made, 0)


def _draft(registration: Registration, state, *, outlet_suspended: bool) -> Outcome:
    if outlet_suspended:
        return Outcome(
            "stopped",
            _("Draft, outlet suspended"),
            _("This outlet is suspended: the draft cannot go on here."),
            _("Discard the draft; the customer can register at an active outlet."),
        )
    if registration.channel == Registration.Channel.ONLINE:
        next_step = _("Next: the partner sends the ID portrait, the consent and the capture.")
    elif not state.has_portrait:
        next_step = _("Next: upload the ID portrait.")
    elif not state.has_consent:
        next_step = _("Next: record the subscriber's consent.")
    else:
        next_step = _("Next: make the live capture with the subscriber.")
    return Outcome("draft", _("Draft"), _("Saved as a draft, not submitted yet."), next_step)


def _checking() -> Outcome:
    return Outcome(
        "checking",
        _("Being verified"),
        _("The capture was sent and is being checked."),
        _("Wait a moment with the customer: the result appears here, usually within a minute."),
    )


def _retake(state) -> Outcome:
    left = attempts_left(state.attempts)
    return Outcome(
        "retake",
        _("Retake needed"),
        _("The last capture could not be used (why is said below): it is not a rejection."),
        ngettext(
            "Retake the live capture now: %(count)s attempt left.",
            "Retake the live capture now: %(count)s attempts left.",
            left,
        )
        % {"count": left},
        reasons=[message_for(code) for code in state.last_job.reasons],
    )


def _review(registration: Registration) -> Outcome:
    return Outcome(
        "review",
        _("With a reviewer"),
        _("Sent to a reviewer: the automatic check could not decide on its own."),
        _(
            "Nothing more to do at the counter. A reviewer of %(operator)s compares the capture "
            "with the ID portrait and decides; the decision appears on this page. The number "
            "works only once approved."
        )
        % {"operator": registration.operator.name},
        reasons=[message_for(code) for code in registration.decision_reasons],
    )


def _approved(registration: Registration) -> Outcome:
    headline = (
        _("Approved by a reviewer: the number is registered to the subscriber.")
        if registration.decided_by_id
        else _("Approved: the number is registered to the subscriber.")
    )
    return Outcome(
        "approved",
        _("Approved"),
        headline,
        _("Hand over the SIM card: the number works now."),
    )


def _customer_can(registration: Registration) -> str:
    """What a rejected customer can do, from why they were rejected."""
    reasons = set(registration.decision_reasons)
    if registration.decided_by_id:
        return _(
            "A reviewer rejected it (their reason is below). The customer may register again "
            "in person at an outlet, with their original ID card."
        )
    if reasons & _NOT_LIVE:
        return _(
            "The customer must come in person and face the camera themselves, with their "
            "original ID card: a photo, a screen, a recording or another person is refused."
        )
    if reasons & _NO_MATCH:
        return _(
            "The customer may register again in person with their original ID card. If their "
            "face has changed much since the ID photo, they renew the ID card first."
        )
    return _("The customer may start a new registration in person, with their original ID card.")


def _rejected(registration: Registration) -> Outcome:
    return Outcome(
        "rejected",
        _("Rejected"),
        _("Rejected: the number was not registered."),
        _customer_can(registration),
        reasons=[message_for(code) for code in registration.decision_reasons],
    )


def _cancelled(registration: Registration) -> Outcome:
    return Outcome(
        "cancelled",
        _("Cancelled"),
        _("Cancelled: the number was given up (who, when and why are below)."),
        _("Nothing more to do: the number is free for another registration."),
    )


def _discarded() -> Outcome:
    return Outcome(
        "discarded",
        _("Discarded"),
        _("This draft was discarded before it was submitted."),
        _("The number and the SIM card are free: start a new registration if needed."),
    )


def registration_outcome(registration: Registration, state, *, outlet_suspended: bool) -> Outcome:
    """What happened to ``registration`` and its one next step (``state`` its FlowState)."""
    status = registration.status
    last = state.last_job
    if status == Status.DRAFT:
        return _draft(registration, state, outlet_suspended=outlet_suspended)
    if status in (Status.SUBMITTED, Status.VERIFYING):
        waiting_for_retake = (
            status == Status.VERIFYING
            and last is not None
            and last.done
            and last.outcome == VerificationJob.Outcome.RETAKE
        )
        return _retake(state) if waiting_for_retake else _checking()
    if status == Status.REVIEW:
        return _review(registration)
    if status == Status.APPROVED:
        return _approved(registration)
    if status == Status.REJECTED:
        return _rejected(registration)
    if status == Status.CANCELLED:
        return _cancelled(registration)
    return _discarded()
