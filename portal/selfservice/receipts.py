"""The biometric consent of a registration as a receipt the person keeps: the fields of the
Kantara Initiative's Consent Receipt Specification (v1.1), as JSON and as a page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from registrations.models import Registration
from verification.consent_notice import consent_notice
from verification.models import Consent
from verification.retention import retention_of

RECEIPT_VERSION = "KI-CR-v1.1.0"
JURISDICTION = "CN"  # PIPL, and the real-name registration rules of the ministry
_RECEIPT_NAMESPACE = uuid.UUID("7d1f3c2e-5b7a-4e8f-9a61-0c2d4b6e8f10")

PURPOSES = (
    {
        "purpose": "Check that the person registering a mobile number is the person on the ID",
        "purposeCategory": ["Identity verification required by law"],
        "consentType": "EXPLICIT",
        "piiCategory": ["Face images (biometric)", "ID portrait", "ID document details"],
        "primaryPurpose": True,
        "thirdPartyDisclosure": False,
    },
)


def receipt_id(consent: Consent) -> str:
    """Stable for the consent: the same receipt each time it is asked for."""
    return str(uuid.uuid5(_RECEIPT_NAMESPACE, str(consent.pk)))


def consent_receipt(*, registration: Registration, consent: Consent) -> dict:
    notice = consent_notice(consent.text_version, consent.language or None)
    retention = [
        {
            "dataClass": data_class.code,
            "keptUntil": until.isoformat(timespec="seconds") if until else None,
            "keptFor": f"{data_class.days} days after "
            + ("the decision" if data_class.after == "decision" else "the number's end"),
            "onConsentOnly": data_class.by_consent,
        }
        for data_class, until in retention_of(registration, withdrawn_at=consent.withdrawn_at)
    ]
    return {
        "version": RECEIPT_VERSION,
        "jurisdiction": JURISDICTION,
        "consentTimestamp": int(consent.collected_at.timestamp()),
        "collectionMethod": consent.method,
        "consentReceiptID": receipt_id(consent),
        "language": consent.language or "zh-hans",
        "piiPrincipalId": registration.subscriber.masked_id_number,
        "piiControllers": [
            {
                "piiController": registration.operator.name,
                "onBehalf": False,
                "contact": registration.operator.name,
                "url": settings.PORTAL_PUBLIC_URL + "/me/",
            }
        ],
        "policyUrl": settings.PORTAL_PUBLIC_URL + "/me/",
        "services": [
            {"service": "Real-name registration of a mobile number", "purposes": PURPOSES}
        ],
        "sensitive": True,
        "spiCat": ["Biometric data (face)"],
        "notice": {
            "version": consent.text_version,
            "language": consent.language,
            "sha256": consent.text_digest,
            "title": notice.title if notice else "",
        },
        "retention": retention,
        "withdrawn": consent.withdrawn_at.isoformat(timespec="seconds")
        if consent.withdrawn_at
        else None,
        "issued": timezone.now().isoformat(timespec="seconds"),
    }
