"""Manual review: a person decides what verification could not, never a case of their own."""

from django.db import transaction

from registrations import services as registration_services
from registrations.models import Registration
from verification.errors import VerificationCode, VerificationError
from verification.selectors import part_taken


@transaction.atomic
def review_decide(*, registration: Registration, reviewer, approve: bool, note: str):
    """Approve or reject a registration in review, unless the reviewer took part in it (the
    lifecycle service itself refuses the one who created it)."""
    conflict = part_taken(user=reviewer, registration=registration)
    if conflict:
        raise VerificationError(VerificationCode.REVIEWER_TOOK_PART, conflict)
    return registration_services.registration_review(
        registration=registration, reviewer=reviewer, approve=approve, note=note
    )
