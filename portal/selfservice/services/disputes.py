"""A subscriber's "this number is not mine": opened from /me/, decided by the operator's
carrier admins (upheld: the registration is cancelled and its number freed; or answered with
an explanation the subscriber reads), within ``SELFSERVICE_DISPUTE_DAYS``."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.selfservice.errors import SelfServiceCode as Code
from portal.selfservice.errors import SelfServiceError
from portal.selfservice.models import Dispute
from registrations import rules
from registrations.models import Registration, Subscriber
from registrations.services import registration_cancel

ANSWER_MIN_LENGTH = 20


@transaction.atomic
def dispute_open(
    *, subscriber: Subscriber, registration: Registration, reason: str, detail: str, contact: str
) -> Dispute:
    """Open a dispute on an approved registration under the subscriber's own ID."""
    if registration.subscriber_id != subscriber.pk:
        raise SelfServiceError(Code.NOT_DISPUTABLE, status=404)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.APPROVED:
        raise SelfServiceError(Code.NOT_DISPUTABLE, status=409)
    contact = rules.normalize_msisdn(contact)  # a RegistrationError names the field
    now = timezone.now()
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                registration=registration,
                subscriber=subscriber,
                reason=reason,
                detail=detail.strip(),
                contact_msisdn=contact,
                opened_at=now,
                due_at=now + timedelta(days=settings.SELFSERVICE_DISPUTE_DAYS),
            )
    except IntegrityError:
        raise SelfServiceError(Code.DISPUTE_OPEN, status=409) from None
    audit_record(
        action=Action.DISPUTE_OPENED,
        obj=registration,
        province_code=registration.province_id or "",
        changes={"dispute": (None, str(dispute.pk)), "reason": (None, reason)},
    )
    return dispute


def _locked_open(dispute: Dispute) -> Dispute:
    dispute = Dispute.objects.select_for_update().select_related("registration").get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise SelfServiceError(Code.DISPUTE_CLOSED, status=409)
    return dispute


def _closed(dispute: Dispute, *, actor, status: str, answer: str) -> Dispute:
    dispute.status, dispute.answer = status, answer
    dispute.closed_at, dispute.closed_by = timezone.now(), actor
    dispute.save(update_fields=["status", "answer", "closed_at", "closed_by"])
    return dispute


@transaction.atomic
def dispute_uphold(*, dispute: Dispute, actor, note: str = "") -> Dispute:
    """The person is right: the registration is cancelled (its number is free) and the
    dispute closed, both audited."""
    dispute = _locked_open(dispute)
    registration_cancel(
        registration=dispute.registration,
        actor=actor,
        reason=Registration.CancellationReason.NOT_THE_SUBSCRIBER,
        note=note,
    )
    dispute = _closed(dispute, actor=actor, status=Dispute.Status.UPHELD, answer=note.strip())
    audit_record(
        action=Action.DISPUTE_UPHELD,
        actor=actor,
        obj=dispute.registration,
        changes={"dispute": (Dispute.Status.OPEN, Dispute.Status.UPHELD)},
    )
    return dispute


@transaction.atomic
def dispute_answer(*, dispute: Dispute, actor, answer: str) -> Dispute:
    """The operator explains why the registration stands; the subscriber reads it."""
    answer = answer.strip()
    if len(answer) < ANSWER_MIN_LENGTH:
        raise SelfServiceError(Code.ANSWER_REQUIRED, field="answer")
    dispute = _locked_open(dispute)
    dispute = _closed(dispute, actor=actor, status=Dispute.Status.ANSWERED, answer=answer)
    audit_record(
        action=Action.DISPUTE_ANSWERED,
        actor=actor,
        obj=dispute.registration,
        changes={"dispute": (Dispute.Status.OPEN, Dispute.Status.ANSWERED)},
    )
    return dispute
