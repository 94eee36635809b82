"""Issue 10, hole 4: nobody decides in review a registration they took part in.

Reproduced: an appointed reviewer who recorded the consent, uploaded the portrait or made the
captures of a registration created by a colleague could approve it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts.roles import Role
from portal.accounts.services import staff_reviewer_set, user_create
from tests.factories import PASSWORD, create_registration, sign_in, store_stand_in_portrait
from verification.errors import VerificationCode, VerificationError
from verification.models import Challenge, Consent
from verification.services import review_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(users, cmcc, outlet_gd):
    """Outlet staff at the same outlet, appointed reviewer by the carrier admin."""
    member = user_create(
        username="staff_gd_2", password=PASSWORD, role=Role.OUTLET_STAFF, operator=cmcc,
        outlets=[outlet_gd],
    )  # fmt: skip
    staff_reviewer_set(actor=users["carrier_admin"], user=member, reviewer=True)
    return member


@pytest.fixture
def in_review(users, outlet_gd):
    return create_registration(actor=users["staff"], outlet=outlet_gd, status="review")


def consent_by(registration, user):
    Consent.objects.create(registration=registration, text_version="2026-12", recorded_by=user)


def portrait_by(registration, user):
    evidence = store_stand_in_portrait(registration)
    evidence.created_by = user
    evidence.save(update_fields=["created_by"])


def challenge_to(registration, user):
    now = timezone.now()
    Challenge.objects.create(
        nonce="n" * 43, registration=registration, actions=["blink", "turn_left"],
        issued_to=user, issued_at=now, expires_at=now + timedelta(minutes=2),
    )  # fmt: skip


PARTS = {
    "recorded the consent": (consent_by, "consent: another reviewer must decide it"),
    "uploaded the portrait": (portrait_by, "You uploaded evidence of this registration"),
    "was issued a challenge": (challenge_to, "You made a live capture of this registration"),
}


@pytest.mark.parametrize("part", PARTS)
def test_a_reviewer_who_took_part_cannot_decide_and_the_page_says_why(
    client, colleague, in_review, part
):
    took_part, why = PARTS[part]
    took_part(in_review, colleague)
    with pytest.raises(VerificationError) as refused:
        review_decide(registration=in_review, reviewer=colleague, approve=True, note="Looks fine")
    assert refused.value.reasons == [VerificationCode.REVIEWER_TOOK_PART]
    in_review.refresh_from_db()
    assert in_review.status == "review"

    sign_in(client, colleague)
    page = client.get(f"/review/{in_review.pk}/")
    assert page.status_code == 200
    assert why in page.content.decode()
    posted = client.post(f"/review/{in_review.pk}/", {"decision": "approve", "note": "Fine"})
    assert posted.status_code == 400
    in_review.refresh_from_db()
    assert in_review.status == "review"


def test_a_reviewer_who_took_no_part_decides(client, colleague, in_review):
    sign_in(client, colleague)
    page = client.get(f"/review/{in_review.pk}/")
    assert "another reviewer must decide it" not in page.content.decode()
    posted = client.post(f"/review/{in_review.pk}/", {"decision": "approve", "note": "Seen"})
    assert posted.status_code == 302
    in_review.refresh_from_db()
    assert (in_review.status, in_review.decided_by) == ("approved", colleague)
