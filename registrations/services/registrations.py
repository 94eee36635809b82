"""Every write to a registration: its creation and each step of its lifecycle.

The steps are the rows of ``registrations.lifecycle``: each function applies one (or refuses
with ``invalid_transition``), in one transaction with the registration row locked, and
writes the step's audit event in that transaction.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.lib.errors import raise_if_any
from registrations import lifecycle, rules
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError
from registrations.lifecycle import Step
from registrations.models import Operator, Outlet, Province, Registration, Subscriber
from registrations.services.policy import registration_cap
from registrations.services.subscribers import (
    SubscriberDetails,
    subscriber_for,
    validated_subscriber,
)
from registrations.signals import RegistrationEvent, registration_changed, registration_event


def refused_step(registration: Registration, action: Step) -> RegistrationError:
    return RegistrationError(
        Code.INVALID_TRANSITION,
        _("A registration that is %(status)s cannot be %(step)s.")
        % {"status": registration.get_status_display().lower(), "step": action.label},
        status=409,
    )


def _holding_count(*, subscriber: Subscriber, operator: Operator) -> int:
    return Registration.objects.filter(
        subscriber=subscriber, operator=operator, status__in=Registration.HOLDING_STATUSES
    ).count()


def _msisdn_held(msisdn: str, *, excluding: Registration | None = None) -> bool:
    held = Registration.objects.filter(msisdn=msisdn, status__in=Registration.HOLDING_STATUSES)
    if excluding is not None:
        held = held.exclude(pk=excluding.pk)
    return held.exists()


def _msisdn_in_use() -> RegistrationError:
    return RegistrationError(Code.MSISDN_IN_USE, field="msisdn")


def number_and_sim_checked(
    msisdn: str, iccid: str, violations: list[RegistrationError]
) -> tuple[str | None, str | None]:
    """The normalized mobile number and ICCID, None where malformed; the number must not be
    held by another registration. Problems are added to ``violations``, so that the form
    shows them all at once."""
    try:
        msisdn = rules.normalize_msisdn(msisdn)
    except RegistrationError as violation:
        violations.append(violation)
        msisdn = None
    try:
        iccid = rules.validate_iccid(iccid)
    except RegistrationError as violation:
        violations.append(violation)
        iccid = None
    if msisdn and _msisdn_held(msisdn):
        violations.append(_msisdn_in_use())
    return msisdn, iccid


def _province_for(*, outlet: Outlet | None, id_type: str, id_number: str, province) -> Province:
    if outlet is not None:
        return outlet.province
    if province is not None:
        return province
    if id_type == Subscriber.IdType.RESIDENT_ID:
        found = Province.objects.filter(code=rules.province_code_from_resident_id(id_number))
        if found.exists():
            return found.get()
    raise RegistrationError(Code.PROVINCE_UNKNOWN, field="province")


@transaction.atomic
def registration_create(
    *,
    actor,
    subscriber: SubscriberDetails,
    operator: Operator,
    msisdn: str,
    iccid: str,
    outlet: Outlet | None = None,
    province: Province | None = None,
    today: date | None = None,
) -> Registration:
    """Save a draft registration after checking every rule that can be checked now.

    The number and the cap are checked again, under a lock, on submission.
    """
    today = today or timezone.localdate()
    id_number, violations = validated_subscriber(subscriber, today=today)
    msisdn, iccid = number_and_sim_checked(msisdn, iccid, violations)
    if outlet is not None and (outlet.operator_id != operator.pk or not outlet.is_active):
        violations.append(RegistrationError(Code.OUTLET_UNAVAILABLE, field="outlet"))
    raise_if_any(violations, RegistrationError)

    record = subscriber_for(subscriber, id_number)
    # Tell the outlet now rather than at submission; the submission decides under a lock.
    rules.check_cap(
        holding_count=_holding_count(subscriber=record, operator=operator), cap=registration_cap()
    )
    registration = Registration.objects.create(
        subscriber=record,
        operator=operator,
        outlet=outlet,
        channel=Registration.Channel.OUTLET if outlet else Registration.Channel.ONLINE,
        province=_province_for(
            outlet=outlet, id_type=record.id_type, id_number=record.id_number, province=province
        ),
        msisdn=msisdn,
        iccid=iccid,
        created_by=actor,
    )
    audit_record(
        action=Action.REGISTRATION_CREATED,
        actor=actor,
        obj=registration,
        changes={
            "status": (None, registration.status),
            "channel": (None, registration.channel),
            "outlet": (None, registration.outlet_id),
            "msisdn": (None, registration.msisdn),
            "iccid": (None, registration.iccid),
            "id_number": (None, record.id_number),
            "full_name": (None, record.full_name),
        },
    )
    registration_changed.send(
        sender=Registration, registration=registration, before=None, after=registration.status
    )
    return registration


@transaction.atomic
def registration_viewed(*, registration: Registration, actor) -> None:
    """Someone opened the registration's page: the person it is about may ask who did."""
    audit_record(action=Action.REGISTRATION_VIEWED, actor=actor, obj=registration)


def _locked(registration: Registration) -> Registration:
    """The registration's row until the transaction ends; NO KEY UPDATE, so rows that point
    at it (evidence, jobs, events) may still commit meanwhile."""
    return Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)


def _step(
    registration: Registration,
    action: Step,
    *,
    actor,
    fields: tuple[str, ...] = (),
    reason: str = "",
    changes: dict | None = None,
) -> None:
    """Apply one row of the lifecycle to a locked registration (saving ``fields`` with its
    status) and record it, or refuse."""
    row = lifecycle.transition(registration.status, action)
    if row is None:
        raise refused_step(registration, action)
    before = registration.status
    registration.status = row.next_state
    registration.save(update_fields=["status", *fields, "updated_at"])
    audit_record(
        action=_AUDITED_AS[action],
        actor=actor,
        obj=registration,
        changes={"status": (before, registration.status), **(changes or {})},
        reason=reason,
    )
    registration_changed.send(
        sender=Registration, registration=registration, before=before, after=registration.status
    )


def _tell(event: RegistrationEvent, registration: Registration) -> None:
    # Inside the step's transaction: what listeners write rolls back with the step.
    registration_event.send(
        sender=Registration,
        event=event,
        registration=registration,
        reasons=list(registration.decision_reasons),
    )


def _require(registration: Registration, action: Step) -> None:
    if not lifecycle.is_open_for(registration, action):
        raise refused_step(registration, action)


# The audit action each lifecycle step is recorded as.
_AUDITED_AS = {
    Step.SUBMIT: Action.REGISTRATION_SUBMITTED,
    Step.START_VERIFICATION: Action.REGISTRATION_VERIFYING,
    Step.APPROVE: Action.REGISTRATION_DECIDED,
    Step.REJECT: Action.REGISTRATION_DECIDED,
    Step.SEND_TO_REVIEW: Action.REGISTRATION_DECIDED,
    Step.REVIEW_APPROVE: Action.REGISTRATION_REVIEWED,
    Step.REVIEW_REJECT: Action.REGISTRATION_REVIEWED,
    Step.CANCEL: Action.REGISTRATION_CANCELLED,
    Step.DISCARD: Action.REGISTRATION_DISCARDED,
}


@transaction.atomic
def registration_submit(
    *, registration: Registration, actor, today: date | None = None, with_capture: bool = False
):
    """draft -> submitted, holding the number and a slot of the cap.

    An outlet registration is submitted only by its live capture (``with_capture``, from the
    verification flow, which has checked the portrait, the consent and the capture), and
    never at an outlet suspended since. Locking the subscriber row first serializes every
    submission for one ID, so two simultaneous submissions for the last slot cannot both win.
    """
    today = today or timezone.localdate()
    subscriber = Subscriber.objects.select_for_update().get(pk=registration.subscriber_id)
    registration = _locked(registration)
    _require(registration, Step.SUBMIT)
    if registration.channel == Registration.Channel.OUTLET:
        if not with_capture:
            raise RegistrationError(Code.CAPTURE_REQUIRED, status=409)
        if not registration.outlet.is_active:
            raise RegistrationError(Code.OUTLET_UNAVAILABLE, field="outlet", status=409)

    violations = []
    try:
        rules.validate_id_not_expired(subscriber.id_expiry, today=today)
    except RegistrationError as violation:
        violations.append(violation)
    if _msisdn_held(registration.msisdn, excluding=registration):
        violations.append(_msisdn_in_use())
    try:
        rules.check_cap(
            holding_count=_holding_count(subscriber=subscriber, operator=registration.operator),
            cap=registration_cap(),
        )
    except RegistrationError as violation:
        violations.append(violation)
    raise_if_any(violations, RegistrationError)

    registration.submitted_at = timezone.now()
    try:
        # The partial unique index is the last word on the number, even against a
        # concurrent submission for another ID that the subscriber lock does not cover.
        with transaction.atomic():
            _step(registration, Step.SUBMIT, actor=actor, fields=("submitted_at",))
    except IntegrityError:
        raise _msisdn_in_use() from None
    return registration


@transaction.atomic
def registration_start_verification(*, registration: Registration) -> Registration:
    """submitted -> verifying, when a verification worker takes the registration."""
    registration = _locked(registration)
    _step(registration, Step.START_VERIFICATION, actor=None)
    return registration


@transaction.atomic
def registration_decide(
    *, registration: Registration, decision: str, reasons: list[str]
) -> Registration:
    """verifying -> approved | rejected | review, from the verification result."""
    if decision not in lifecycle.DECISION_STEPS:
        raise ValueError(f"Unknown decision {decision!r}")
    registration = _locked(registration)
    _require(registration, lifecycle.DECISION_STEPS[decision])
    registration.decision_reasons = list(reasons)
    registration.decided_at = timezone.now()
    _step(
        registration,
        lifecycle.DECISION_STEPS[decision],
        actor=None,
        fields=("decision_reasons", "decided_at"),
        changes={"decision_reasons": ([], list(reasons))},
    )
    _tell(RegistrationEvent.DECIDED, registration)
    return registration


@transaction.atomic
def registration_review(
    *, registration: Registration, reviewer, approve: bool, note: str
) -> Registration:
    """review -> approved | rejected by a carrier reviewer, with a written reason."""
    action = Step.REVIEW_APPROVE if approve else Step.REVIEW_REJECT
    registration = _locked(registration)
    _require(registration, action)
    violations = []
    if not note.strip():
        violations.append(RegistrationError(Code.REASON_REQUIRED, field="note"))
    if registration.created_by_id == reviewer.pk:
        violations.append(RegistrationError(Code.OWN_REGISTRATION))
    raise_if_any(violations, RegistrationError)
    registration.decided_by = reviewer
    registration.decision_note = note.strip()
    registration.decided_at = timezone.now()
    _step(
        registration,
        action,
        actor=reviewer,
        reason=registration.decision_note,
        fields=("decided_by", "decision_note", "decided_at"),
    )
    _tell(RegistrationEvent.REVIEWED, registration)
    return registration


def _cancellation_checked(reason: str, note: str) -> None:
    Reason = Registration.CancellationReason
    if reason and reason not in Reason.values:
        raise RegistrationError(Code.CANCELLATION_REASON_REQUIRED, field="reason")
    if reason == Reason.OTHER and not note:
        raise RegistrationError(Code.CANCELLATION_NOTE_REQUIRED, field="note")


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor, reason: str = "", note: str = ""
) -> Registration:
    """approved -> cancelled: the number is given up and free for someone else.

    Who, when and why are kept on the registration (``cancellation_reason`` from
    ``Registration.CancellationReason``, a free ``note``) and in the audit event. The pages
    always ask for the reason; the partner API may give only a note.
    """
    note = note.strip()
    _cancellation_checked(reason, note)
    registration = _locked(registration)
    _require(registration, Step.CANCEL)
    registration.cancelled_at = timezone.now()
    registration.cancelled_by = actor if getattr(actor, "pk", None) else None
    registration.cancellation_reason = reason
    registration.cancellation_note = note
    _step(
        registration,
        Step.CANCEL,
        actor=actor,
        reason=": ".join(part for part in (reason, note) if part),
        fields=("cancelled_at", "cancelled_by", "cancellation_reason", "cancellation_note"),
        changes={"cancellation_reason": ("", reason)} if reason else None,
    )
    _tell(RegistrationEvent.CANCELLED, registration)
    return registration
