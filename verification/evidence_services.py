"""Looking at biometric evidence: every look is a write to the audit trail."""

from django.db import transaction

from portal.audit.actions import Action
from portal.audit.services import audit_record
from verification.models import BiometricEvidence

# A reason has to say something: "x" or "ok" is not a reason anybody can check later.
REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 200


class ReasonRequired(ValueError):
    pass


def evidence_reason_clean(reason: str | None) -> str:
    """The stated reason for viewing evidence, or ReasonRequired."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ReasonRequired(
            f"State why you are viewing this evidence (at least {REASON_MIN_LENGTH} characters)."
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ReasonRequired(f"Keep the reason under {REASON_MAX_LENGTH} characters.")
    return reason


@transaction.atomic
def evidence_view(*, evidence: BiometricEvidence, viewer, reason: str) -> bytes:
    """The decrypted bytes of one piece of evidence, with the viewer's reason on record.

    Read and event share one transaction: if the file cannot be read the event rolls back,
    and no bytes leave without their event.
    """
    reason = evidence_reason_clean(reason)
    data = evidence.file.storage.read(evidence.file.name)
    audit_record(
        action=Action.EVIDENCE_VIEWED,
        actor=viewer,
        obj=evidence.registration,
        changes={"evidence": (None, str(evidence.pk)), "kind": (None, evidence.kind)},
        reason=reason,
    )
    return data
