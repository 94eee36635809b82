"""Every lifecycle transition from every status: allowed where DESIGN.md says, else refused."""

import pytest

from registrations import lifecycle, services
from registrations.errors import RegistrationError
from registrations.lifecycle import Step
from registrations.models import Registration
from tests.factories import create_registration

pytestmark = pytest.mark.django_db

ALL_STATUSES = [s.value for s in Registration.Status]

# DESIGN.md's lifecycle, written out independently of the table in registrations.lifecycle:
# (state, action, next state, permission).
DESIGNED = {
    ("draft", "submit", "submitted", "registrations.submit_registration"),
    ("submitted", "start_verification", "verifying", None),
    ("verifying", "approve", "approved", None),
    ("verifying", "reject", "rejected", None),
    ("verifying", "send_to_review", "review", None),
    ("review", "review_approve", "approved", "registrations.review_registration"),
    ("review", "review_reject", "rejected", "registrations.review_registration"),
    ("approved", "cancel", "cancelled", "registrations.cancel_registration"),
    ("draft", "discard", "discarded", "registrations.add_registration"),
}


def test_the_lifecycle_table_is_the_one_of_the_design():
    table = {
        (t.state, t.action, t.next_state, t.permission and str(t.permission))
        for t in lifecycle.TRANSITIONS
    }
    assert table == DESIGNED


def run(action: Step, registration: Registration, *, actor, reviewer):
    """The service that takes ``action``."""
    if action == Step.SUBMIT:
        return services.registration_submit(
            registration=registration, actor=actor, with_capture=True
        )
    if action == Step.START_VERIFICATION:
        return services.registration_start_verification(registration=registration)
    decisions = {value: status for status, value in lifecycle.DECISION_STEPS.items()}
    if action in decisions:
        return services.registration_decide(
            registration=registration, decision=decisions[action], reasons=["x"]
        )
    if action in (Step.REVIEW_APPROVE, Step.REVIEW_REJECT):
        return services.registration_review(
            registration=registration,
            reviewer=reviewer,
            approve=action == Step.REVIEW_APPROVE,
            note="Checked the ID in person",
        )
    if action == Step.DISCARD:
        return services.registration_discard(registration=registration, actor=actor)
    return services.registration_cancel(registration=registration, actor=actor)


CASES = [
    (action, status, lifecycle.transition(status, action))
    for action in Step
    for status in ALL_STATUSES
]


@pytest.mark.parametrize(("action", "status", "row"), CASES)
def test_it_allows_each_transition_only_from_its_states(users, outlet_gd, action, status, row):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status=status)
    if row is not None:
        result = run(action, registration, actor=users["staff"], reviewer=users["carrier_admin"])
        assert result.status == row.next_state
        registration.refresh_from_db()
        assert registration.status == row.next_state
    else:
        with pytest.raises(RegistrationError) as refused:
            run(action, registration, actor=users["staff"], reviewer=users["carrier_admin"])
        assert refused.value.reasons == ["invalid_transition"]
        registration.refresh_from_db()
        assert registration.status == status, "a refused transition changed nothing"


@pytest.mark.parametrize(
    ("status", "role", "expected"),
    [
        ("draft", "staff", {Step.SUBMIT, Step.DISCARD}),
        ("draft", "inspector", set()),
        ("review", "carrier_admin", {Step.REVIEW_APPROVE, Step.REVIEW_REJECT}),
        ("review", "staff", set()),
        ("approved", "staff", {Step.CANCEL}),
        ("approved", "carrier_admin", {Step.CANCEL}),
        ("approved", "inspector", set()),
        ("verifying", "carrier_admin", set()),  # the worker's steps are nobody's buttons
    ],
)
def test_a_page_offers_the_steps_its_user_holds_the_permission_of(
    users, outlet_gd, status, role, expected
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status=status)
    assert lifecycle.actions_for(users[role], registration) == expected


def test_it_records_the_decision_reasons_and_time(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="verifying")
    decided = services.registration_decide(
        registration=registration, decision="rejected", reasons=["no_match"]
    )
    assert decided.decision_reasons == ["no_match"]
    assert decided.decided_at is not None


def test_it_refuses_an_unknown_decision(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="verifying")
    with pytest.raises(ValueError):
        services.registration_decide(registration=registration, decision="cancelled", reasons=[])


def test_it_refuses_a_review_by_the_person_who_submitted(users, outlet_gd):
    registration = create_registration(
        actor=users["carrier_admin"], outlet=outlet_gd, status="review"
    )
    with pytest.raises(RegistrationError) as refused:
        services.registration_review(
            registration=registration, reviewer=users["carrier_admin"], approve=True, note="ok"
        )
    assert refused.value.reasons == ["own_registration"]
    registration.refresh_from_db()
    assert registration.status == "review"


def test_it_requires_a_written_reason_for_a_review(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    with pytest.raises(RegistrationError) as refused:
        services.registration_review(
            registration=registration, reviewer=users["carrier_admin"], approve=False, note="  "
        )
    assert refused.value.reasons == ["reason_required"]


def test_it_records_the_reviewer_and_note(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    reviewed = services.registration_review(
        registration=registration, reviewer=users["carrier_admin"], approve=True, note="Seen"
    )
    assert reviewed.decided_by == users["carrier_admin"]
    assert reviewed.decision_note == "Seen"


def test_it_frees_the_number_when_a_registration_is_cancelled(users, outlet_gd):
    first = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    with pytest.raises(RegistrationError) as refused:
        create_registration(actor=users["staff"], outlet=outlet_gd, msisdn=first.msisdn[3:])
    assert refused.value.reasons == ["msisdn_in_use"]

    services.registration_cancel(registration=first, actor=users["staff"])
    second = create_registration(
        actor=users["staff"], outlet=outlet_gd, msisdn=first.msisdn[3:], status="submitted"
    )
    assert second.msisdn == first.msisdn
