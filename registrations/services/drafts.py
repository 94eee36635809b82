"""An outlet's drafts: opened once per number, edited, discarded.

A clerk who presses Back after saving and saves the same form again (or clicks twice) must
get the draft already saved, not a second one: the outlet's row is locked while its drafts
are searched, so two saves at once still find each other. Drafts hold no number (see
``Registration.HOLDING_STATUSES``); a discarded one is out of the search, so its number and
SIM card can be registered again at once.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.lib.errors import raise_if_any
from registrations import rules
from registrations.errors import RegistrationCode as Code
from registrations.errors import RegistrationError
from registrations.lifecycle import Step
from registrations.models import Outlet, Registration, Subscriber
from registrations.services.outlets import outlet_row_lock
from registrations.services.registrations import (
    _locked,
    _step,
    number_and_sim_checked,
    registration_create,
)
from registrations.services.subscribers import SubscriberDetails, validated_subscriber

Status = Registration.Status


@dataclass(frozen=True)
class DraftOpened:
    registration: Registration
    resumed: bool  # the outlet's draft for this number was already there
    same_details: bool  # and it holds what was entered this time


def _lock_outlet(outlet: Outlet) -> None:
    outlet_row_lock(outlet.pk)


def _quietly(normalize, value: str) -> str | None:
    """The normalized value, or None when it is malformed (the create reports it)."""
    try:
        return normalize(value)
    except RegistrationError:
        return None


def _outlet_drafts(outlet: Outlet, *, msisdn: str | None, iccid: str | None):
    match = Q(pk__in=[])
    if msisdn:
        match |= Q(msisdn=msisdn)
    if iccid:
        match |= Q(iccid=iccid)
    return Registration.objects.filter(match, outlet=outlet, status=Status.DRAFT)


def _holds(registration: Registration, subscriber: SubscriberDetails, msisdn, iccid) -> bool:
    record = registration.subscriber
    return (
        record.id_type == subscriber.id_type
        and record.id_number_index
        == Subscriber.id_number_index_for(subscriber.id_number.strip().upper())
        and record.full_name == subscriber.full_name.strip()
        and record.birth_date == subscriber.birth_date_for(subscriber.id_number)
        and record.id_expiry == subscriber.id_expiry
        and (registration.msisdn, registration.iccid) == (msisdn, iccid)
    )


@transaction.atomic
def registration_draft_open(
    *,
    actor,
    subscriber: SubscriberDetails,
    outlet: Outlet,
    msisdn: str,
    iccid: str,
    today: date | None = None,
) -> DraftOpened:
    """The outlet's draft for this number or SIM card: the one already saved, or a new one.

    An existing draft is returned as it is, never changed behind the clerk's back (it may
    carry a portrait and a consent already): ``same_details`` says whether the page should
    offer its edit form instead of its next step.
    """
    _lock_outlet(outlet)
    msisdn_normal = _quietly(rules.normalize_msisdn, msisdn)
    iccid_normal = _quietly(rules.validate_iccid, iccid)
    existing = (
        _outlet_drafts(outlet, msisdn=msisdn_normal, iccid=iccid_normal)
        .select_related("subscriber")
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        same = _holds(existing, subscriber, msisdn_normal, iccid_normal)
        return DraftOpened(registration=existing, resumed=True, same_details=same)
    registration = registration_create(
        actor=actor,
        subscriber=subscriber,
        operator=outlet.operator,
        outlet=outlet,
        msisdn=msisdn,
        iccid=iccid,
        today=today,
    )
    return DraftOpened(registration=registration, resumed=False, same_details=True)


def _require_draft(registration: Registration) -> None:
    if registration.status != Status.DRAFT:
        raise RegistrationError(Code.NOT_A_DRAFT, status=409)


def _subscriber_updated(record: Subscriber, details: SubscriberDetails, draft) -> list[str]:
    """Bring the subscriber's record to the corrected details; the fields changed.

    The record is shared by every registration of the ID: its name and birth date are
    corrected only while this draft is its only registration, else they must match.
    """
    changed = [
        name
        for name in ("full_name", "birth_date", "id_expiry")
        if getattr(record, name) != _detail(details, name)
    ]
    shared = record.registrations.exclude(pk=draft.pk).exists()
    if shared and "full_name" in changed:
        raise RegistrationError(Code.NAME_MISMATCH, field="full_name")
    if shared and "birth_date" in changed:
        raise RegistrationError(Code.BIRTH_DATE_MISMATCH, field="birth_date")
    for name in changed:
        setattr(record, name, _detail(details, name))
    if changed:
        record.save(update_fields=changed)
    return changed


def _detail(details: SubscriberDetails, name: str):
    if name == "birth_date":
        return details.birth_date_for(details.id_number)
    value = getattr(details, name)
    return value.strip() if isinstance(value, str) else value


@transaction.atomic
def registration_draft_update(
    *,
    registration: Registration,
    actor,
    subscriber: SubscriberDetails,
    msisdn: str,
    iccid: str,
    today: date | None = None,
) -> Registration:
    """Correct a draft: the name, dates, number and SIM card. Its ID (the person its portrait
    and consent are of) and its outlet stay; for another person, discard and start again."""
    today = today or timezone.localdate()
    _lock_outlet(registration.outlet)
    registration = _locked(registration)
    _require_draft(registration)
    record = Subscriber.objects.select_for_update().get(pk=registration.subscriber_id)
    details = SubscriberDetails(
        id_type=record.id_type,
        id_number=record.id_number,
        full_name=subscriber.full_name,
        birth_date=subscriber.birth_date,
        id_expiry=subscriber.id_expiry,
    )
    _, violations = validated_subscriber(details, today=today)
    msisdn, iccid = _number_checked(registration, msisdn, iccid, violations)
    if not registration.outlet.is_active:
        violations.append(RegistrationError(Code.OUTLET_UNAVAILABLE, field="outlet"))
    raise_if_any(violations, RegistrationError)

    before = {name: getattr(record, name) for name in ("full_name", "birth_date", "id_expiry")}
    changes = {
        name: (before[name], getattr(record, name))
        for name in _subscriber_updated(record, details, registration)
    }
    for name, value in (("msisdn", msisdn), ("iccid", iccid)):
        if getattr(registration, name) != value:
            changes[name] = (getattr(registration, name), value)
            setattr(registration, name, value)
    if changes:
        registration.save(update_fields=["msisdn", "iccid", "updated_at"])
        audit_record(
            action=Action.REGISTRATION_EDITED,
            actor=actor,
            obj=registration,
            changes=changes,
        )
    return registration


def _number_checked(registration, msisdn: str, iccid: str, violations: list):
    """The normalized number and SIM card, free elsewhere and in no other draft of the
    outlet; problems go to ``violations``."""
    msisdn, iccid = number_and_sim_checked(msisdn, iccid, violations)
    others = _outlet_drafts(registration.outlet, msisdn=msisdn, iccid=iccid).exclude(
        pk=registration.pk
    )
    if (msisdn or iccid) and others.exists():
        violations.append(RegistrationError(Code.DRAFT_EXISTS, field="msisdn"))
    return msisdn, iccid


@transaction.atomic
def registration_discard(*, registration: Registration, actor) -> Registration:
    """draft -> discarded: the outlet drops the draft; its number and SIM card are free."""
    registration = _locked(registration)
    _step(registration, Step.DISCARD, actor=actor)  # or refused: only a draft is discarded
    return registration
