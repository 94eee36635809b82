"""The subscriber's biometric consent, recorded before any face is captured."""

from django.db import transaction

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration
from verification.errors import VerificationCode, VerificationError
from verification.models import Consent
from verification.selectors import is_draft, outlet_suspended


@transaction.atomic
def consent_record(*, registration: Registration, actor, text_version: str) -> Consent:
    if not is_draft(registration):
        raise VerificationError(VerificationCode.NOT_DRAFT, status=409)
    if outlet_suspended(registration):
        raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
    consent, created = Consent.objects.get_or_create(
        registration=registration,
        defaults={"text_version": text_version, "recorded_by": actor},
    )
    if created:
        audit_record(
            action=Action.CONSENT_RECORDED,
            actor=actor,
            obj=registration,
            changes={"consent_text_version": (None, text_version)},
        )
    return consent
