"""What a signed-in subscriber does, audited like every look at personal data."""

from django.db import transaction

from portal.audit.actions import Action
from portal.audit.services import audit_record


@transaction.atomic
def subscriber_numbers_viewed(*, subscriber_id: int) -> None:
    audit_record(
        action=Action.SUBSCRIBER_NUMBERS_VIEWED,
        object_type="subscriber",
        object_id=str(subscriber_id),
    )


@transaction.atomic
def subscriber_signed_out(*, subscriber_id: int) -> None:
    audit_record(
        action=Action.SUBSCRIBER_SIGNED_OUT, object_type="subscriber", object_id=str(subscriber_id)
    )
