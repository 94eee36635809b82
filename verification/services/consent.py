"""The subscriber's biometric consent, recorded before any face is captured."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration
from verification.errors import VerificationCode, VerificationError
from verification.models import Consent
from verification.selectors import is_draft, outlet_suspended

# How far a partner's clock may be ahead of (or behind) the portal's.
CLOCK_SKEW = timedelta(minutes=5)


def _check_consent(registration, *, text_version: str, collected_at, now) -> None:
    """Consent to the text in force, given while this registration was being made: a time
    before it was started (or in the future) is a mistake or a consent reused from elsewhere."""
    if text_version != settings.BIOMETRIC_CONSENT_VERSION:
        raise VerificationError(VerificationCode.CONSENT_TEXT_UNKNOWN, field="text_version")
    if collected_at is None:
        return
    if not registration.created_at - CLOCK_SKEW <= collected_at <= now + CLOCK_SKEW:
        raise VerificationError(VerificationCode.CONSENT_TIME_IMPOSSIBLE, field="collected_at")


@transaction.atomic
def consent_record(
    *,
    registration: Registration,
    actor,
    text_version: str,
    method: str = Consent.Method.OUTLET_STAFF,
    collected_at: datetime | None = None,
) -> Consent:
    """Record the consent once; a second call returns the first record unchanged.

    At an outlet the staff member records it as the subscriber agrees (``collected_at`` is
    now); a partner's app says how (``method``) and when it collected it.
    """
    if not is_draft(registration):
        raise VerificationError(VerificationCode.NOT_DRAFT, status=409)
    if outlet_suspended(registration):
        raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
    now = timezone.now()
    _check_consent(registration, text_version=text_version, collected_at=collected_at, now=now)
    consent, created = Consent.objects.get_or_create(
        registration=registration,
        defaults={
            "text_version": text_version,
            "method": method,
            "collected_at": collected_at or now,
            "recorded_by": actor,
            "recorded_at": now,
        },
    )
    if created:
        audit_record(
            action=Action.CONSENT_RECORDED,
            actor=actor,
            obj=registration,
            changes={
                "consent_text_version": (None, text_version),
                "consent_method": (None, method),
            },
        )
    return consent
