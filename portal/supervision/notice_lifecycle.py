"""The lifecycle of a rectification notice, as one table (like ``registrations.lifecycle``).

    (issued by an inspector from a finding)
    issued -> answered                   the carrier admin, with the actions taken
    answered -> accepted                 the inspector: the fix is done
    answered -> reopened                 the inspector, with a reason: not done yet
    reopened -> answered                 the carrier admin answers again ...

Each row is (state, action, next state, permission). The services apply a row or refuse,
the pages show the buttons of the rows the user holds the permission of, and the lifecycle
test walks every row and every refused pair. Overdue is not a state: a notice past its
deadline and not accepted is overdue whatever its state (``Notice.is_overdue``).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm, can
from portal.supervision.models import Notice

Status = Notice.Status


class NoticeStep(models.TextChoices):
    ANSWER = "answer", _("answered")
    ACCEPT = "accept", _("accepted")
    REOPEN = "reopen", _("reopened")


@dataclass(frozen=True)
class Transition:
    state: str
    action: NoticeStep
    next_state: str
    permission: Perm


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.ISSUED, NoticeStep.ANSWER, Status.ANSWERED, Perm.ANSWER_NOTICES),
    Transition(Status.REOPENED, NoticeStep.ANSWER, Status.ANSWERED, Perm.ANSWER_NOTICES),
    Transition(Status.ANSWERED, NoticeStep.ACCEPT, Status.ACCEPTED, Perm.ISSUE_NOTICES),
    Transition(Status.ANSWERED, NoticeStep.REOPEN, Status.REOPENED, Perm.ISSUE_NOTICES),
)

# The state a notice starts in, when an inspector issues it.
INITIAL_STATE = Status.ISSUED
# States in which the operator still owes an answer.
AWAITING_ANSWER = frozenset(t.state for t in TRANSITIONS if t.action == NoticeStep.ANSWER)

_BY_STATE_AND_ACTION = {(t.state, t.action): t for t in TRANSITIONS}


def transition(state: str, action: NoticeStep) -> Transition | None:
    """The row for ``action`` from ``state``, or None when the lifecycle does not allow it."""
    return _BY_STATE_AND_ACTION.get((state, action))


def states_allowing(action: NoticeStep) -> frozenset[str]:
    return frozenset(t.state for t in TRANSITIONS if t.action == action)


def actions_for(user, notice: Notice) -> frozenset[NoticeStep]:
    """The actions ``user`` may take on ``notice`` now: the buttons its page shows."""
    return frozenset(
        t.action for t in TRANSITIONS if t.state == notice.status and can(user, t.permission)
    )
