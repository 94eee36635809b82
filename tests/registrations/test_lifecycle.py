"""Every lifecycle transition from every status: allowed where DESIGN.md says, else refused."""

import pytest

from registrations import services
from registrations.errors import RegistrationError
from registrations.models import Registration
from tests.conftest import create_registration

pytestmark = pytest.mark.django_db

ALL_STATUSES = [s.value for s in Registration.Status]

# transition name -> (statuses it is allowed from, status it leads to)
TRANSITIONS = {
    "submit": ({"draft"}, "submitted"),
    "start_verification": ({"submitted"}, "verifying"),
    "decide_approved": ({"verifying"}, "approved"),
    "decide_rejected": ({"verifying"}, "rejected"),
    "decide_review": ({"verifying"}, "review"),
    "review_approve": ({"review"}, "approved"),
    "review_reject": ({"review"}, "rejected"),
    "cancel": ({"approved"}, "cancelled"),
}


def run(transition: str, registration: Registration, *, actor, reviewer):
    if transition == "submit":
        return services.registration_submit(registration=registration, actor=actor)
    if transition == "start_verification":
        return services.registration_start_verification(registration=registration)
    if transition.startswith("decide_"):
        return services.registration_decide(
            registration=registration, decision=transition.removeprefix("decide_"), reasons=["x"]
        )
    if transition.startswith("review_"):
        return services.registration_review(
            registration=registration,
            reviewer=reviewer,
            approve=transition == "review_approve",
            note="Checked the ID in person",
        )
    return services.registration_cancel(registration=registration, actor=actor)


CASES = [
    (transition, status, status in allowed, target)
    for transition, (allowed, target) in TRANSITIONS.items()
    for status in ALL_STATUSES
]


@pytest.mark.parametrize(("transition", "status", "allowed", "target"), CASES)
def test_it_allows_each_transition_only_from_its_states(
    users, outlet_gd, transition, status, allowed, target
):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status=status)
    if allowed:
        result = run(
            transition, registration, actor=users["staff"], reviewer=users["carrier_admin"]
        )
        assert result.status == target
        registration.refresh_from_db()
        assert registration.status == target
    else:
        with pytest.raises(RegistrationError) as refused:
            run(transition, registration, actor=users["staff"], reviewer=users["carrier_admin"])
        assert refused.value.reasons == ["invalid_transition"]
        registration.refresh_from_db()
        assert registration.status == status, "a refused transition changed nothing"


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
