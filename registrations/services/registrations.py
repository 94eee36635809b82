"""Every write to registrations: creation and the lifecycle of DESIGN.md.

    draft -> submitted -> verifying -> approved | rejected | review
    review -> approved | rejected      (a carrier reviewer)
    approved -> cancelled              (the number is given up)

Each transition is one function, allowed only from the states listed, run in one
transaction with the registration row locked.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from registrations import rules
from registrations.models import (
    Operator,
    Outlet,
    Province,
    Registration,
    RegistrationPolicy,
    Subscriber,
)
from registrations.rules import RuleViolation

Status = Registration.Status

INVALID_TRANSITION = "invalid_transition"
NAME_MISMATCH = "name_mismatch"
OUTLET_UNAVAILABLE = "outlet_unavailable"
REASON_REQUIRED = "reason_required"
OWN_REGISTRATION = "own_registration"


class RegistrationError(Exception):
    """One or more rules refused a write. Nothing was saved."""

    def __init__(self, violations: list[RuleViolation]):
        self.violations = violations
        super().__init__("; ".join(v.message for v in violations))

    @property
    def reasons(self) -> list[str]:
        return [v.code for v in self.violations]


class InvalidTransition(RegistrationError):
    def __init__(self, registration: Registration, action: str):
        super().__init__(
            [
                RuleViolation(
                    INVALID_TRANSITION,
                    f"A registration that is {registration.get_status_display().lower()} "
                    f"cannot be {action}.",
                )
            ]
        )


@dataclass(frozen=True)
class SubscriberDetails:
    id_type: str
    id_number: str
    full_name: str
    birth_date: date
    id_expiry: date | None


def registration_cap() -> int:
    """The cap in force: the ministry's setting, or the deployment default."""
    cap = RegistrationPolicy.objects.filter(pk=1).values_list("cap_per_operator", flat=True).first()
    return cap or settings.REGISTRATION_CAP_PER_OPERATOR


@transaction.atomic
def registration_policy_update(*, actor, cap_per_operator: int) -> RegistrationPolicy:
    if cap_per_operator < 1:
        raise RegistrationError([RuleViolation("invalid_cap", "The cap must be at least 1.")])
    before = registration_cap()
    policy, _ = RegistrationPolicy.objects.update_or_create(
        pk=1, defaults={"cap_per_operator": cap_per_operator, "updated_by": actor}
    )
    audit_record(
        action=Action.POLICY_CHANGED,
        actor=actor,
        obj=policy,
        changes={"cap_per_operator": (before, cap_per_operator)},
    )
    return policy


def _holding_count(*, subscriber: Subscriber, operator: Operator) -> int:
    return Registration.objects.filter(
        subscriber=subscriber, operator=operator, status__in=Registration.HOLDING_STATUSES
    ).count()


def _msisdn_held(msisdn: str, *, excluding: Registration | None = None) -> bool:
    held = Registration.objects.filter(msisdn=msisdn, status__in=Registration.HOLDING_STATUSES)
    if excluding is not None:
        held = held.exclude(pk=excluding.pk)
    return held.exists()


def _msisdn_in_use() -> RuleViolation:
    return RuleViolation(
        rules.MSISDN_IN_USE,
        "This number is already registered to someone: choose another number.",
        field="msisdn",
    )


def _validated_subscriber(details: SubscriberDetails, *, today: date) -> tuple[str, list]:
    """Normalize the ID number and collect every rule it breaks."""
    violations: list[RuleViolation] = []
    id_number = details.id_number.strip().upper()
    if details.id_type == Subscriber.IdType.RESIDENT_ID:
        try:
            id_number = rules.validate_resident_id(
                id_number, birth_date=details.birth_date, today=today
            )
        except RuleViolation as violation:
            violations.append(violation)
    elif not id_number:
        violations.append(
            RuleViolation(rules.INVALID_ID_NUMBER, "Enter the ID number.", field="id_number")
        )
    try:
        rules.validate_id_not_expired(details.id_expiry, today=today)
    except RuleViolation as violation:
        violations.append(violation)
    return id_number, violations


def _subscriber_for(details: SubscriberDetails, id_number: str) -> Subscriber:
    subscriber, created = Subscriber.objects.select_for_update().get_or_create(
        id_type=details.id_type,
        id_number=id_number,
        defaults={
            "full_name": details.full_name.strip(),
            "birth_date": details.birth_date,
            "id_expiry": details.id_expiry,
        },
    )
    if created:
        return subscriber
    if subscriber.full_name != details.full_name.strip():
        raise RegistrationError(
            [
                RuleViolation(
                    NAME_MISMATCH,
                    "This ID number is on record under a different name: check the name "
                    "against the ID card.",
                    field="full_name",
                )
            ]
        )
    if subscriber.id_expiry != details.id_expiry:
        # A renewed card: keep the record current.
        subscriber.id_expiry = details.id_expiry
        subscriber.save(update_fields=["id_expiry"])
    return subscriber


def _province_for(*, outlet: Outlet | None, id_type: str, id_number: str, province) -> Province:
    if outlet is not None:
        return outlet.province
    if province is not None:
        return province
    if id_type == Subscriber.IdType.RESIDENT_ID:
        found = Province.objects.filter(code=rules.province_code_from_resident_id(id_number))
        if found.exists():
            return found.get()
    raise RegistrationError(
        [RuleViolation("province_unknown", "Choose the subscriber's province.", field="province")]
    )


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
    id_number, violations = _validated_subscriber(subscriber, today=today)
    try:
        msisdn = rules.normalize_msisdn(msisdn)
    except RuleViolation as violation:
        violations.append(violation)
        msisdn = None
    try:
        iccid = rules.validate_iccid(iccid)
    except RuleViolation as violation:
        violations.append(violation)
    if outlet is not None and (outlet.operator_id != operator.pk or not outlet.is_active):
        violations.append(
            RuleViolation(
                OUTLET_UNAVAILABLE, "This outlet cannot take registrations.", field="outlet"
            )
        )
    if msisdn and _msisdn_held(msisdn):
        violations.append(_msisdn_in_use())
    if violations:
        raise RegistrationError(violations)

    record = _subscriber_for(subscriber, id_number)
    # Tell the outlet now rather than at submission; the submission decides under a lock.
    try:
        rules.check_cap(
            holding_count=_holding_count(subscriber=record, operator=operator),
            cap=registration_cap(),
        )
    except RuleViolation as violation:
        raise RegistrationError([violation]) from None
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
    return registration


def _locked(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().get(pk=registration.pk)


def _require_status(registration: Registration, allowed: tuple, action: str) -> None:
    if registration.status not in allowed:
        raise InvalidTransition(registration, action)


def _audit_transition(
    registration: Registration, action: Action, *, actor, before: str, reason: str = "", **changes
) -> None:
    audit_record(
        action=action,
        actor=actor,
        obj=registration,
        changes={"status": (before, registration.status), **changes},
        reason=reason,
    )


@transaction.atomic
def registration_submit(*, registration: Registration, actor, today: date | None = None):
    """draft -> submitted, holding the number and a slot of the cap.

    Locking the subscriber row first serializes every submission for one ID, so two
    simultaneous submissions for the last slot cannot both win.
    """
    today = today or timezone.localdate()
    subscriber = Subscriber.objects.select_for_update().get(pk=registration.subscriber_id)
    registration = _locked(registration)
    _require_status(registration, (Status.DRAFT,), "submitted")

    violations = []
    try:
        rules.validate_id_not_expired(subscriber.id_expiry, today=today)
    except RuleViolation as violation:
        violations.append(violation)
    if _msisdn_held(registration.msisdn, excluding=registration):
        violations.append(_msisdn_in_use())
    try:
        rules.check_cap(
            holding_count=_holding_count(subscriber=subscriber, operator=registration.operator),
            cap=registration_cap(),
        )
    except RuleViolation as violation:
        violations.append(violation)
    if violations:
        raise RegistrationError(violations)

    registration.status = Status.SUBMITTED
    registration.submitted_at = timezone.now()
    try:
        # The partial unique index is the last word on the number, even against a
        # concurrent submission for another ID that the subscriber lock does not cover.
        with transaction.atomic():
            registration.save(update_fields=["status", "submitted_at", "updated_at"])
    except IntegrityError:
        raise RegistrationError([_msisdn_in_use()]) from None
    _audit_transition(registration, Action.REGISTRATION_SUBMITTED, actor=actor, before=Status.DRAFT)
    return registration


@transaction.atomic
def registration_start_verification(*, registration: Registration) -> Registration:
    """submitted -> verifying, when a verification worker takes the registration."""
    registration = _locked(registration)
    _require_status(registration, (Status.SUBMITTED,), "verified")
    registration.status = Status.VERIFYING
    registration.save(update_fields=["status", "updated_at"])
    _audit_transition(
        registration, Action.REGISTRATION_VERIFYING, actor=None, before=Status.SUBMITTED
    )
    return registration


DECISIONS = (Status.APPROVED, Status.REJECTED, Status.REVIEW)


@transaction.atomic
def registration_decide(
    *, registration: Registration, decision: str, reasons: list[str]
) -> Registration:
    """verifying -> approved | rejected | review, from the verification result."""
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}")
    registration = _locked(registration)
    _require_status(registration, (Status.VERIFYING,), "decided")
    registration.status = decision
    registration.decision_reasons = list(reasons)
    registration.decided_at = timezone.now()
    registration.save(update_fields=["status", "decision_reasons", "decided_at", "updated_at"])
    _audit_transition(
        registration,
        Action.REGISTRATION_DECIDED,
        actor=None,
        before=Status.VERIFYING,
        decision_reasons=([], list(reasons)),
    )
    return registration


@transaction.atomic
def registration_review(
    *, registration: Registration, reviewer, approve: bool, note: str
) -> Registration:
    """review -> approved | rejected by a carrier reviewer, with a written reason."""
    registration = _locked(registration)
    _require_status(registration, (Status.REVIEW,), "reviewed")
    violations = []
    if not note.strip():
        violations.append(
            RuleViolation(REASON_REQUIRED, "Write the reason for the decision.", field="note")
        )
    if registration.created_by_id == reviewer.pk:
        violations.append(
            RuleViolation(OWN_REGISTRATION, "You cannot review a registration you submitted.")
        )
    if violations:
        raise RegistrationError(violations)
    registration.status = Status.APPROVED if approve else Status.REJECTED
    registration.decided_by = reviewer
    registration.decision_note = note.strip()
    registration.decided_at = timezone.now()
    registration.save(
        update_fields=["status", "decided_by", "decision_note", "decided_at", "updated_at"]
    )
    _audit_transition(
        registration,
        Action.REGISTRATION_REVIEWED,
        actor=reviewer,
        before=Status.REVIEW,
        reason=registration.decision_note,
    )
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor, note: str = "") -> Registration:
    """approved -> cancelled: the number is given up and free for someone else."""
    registration = _locked(registration)
    _require_status(registration, (Status.APPROVED,), "cancelled")
    registration.status = Status.CANCELLED
    registration.cancelled_at = timezone.now()
    if note.strip():
        registration.decision_note = note.strip()
    registration.save(update_fields=["status", "cancelled_at", "decision_note", "updated_at"])
    _audit_transition(
        registration,
        Action.REGISTRATION_CANCELLED,
        actor=actor,
        before=Status.APPROVED,
        reason=note.strip(),
    )
    return registration
