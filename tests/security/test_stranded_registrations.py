"""Issue 10, hole 5: a registration never holds its number forever with nothing in flight.

Reproduced: an outlet draft submitted without portrait or consent stayed ``submitted`` with
no job, holding its number. The sweeper sends such registrations to a person.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from registrations.models import Registration
from tests.factories import create_registration
from verification.models import Challenge, VerificationJob
from verification.services import registrations_stranded_sweep

pytestmark = pytest.mark.django_db


def aged(registration, seconds: int) -> Registration:
    earlier = timezone.now() - timedelta(seconds=seconds)
    Registration.objects.filter(pk=registration.pk).update(updated_at=earlier)
    return registration


@pytest.mark.parametrize("status", ["submitted", "verifying"])
def test_a_registration_left_with_nothing_in_flight_goes_to_review(users, outlet_gd, status):
    registration = aged(
        create_registration(actor=users["staff"], outlet=outlet_gd, status=status), 7200
    )
    assert registrations_stranded_sweep() == [registration.pk]
    registration.refresh_from_db()
    assert registration.status == "review"
    assert registration.decision_reasons == ["stranded"]
    event = AuditEvent.objects.filter(object_id=str(registration.pk)).order_by("sequence").last()
    assert event.action == "registration.decided"
    assert registrations_stranded_sweep() == [], "once"


def test_a_recent_one_or_one_in_another_state_is_left_alone(users, outlet_gd):
    recent = create_registration(actor=users["staff"], outlet=outlet_gd, status="submitted")
    approved = aged(
        create_registration(actor=users["staff"], outlet=outlet_gd, status="approved"), 7200
    )
    draft = aged(create_registration(actor=users["staff"], outlet=outlet_gd), 7200)
    assert registrations_stranded_sweep() == []
    for registration, status in ((recent, "submitted"), (approved, "approved"), (draft, "draft")):
        registration.refresh_from_db()
        assert registration.status == status


def test_one_with_a_job_in_flight_is_left_to_the_job_sweeper(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="submitted")
    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce="q" * 43, registration=registration, actions=["blink", "turn_left"],
        issued_to=users["staff"], issued_at=now, expires_at=now + timedelta(minutes=2),
    )  # fmt: skip
    VerificationJob.objects.create(
        registration=registration, challenge=challenge, attempt=1, created_by=users["staff"]
    )
    aged(registration, 7200)
    assert registrations_stranded_sweep() == []
