"""Biometric evidence: stored encrypted, and every look at it written to the audit trail."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration
from verification import engine_runner
from verification.engine.media import IMAGE_KINDS, sniff
from verification.errors import VerificationCode, VerificationError, portrait_message_for
from verification.models import BiometricEvidence
from verification.selectors import is_draft, outlet_suspended

CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}

# A reason has to say something: "x" or "ok" is not a reason anybody can check later.
REASON_MIN_LENGTH = 5
REASON_MAX_LENGTH = 200


def evidence_store(
    *, registration, kind, data: bytes, media_kind: str, actor=None, job=None, frame_index=None
) -> BiometricEvidence:
    evidence = BiometricEvidence(
        registration=registration,
        job=job,
        kind=kind,
        content_type=CONTENT_TYPES[media_kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        frame_index=frame_index,
        created_by=actor,
    )
    evidence.file.save("evidence", ContentFile(data), save=False)
    evidence.save()
    return evidence


def _check_portrait(data: bytes) -> str:
    """The media kind of an acceptable portrait, or a VerificationError saying what is wrong.

    The engine decodes it (with its caps) and looks for exactly one usable face, so a bad
    photo is refused here, while the person is still at the counter.
    """
    if not data:
        raise VerificationError(VerificationCode.EMPTY_FILE, field="portrait")
    if len(data) > settings.VERIFICATION_MAX_PORTRAIT_BYTES:
        raise VerificationError(VerificationCode.FILE_TOO_LARGE, field="portrait", status=413)
    kind = sniff(data[:32])
    if kind not in IMAGE_KINDS:
        raise VerificationError(VerificationCode.NOT_AN_IMAGE, field="portrait")
    problems = engine_runner.portrait_problems(data)
    if problems:
        raise VerificationError(problems[0], portrait_message_for(problems[0]), field="portrait")
    return kind


def portrait_store(*, registration: Registration, actor, data: bytes) -> BiometricEvidence:
    kind = _check_portrait(data)  # slow (face detection): outside the transaction
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not is_draft(registration):
            raise VerificationError(VerificationCode.NOT_DRAFT, status=409)
        if outlet_suspended(registration):
            raise VerificationError(VerificationCode.OUTLET_SUSPENDED, status=409)
        evidence = evidence_store(
            registration=registration,
            kind=BiometricEvidence.Kind.PORTRAIT,
            data=data,
            media_kind=kind,
            actor=actor,
        )
        audit_record(
            action=Action.EVIDENCE_STORED,
            actor=actor,
            obj=registration,
            changes={"evidence": (None, f"portrait {evidence.pk}")},
        )
    return evidence


def evidence_reason_clean(reason: str | None) -> str:
    """The stated reason for viewing evidence, or a VerificationError saying what is wanted."""
    reason = (reason or "").strip()
    if "\x00" in reason:  # no database column takes it (PostgreSQL refuses the whole write)
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _("The reason contains a character that cannot be recorded: type it again."),
            field="reason",
        )
    if len(reason) < REASON_MIN_LENGTH:
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _("State why you are viewing this evidence (at least %(count)d characters).")
            % {"count": REASON_MIN_LENGTH},
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH},
            field="reason",
        )
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
