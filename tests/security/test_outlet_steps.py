"""Issue 10, holes 5 and 10: an outlet registration moves on only by its live capture, and
not at all once its outlet is suspended.

Reproduced: ``POST /registrations/<pk>/submit/`` on an outlet draft with no portrait and no
consent moved it to ``submitted`` with no job, holding the number for ever; a draft prepared
before its outlet was suspended was captured and approved afterwards.
"""

import pytest
from django.conf import settings

from registrations import services as registration_services
from registrations.errors import RegistrationCode, RegistrationError
from tests.factories import create_registration, sign_in, store_stand_in_portrait
from verification import services
from verification.errors import VerificationCode, VerificationError
from verification.models import Consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(users, outlet_gd):
    return create_registration(actor=users["staff"], outlet=outlet_gd)


def test_the_submit_button_cannot_submit_an_outlet_draft_without_its_capture(client, users, draft):
    sign_in(client, users["staff"])
    response = client.post(f"/registrations/{draft.pk}/submit/", follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft", "the number is not held by a registration with no job"
    assert str(RegistrationCode.CAPTURE_REQUIRED.label) in response.content.decode()
    with pytest.raises(RegistrationError) as refused:
        registration_services.registration_submit(registration=draft, actor=users["staff"])
    assert refused.value.reasons == ["capture_required"]


@pytest.fixture
def prepared_then_suspended(users, draft, outlet_gd):
    """A draft with its consent and portrait, whose outlet was suspended afterwards."""
    Consent.objects.create(
        registration=draft, text_version=settings.BIOMETRIC_CONSENT_VERSION,
        recorded_by=users["staff"],
    )  # fmt: skip
    store_stand_in_portrait(draft)
    challenge = services.challenge_issue(registration=draft, actor=users["staff"])
    outlet_gd.status = outlet_gd.Status.SUSPENDED
    outlet_gd.save(update_fields=["status"])
    return draft, challenge


def test_no_step_follows_the_suspension_of_the_outlet(users, prepared_then_suspended):
    draft, challenge = prepared_then_suspended
    steps = {
        "a challenge": lambda: services.challenge_issue(registration=draft, actor=users["staff"]),
        "the capture": lambda: services.capture_submit(
            registration=draft,
            actor=users["staff"],
            nonce=challenge.nonce,
            data=b"\x1aE\xdf\xa3" + b"\x00" * 64,
        ),  # fmt: skip
        "the consent": lambda: services.consent_record(
            registration=draft, actor=users["staff"], text_version="2026-12"
        ),
    }
    for step, take in steps.items():
        with pytest.raises(VerificationError) as refused:
            take()
        assert refused.value.reasons == [VerificationCode.OUTLET_SUSPENDED], step
    with pytest.raises(RegistrationError) as refused:
        registration_services.registration_submit(
            registration=draft, actor=users["staff"], with_capture=True
        )
    assert refused.value.reasons == ["outlet_unavailable"]
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not draft.verification_jobs.exists()


def test_the_capture_page_answers_a_suspended_outlet_in_json(
    client, users, prepared_then_suspended
):
    draft, challenge = prepared_then_suspended
    sign_in(client, users["staff"])
    response = client.post(f"/registrations/{draft.pk}/capture/challenge/")
    assert response.status_code == 409
    assert response.json()["reasons"] == ["outlet_suspended"]
