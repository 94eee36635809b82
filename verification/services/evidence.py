"""Biometric evidence: stored encrypted, and every look at it written to the audit trail."""

import hashlib
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations.models import Registration
from verification import engine_runner
from verification.engine.media import IMAGE_KINDS, sniff
from verification.errors import VerificationCode, VerificationError, portrait_message_for
from verification.models import BiometricEvidence, EvidenceKey, ViewingGrant
from verification.selectors import is_draft, outlet_suspended
from verification.storage import SealedContent, data_key_new, data_key_unwrap

CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "mov": "video/quicktime",
}

# A reason has to say something: "x", "ok" or five zero-width spaces is not a reason anybody
# can check later. Counted in visible characters (see _visible), a Chinese character as two:
# one says about as much as a short English word ("人工审核此案件" is a reason; "查看" is not).
REASON_MIN_LENGTH = 10
REASON_MAX_LENGTH = 200
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc"})
# A grant ended early still expires after it was issued (a check constraint).
ENDED_AFTER = timedelta(microseconds=1)


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
    sealed = SealedContent.seal(data, data_key_for(registration))
    evidence.file.save("evidence", sealed, save=False)
    evidence.save()
    return evidence


def data_key_for(registration) -> bytes:
    """The registration's data key, made on its first file (and made anew if an earlier one
    was destroyed with the files it opened). Locked: two first files share one key."""
    key, wrapped = data_key_new()
    found, created = EvidenceKey.objects.select_for_update().get_or_create(
        registration_id=registration.pk, defaults={"wrapped": wrapped}
    )
    if created:
        return key
    if found.wrapped is None:
        found.wrapped, found.destroyed_at, found.created_at = wrapped, None, timezone.now()
        found.save(update_fields=["wrapped", "destroyed_at", "created_at"])
        return key
    return data_key_unwrap(found.wrapped)


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


def _readable(text: str) -> str:
    """``text`` as a reader sees it: each run of spaces or line breaks one space, and no
    zero-width, direction or other format or control character (Unicode Cf, Cc)."""
    kept = (
        " " if char.isspace() or unicodedata.category(char)[0] == "Z" else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in INVISIBLE_CATEGORIES
    )
    return " ".join("".join(kept).split())


def evidence_reason_clean(reason: str | None) -> str:
    """The stated reason for viewing evidence, or a VerificationError saying what is wanted.

    Recorded as a reader sees it (``_readable``), and it must hold at least
    ``REASON_MIN_LENGTH`` visible characters: five zero-width spaces say nothing.
    """
    reason = reason or ""
    if "\x00" in reason:  # no database column takes it (PostgreSQL refuses the whole write)
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _("The reason contains a character that cannot be recorded: type it again."),
            field="reason",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH},
            field="reason",
        )
    reason = _readable(reason)
    if _weighed_length(reason) < REASON_MIN_LENGTH:
        raise VerificationError(
            VerificationCode.VIEWING_REASON_REQUIRED,
            _(
                "Say in words why you are viewing this evidence: at least %(count)d "
                "characters, not counting spaces."
            )
            % {"count": REASON_MIN_LENGTH},
            field="reason",
        )
    return reason


def _end(grant: ViewingGrant, now) -> None:
    # The row must still expire after it was issued (a check constraint says so).
    grant.expires_at = max(now, grant.issued_at + ENDED_AFTER)
    grant.save(update_fields=["expires_at"])


@transaction.atomic
def viewing_grant_open(*, registration: Registration, viewer, reason: str) -> ViewingGrant:
    """Leave for ``viewer`` to see the evidence of ``registration`` for a short while.

    One audit event, with the reason, covers every file the grant then serves. A viewer
    holds one live grant per registration: a new reason ends the one before.
    """
    reason = evidence_reason_clean(reason)
    now = timezone.now()
    for earlier in ViewingGrant.objects.filter(
        registration=registration, user=viewer, expires_at__gt=now
    ):
        _end(earlier, now)
    grant = ViewingGrant(
        registration=registration,
        user=viewer,
        reason=reason,
        issued_at=now,
        expires_at=now + timedelta(seconds=settings.VERIFICATION_VIEWING_GRANT_S),
    )
    # The audit event first, the row after: like every change, the grant takes the audit
    # trail's lock before any write that others count (the supervision rollups listen to it).
    audit_record(
        action=Action.VIEWING_GRANT_OPENED,
        actor=viewer,
        obj=registration,
        changes={
            "grant": (None, str(grant.pk)),
            "expires_at": (None, grant.expires_at.isoformat(timespec="seconds")),
        },
        reason=reason,
    )
    grant.save(force_insert=True)
    return grant


def review_purpose() -> str:
    """The one purpose an assigned reviewer views a case's evidence for. Recorded in the
    site's language, like the audit trail it goes to, whatever the reviewer's own."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Manual review of this case")


def _weighed_length(reason: str) -> int:
    """Visible characters but spaces, each CJK ideograph counted twice."""
    return sum(2 if "\u3400" <= char <= "\u9fff" else 1 for char in reason if char != " ")


@transaction.atomic
def viewing_grant_for_review(*, registration: Registration, reviewer) -> ViewingGrant | None:
    """Open the assigned reviewer's leave to see the case, its purpose stated for them, the
    first time they open it: one audit event for the case. A reviewer who has had leave
    before (ended, or run out) asks again with one click, so that a page reload or a return
    to the case never records a viewing nobody asked for. None when nothing was opened."""
    # Two tabs opening the case at once record one viewing: the second waits, then sees it.
    Registration.objects.select_for_update().filter(pk=registration.pk).first()
    if ViewingGrant.objects.filter(registration=registration, user=reviewer).exists():
        return None
    return viewing_grant_open(registration=registration, viewer=reviewer, reason=review_purpose())


@transaction.atomic
def viewing_grant_end(*, grant: ViewingGrant) -> ViewingGrant:
    """End a grant before its time (the viewer is done): its links stop serving at once."""
    now = timezone.now()
    if not grant.expired(now):
        _end(grant, now)
    return grant
