"""The notice's lifecycle table: every allowed step, every refused one, and who may take it."""

import itertools

import pytest

from portal.accounts.permissions import Perm
from portal.supervision import notice_lifecycle
from portal.supervision.models import Notice
from portal.supervision.notice_lifecycle import NoticeStep, Transition

Status = Notice.Status

ALLOWED = {
    (Status.ISSUED, NoticeStep.ANSWER): (Status.ANSWERED, Perm.ANSWER_NOTICES),
    (Status.REOPENED, NoticeStep.ANSWER): (Status.ANSWERED, Perm.ANSWER_NOTICES),
    (Status.ANSWERED, NoticeStep.ACCEPT): (Status.ACCEPTED, Perm.ISSUE_NOTICES),
    (Status.ANSWERED, NoticeStep.REOPEN): (Status.REOPENED, Perm.ISSUE_NOTICES),
}
EVERY_PAIR = list(itertools.product(Status.values, NoticeStep.values))


def test_the_table_has_exactly_the_allowed_steps():
    table = {
        (t.state, t.action): (t.next_state, t.permission) for t in notice_lifecycle.TRANSITIONS
    }
    assert table == ALLOWED


@pytest.mark.parametrize(("state", "action"), list(ALLOWED))
def test_each_allowed_step_leads_to_its_next_state(state, action):
    row = notice_lifecycle.transition(state, NoticeStep(action))
    assert row == Transition(state, action, *ALLOWED[(state, action)])


@pytest.mark.parametrize(("state", "action"), [pair for pair in EVERY_PAIR if pair not in ALLOWED])
def test_every_other_step_is_refused(state, action):
    assert notice_lifecycle.transition(state, NoticeStep(action)) is None


def test_an_accepted_notice_is_final():
    assert not [t for t in notice_lifecycle.TRANSITIONS if t.state == Status.ACCEPTED]


def test_a_notice_starts_issued_and_awaits_an_answer_when_issued_or_reopened():
    assert notice_lifecycle.INITIAL_STATE == Status.ISSUED
    assert {Status.ISSUED, Status.REOPENED} == notice_lifecycle.AWAITING_ANSWER
    assert notice_lifecycle.states_allowing(NoticeStep.REOPEN) == {Status.ANSWERED}


def test_the_operator_answers_and_the_ministry_decides():
    answering = {t.permission for t in notice_lifecycle.TRANSITIONS if t.action == "answer"}
    deciding = {t.permission for t in notice_lifecycle.TRANSITIONS if t.action != "answer"}
    assert answering == {Perm.ANSWER_NOTICES}
    assert deciding == {Perm.ISSUE_NOTICES}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        ("carrier_admin", Status.ISSUED, {NoticeStep.ANSWER}),
        ("carrier_admin", Status.REOPENED, {NoticeStep.ANSWER}),
        ("carrier_admin", Status.ANSWERED, set()),
        ("inspector", Status.ANSWERED, {NoticeStep.ACCEPT, NoticeStep.REOPEN}),
        ("inspector", Status.ISSUED, set()),
        ("inspector", Status.ACCEPTED, set()),
        ("ministry_admin", Status.ANSWERED, set()),
        ("staff", Status.ISSUED, set()),
    ],
)
def test_the_buttons_shown_are_the_rows_the_user_holds(users, role, state, expected):
    assert notice_lifecycle.actions_for(users[role], Notice(status=state)) == expected
