"""The registration lifecycle of DESIGN.md, as one table.

    draft -> submitted -> verifying -> approved | rejected | review
    review -> approved | rejected      (a carrier reviewer)
    approved -> cancelled              (the number is given up)
    draft -> discarded                 (the outlet drops a draft: the number is free again)

Each row is (state, action, next state, permission). The services apply a row or refuse, the
pages show the buttons of the rows the user holds the permission of, the selectors take their
states from here, and the lifecycle test walks every row. A permission of None means the
system takes that step (the verification worker), never a person.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm, can
from registrations.models import Registration

Status = Registration.Status


class Step(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    START_VERIFICATION = "start_verification", _("verified")
    APPROVE = "approve", _("approved")
    REJECT = "reject", _("rejected")
    SEND_TO_REVIEW = "send_to_review", _("sent to review")
    REVIEW_APPROVE = "review_approve", _("approved in review")
    REVIEW_REJECT = "review_reject", _("rejected in review")
    CANCEL = "cancel", _("cancelled")
    DISCARD = "discard", _("discarded")


@dataclass(frozen=True)
class Transition:
    state: str
    action: Step
    next_state: str
    permission: Perm | None


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.DRAFT, Step.SUBMIT, Status.SUBMITTED, Perm.SUBMIT_REGISTRATION),
    Transition(Status.SUBMITTED, Step.START_VERIFICATION, Status.VERIFYING, None),
    Transition(Status.VERIFYING, Step.APPROVE, Status.APPROVED, None),
    Transition(Status.VERIFYING, Step.REJECT, Status.REJECTED, None),
    Transition(Status.VERIFYING, Step.SEND_TO_REVIEW, Status.REVIEW, None),
    Transition(Status.REVIEW, Step.REVIEW_APPROVE, Status.APPROVED, Perm.REVIEW_REGISTRATION),
    Transition(Status.REVIEW, Step.REVIEW_REJECT, Status.REJECTED, Perm.REVIEW_REGISTRATION),
    Transition(Status.APPROVED, Step.CANCEL, Status.CANCELLED, Perm.CANCEL_REGISTRATION),
    # Whoever may create registrations at the outlet may drop its draft again.
    Transition(Status.DRAFT, Step.DISCARD, Status.DISCARDED, Perm.ADD_REGISTRATION),
)

_BY_STATE_AND_ACTION = {(t.state, t.action): t for t in TRANSITIONS}

# What the verification worker's decision leads to, as the action it takes.
DECISION_STEPS = {
    Status.APPROVED: Step.APPROVE,
    Status.REJECTED: Step.REJECT,
    Status.REVIEW: Step.SEND_TO_REVIEW,
}


def transition(state: str, action: Step) -> Transition | None:
    """The row for ``action`` from ``state``, or None when the lifecycle does not allow it."""
    return _BY_STATE_AND_ACTION.get((state, action))


def states_allowing(action: Step) -> frozenset[str]:
    """The states from which ``action`` may be taken."""
    return frozenset(t.state for t in TRANSITIONS if t.action == action)


def is_open_for(registration: Registration, action: Step) -> bool:
    return transition(registration.status, action) is not None


def actions_for(user, registration: Registration) -> frozenset[Step]:
    """The actions ``user`` may take on ``registration`` now: the buttons its page shows."""
    return frozenset(
        t.action
        for t in TRANSITIONS
        if t.state == registration.status and t.permission and can(user, t.permission)
    )
