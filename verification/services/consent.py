"""The subscriber's biometric consent, recorded before any face is captured."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration
from verification.consent_notice import CHINESE, NOTICES
from verification.errors import VerificationCode, VerificationError
from verification.models import Consent
from verification.selectors import is_draft, outlet_suspended

# How far a partner's clock may be ahead of (or behind) the portal's.
CLOCK_SKEW = timedelta(minutes=5)


def _check_consent(registration, *, text_version: str, language: str, collected_at, now):
    """Consent to the text in force, in a language it is published in, given while this
    registration was being made: a time before it was started (or in the future) is a
    mistake or a consent reused from elsewhere. Returns the notice agreed to."""
    if text_version != settings.BIOMETRIC_CONSENT_VERSION:
        raise VerificationError(VerificationCode.CONSENT_TEXT_UNKNOWN, field="text_version")
    notice = NOTICES.get((text_version, language))
    if notice is None:
        raise VerificationError(
            VerificationCode.CONSENT_TEXT_UNKNOWN,
            _("This version of the consent notice is not published in that language."),
            field="language",
        )
    if collected_at is None:
        return notice
    if not registration.created_at - CLOCK_SKEW <= collected_at <= now + CLOCK_SKEW:
        raise VerificationError(VerificationCode.CONSENT_TIME_IMPOSSIBLE, field="collected_at")
    return notice


@transaction.atomic
def consent_record(
    *,
    registration: Registration,
    actor,
    text_version: str,
    language: str = CHINESE,
    method: str = Consent.Method.OUTLET_STAFF,
    collected_at: datetime | None = None,
) -> Consent:
    """Record the consent once; a second call returns the first record unchanged.

    At an outlet the staff member records it as the subscriber agrees (``collected_at`` is
    now), in the language the page showed the notice in; a partner's app says how
    (``method``), when and in which language it collected it.
    """
    if not is_draft(registration):
        raise VerificationError(VerificationCode.NOT_DRAFT, status=409)
    if outlet_suspended(registration):
        raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
    now = timezone.now()
    notice = _check_consent(
        registration,
        text_version=text_version,
        language=language,
        collected_at=collected_at,
        now=now,
    )
    consent, created = Consent.objects.get_or_create(
        registration=registration,
        defaults={
            "text_version": text_version,
            "language": notice.language,
            "text_digest": notice.digest,
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
                "consent_language": (None, notice.language),
                "consent_text_digest": (None, notice.digest),
                "consent_method": (None, method),
            },
        )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent) -> Consent:
    """The person withdraws their consent: what the law does not require (the capture video
    and the key frames) is due at once; the registration and its record stay, as the
    real-name rules require. Withdrawing twice changes nothing."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(
        action=Action.CONSENT_WITHDRAWN,
        obj=consent.registration,
        changes={
            "consent_withdrawn_at": (None, consent.withdrawn_at.isoformat(timespec="seconds"))
        },
    )
    return consent
