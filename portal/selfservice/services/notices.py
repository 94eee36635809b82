"""Telling the person, unasked: a text message to the other numbers under their ID when a new
one is registered (if it was not them, how to dispute it), and at most one a day when someone
looks at their biometric evidence (where to see who and why). Queued in the transaction of
the change, through the SMS outbox; held while an inspector defers notices for the person."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.selfservice.models import NoticeDeferral, SmsMessage
from portal.selfservice.selectors import last_four
from portal.selfservice.services.sms import sms_queue
from registrations.models import Registration

KIND_NEW_REGISTRATION = "new_registration"
KIND_EVIDENCE_VIEWED = "evidence_viewed"


def _me_url() -> str:
    return f"{settings.PORTAL_PUBLIC_URL}/me/"


def _held_until(subscriber_id: int, now: datetime) -> datetime | None:
    """The end of the person's deferral in force, if an inspector deferred their notices."""
    deferral = (
        NoticeDeferral.objects.filter(subscriber_id=subscriber_id, until__gt=now)
        .order_by("-until")
        .first()
    )
    return deferral.until if deferral else None


def _queue(*, subscriber_id: int, to: str, text: str, kind: str) -> SmsMessage:
    held = _held_until(subscriber_id, timezone.now())
    return sms_queue(to=to, text=text, kind=kind, subscriber_id=subscriber_id, not_before=held)


def notify_new_registration(*, registration: Registration) -> int:
    """A new number approved under an ID: one SMS to each other number in use under it."""
    others = (
        Registration.objects.filter(
            subscriber_id=registration.subscriber_id, status=Registration.Status.APPROVED
        )
        .exclude(pk=registration.pk)
        .values_list("msisdn", flat=True)
    )
    with override(settings.LANGUAGE_CODE):
        text = _(
            "A new mobile number (%(number)s) was registered under your ID card at "
            "%(operator)s on %(date)s. If it was not you, say so at %(url)s."
        ) % {
            "number": last_four(registration.msisdn),
            "operator": registration.operator.name,
            "date": timezone.localdate(registration.decided_at or timezone.now()).isoformat(),
            "url": _me_url(),
        }
    sent = 0
    for msisdn in others:
        _queue(
            subscriber_id=registration.subscriber_id,
            to=msisdn,
            text=text,
            kind=KIND_NEW_REGISTRATION,
        )
        sent += 1
    return sent


def notify_evidence_viewed(*, registration: Registration, at: datetime) -> SmsMessage | None:
    """Someone looked at the person's biometric evidence: at most one SMS a day (Beijing
    time) to the person, on the number looked at if it is in use, else another of theirs."""
    subscriber_id = registration.subscriber_id
    day_start = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    already = SmsMessage.objects.filter(
        subscriber_id=subscriber_id, kind=KIND_EVIDENCE_VIEWED, created_at__gte=day_start
    ).exists()
    if already:
        return None
    numbers = list(
        Registration.objects.filter(
            subscriber_id=subscriber_id, status=Registration.Status.APPROVED
        ).values_list("msisdn", flat=True)
    )
    if not numbers:
        return None
    to = registration.msisdn if registration.msisdn in numbers else numbers[0]
    with override(settings.LANGUAGE_CODE):
        text = _(
            "Your face verification data was looked at today. See who looked and why at %(url)s."
        ) % {"url": _me_url()}
    return _queue(subscriber_id=subscriber_id, to=to, text=text, kind=KIND_EVIDENCE_VIEWED)


def on_registration_changed(sender, registration, before, after, **kwargs) -> None:
    if after == Registration.Status.APPROVED and before != after:
        notify_new_registration(registration=registration)


@transaction.atomic
def notice_deferral_create(*, subscriber_id: int, actor, reason: str, until: datetime):
    """An inspector holds the person's notices for an investigation, until ``until``."""
    deferral = NoticeDeferral.objects.create(
        subscriber_id=subscriber_id, created_by=actor, reason=reason.strip(), until=until,
        created_at=timezone.now(),
    )  # fmt: skip
    audit_record(
        action=Action.NOTICES_DEFERRED,
        actor=actor,
        object_type="subscriber",
        object_id=str(subscriber_id),
        reason=reason.strip(),
        changes={"until": (None, until.isoformat(timespec="minutes"))},
    )
    return deferral
