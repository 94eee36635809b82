"""How long each class of a registration's data is kept: one table, here and in the README
(a test compares the two).

Each class is kept for a number of days after an event of the registration (its decision,
or the end of its number: cancelled, rejected, discarded), then the action is taken. The
defaults are settings (``RETENTION_<CLASS>_DAYS``); a legal hold (an open dispute, finding or
notice: holds.py) pauses them. ``services/purge.py`` carries out the file classes' and the
engine result's actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrations.models import Registration

DECISION = "decision"
NUMBER_ENDED = "number_ended"


@dataclass(frozen=True)
class DataClass:
    code: str
    name: str
    holds: str
    setting: str  # the setting with its number of days
    after: str  # DECISION or NUMBER_ENDED
    basis: str
    action: str
    by_consent: bool = False  # kept on the person's consent only: due once it is withdrawn

    @property
    def days(self) -> int:
        return getattr(settings, self.setting)


DATA_CLASSES: tuple[DataClass, ...] = (
    DataClass(
        "capture_video",
        _("Live capture video"),
        _("the recording of the face, blinking and turning"),
        "RETENTION_CAPTURE_VIDEO_DAYS",
        DECISION,
        _("PIPL art. 19 (no longer than needed); the time to review and dispute a decision"),
        _("file deleted, then its key"),
        by_consent=True,
    ),
    DataClass(
        "key_frames",
        _("Key frames"),
        _("the few pictures of the capture the match was computed on"),
        "RETENTION_KEY_FRAMES_DAYS",
        DECISION,
        _("PIPL art. 19; the ministry's spot checks re-adjudicate within a year"),
        _("files deleted, then their key"),
        by_consent=True,
    ),
    DataClass(
        "id_portrait",
        _("ID portrait"),
        _("the photo read from the ID card's chip"),
        "RETENTION_ID_PORTRAIT_DAYS",
        NUMBER_ENDED,
        _("real-name registration rules: the record of a number is kept while it is in use"),
        _("file deleted, then its key"),
    ),
    DataClass(
        "engine_result",
        _("Verification result"),
        _("the decision, its reasons and scores (no pictures)"),
        "RETENTION_ENGINE_RESULT_DAYS",
        NUMBER_ENDED,
        _("real-name registration rules: two years after the service ends"),
        _("figures deleted, the decision kept"),
    ),
    DataClass(
        "registration_record",
        _("Registration record"),
        _("the ID details, the number, the SIM card, who registered it and when"),
        "RETENTION_REGISTRATION_RECORD_DAYS",
        NUMBER_ENDED,
        _("real-name registration rules: two years after the service ends"),
        _("the ID number and name deleted, the counts kept"),
    ),
    DataClass(
        "audit_events",
        _("Audit events"),
        _("who did or saw what, when and why"),
        "RETENTION_AUDIT_EVENTS_DAYS",
        NUMBER_ENDED,
        _("Cybersecurity Law art. 21 (logs at least six months); the chain must stay whole"),
        _("kept whole; personal values in them are masked"),
    ),
)

BY_CODE = {data_class.code: data_class for data_class in DATA_CLASSES}


def kept_until(data_class: DataClass, *, decided_at: datetime | None, ended_at: datetime | None):
    """When the class's data of a registration is due for its action; None while the event
    it counts from has not happened (the number is in use, or no decision yet)."""
    start = decided_at if data_class.after == DECISION else ended_at
    return start + timedelta(days=data_class.days) if start else None


def number_ended_at(registration) -> datetime | None:
    """When the registration stopped holding its number: cancelled, rejected, or discarded
    as a draft (nothing changes a discarded draft after, so its last change is the discard)."""
    if registration.cancelled_at:
        return registration.cancelled_at
    if registration.status == Registration.Status.REJECTED:
        return registration.decided_at
    if registration.status == Registration.Status.DISCARDED:
        return registration.updated_at
    return None


def number_ended_by(cutoff: datetime) -> Q:
    """The registrations whose number ended (as ``number_ended_at`` says) at ``cutoff`` or
    before, as a filter."""
    status = Registration.Status
    return (
        Q(cancelled_at__lte=cutoff)
        | Q(status=status.REJECTED, decided_at__lte=cutoff)
        | Q(status=status.DISCARDED, updated_at__lte=cutoff)
    )


def retention_of(registration, *, withdrawn_at=None) -> list[tuple[DataClass, datetime | None]]:
    """Each class of the registration's data and when it is due (None: not yet counting);
    ``withdrawn_at``: the consent was withdrawn then, and what rests on it is due then."""
    ended = number_ended_at(registration)
    due = []
    for data_class in DATA_CLASSES:
        until = kept_until(data_class, decided_at=registration.decided_at, ended_at=ended)
        if withdrawn_at and data_class.by_consent:
            until = min(until, withdrawn_at) if until else withdrawn_at
        due.append((data_class, until))
    return due
