"""The index behind "who looked at my data": one row per look by someone else at a person's
registration page or biometric evidence, written from the audit event as it is recorded, in
its transaction (so the index and the trail never disagree)."""

import hashlib
import hmac

from django.conf import settings

from portal.accounts.models import User
from portal.accounts.roles import Role
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.selfservice.models import SubjectAccess
from portal.selfservice.services.notices import notify_evidence_viewed
from registrations.models import Registration

KIND_OF_ACTION = {
    Action.REGISTRATION_VIEWED.value: SubjectAccess.Kind.REGISTRATION,
    Action.VIEWING_GRANT_OPENED.value: SubjectAccess.Kind.EVIDENCE,
    Action.EVIDENCE_DOWNLOADED.value: SubjectAccess.Kind.EVIDENCE,
}
MINISTRY_ROLES = {Role.MINISTRY_ADMIN.value, Role.MINISTRY_INSPECTOR.value}


def staff_pseudonym(actor_id: str) -> str:
    """A stable pseudonym for a member of staff: the same person always reads the same,
    and it names nobody to the subscriber (an inspector can resolve it from the trail)."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"staff pseudonym|{actor_id}".encode(), hashlib.sha256
    ).hexdigest()
    return digest[:8].upper()


def subject_access_index(*, event: AuditEvent) -> SubjectAccess | None:
    """The index row of ``event`` when it is a look at a registration, else None."""
    kind = KIND_OF_ACTION.get(event.action)
    if kind is None or event.object_type != "registration" or event.actor_type == "system":
        return None
    registration = Registration.objects.filter(pk=event.object_id).values("subscriber_id").first()
    if registration is None:
        return None
    return SubjectAccess.objects.create(
        subscriber_id=registration["subscriber_id"],
        registration_id=event.object_id,
        audit_sequence=event.sequence,
        occurred_at=event.occurred_at,
        kind=kind,
        organisation=_organisation(event),
        role=event.actor_role,
        pseudonym=staff_pseudonym(event.actor_id or event.actor_label),
        purpose=event.reason,
    )


def _organisation(event: AuditEvent) -> str:
    if event.actor_role in MINISTRY_ROLES:
        return ""  # the page names the ministry, in the reader's language
    operator = (
        User.objects.filter(pk=event.actor_id).values_list("operator__name", flat=True).first()
        if event.actor_id.isdigit()
        else None
    )
    return operator or ""


def on_event_recorded(sender, event: AuditEvent, **kwargs) -> None:
    look = subject_access_index(event=event)
    if look is not None and look.kind == SubjectAccess.Kind.EVIDENCE:
        notify_evidence_viewed(registration=look.registration, at=look.occurred_at)
