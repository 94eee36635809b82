"""Risk alerts: raised from the signals' hits (deduplicated per signal and subject, with a
cooldown after a dismissal), then reviewed by an inspector. Every change is audited."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm, can
from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.supervision.errors import RiskAlertCode, RiskAlertError
from portal.supervision.models import RiskAlert
from portal.supervision.risk import registry
from portal.supervision.risk.base import Hit, RiskConfig, SubjectKind
from portal.supervision.selectors.alerts import alerts_in_scope

Status = RiskAlert.Status


# -- raising -------------------------------------------------------------------------------


class Upsert:
    RAISED = "raised"
    UPDATED = "updated"
    COOLING_DOWN = "cooling_down"


_SUBJECT_FIELD = {
    SubjectKind.OUTLET: "outlet_id",
    SubjectKind.STAFF: "staff_id",
    SubjectKind.SUBSCRIBER: "subscriber_id",
}


def _cooldown() -> timedelta:
    return timedelta(days=settings.SUPERVISION_RISK_COOLDOWN_DAYS)


@transaction.atomic
def risk_alert_upsert(*, hit: Hit, now: datetime | None = None) -> tuple[str, RiskAlert | None]:
    """One hit as an alert: the open alert of its (signal, subject) is brought up to date; a
    subject whose alert was closed within the cooldown is left alone; else a new alert."""
    now = now or timezone.now()
    key = hit.subject.key
    alert = (
        RiskAlert.objects.select_for_update()
        .filter(signal=hit.signal, subject_key=key, status__in=RiskAlert.OPEN_STATUSES)
        .first()
    )
    if alert is not None:
        _refresh(alert, hit, now)
        return Upsert.UPDATED, alert
    closed_lately = RiskAlert.objects.filter(
        signal=hit.signal,
        subject_key=key,
        status__in=RiskAlert.CLOSED_STATUSES,
        closed_at__gte=now - _cooldown(),
    ).exists()
    if closed_lately:
        return Upsert.COOLING_DOWN, None
    alert = RiskAlert(
        signal=hit.signal,
        subject_kind=hit.subject.kind,
        subject_key=key,
        operator_id=hit.subject.operator_id,
        province_id=hit.subject.province_id,
        score=hit.score,
        detail=hit.detail,
        raised_at=now,
        last_seen_at=now,
    )
    setattr(alert, _SUBJECT_FIELD[hit.subject.kind], hit.subject.pk)
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:
        # Another evaluation raised it a moment ago: bring that one up to date instead.
        alert = RiskAlert.objects.select_for_update().get(
            signal=hit.signal, subject_key=key, status__in=RiskAlert.OPEN_STATUSES
        )
        _refresh(alert, hit, now)
        return Upsert.UPDATED, alert
    _link_registrations(alert, hit.registration_ids)
    audit_record(
        action=Action.RISK_ALERT_RAISED,
        obj=alert,
        changes={
            "signal": (None, hit.signal),
            "subject": (None, key),
            "score": (None, hit.score),
            "registrations": (None, len(hit.registration_ids)),
        },
    )
    return Upsert.RAISED, alert


def _link_registrations(alert: RiskAlert, registration_ids) -> None:
    """The alert's registrations, written straight to the link table: ``set()`` and ``add()``
    first read the links through a join with the registrations (tens of milliseconds per
    alert at 10 M registrations), which a new alert does not have."""
    through = RiskAlert.registrations.through
    through.objects.bulk_create(
        # dict.fromkeys: each registration once, in its order (a link is unique).
        [
            through(riskalert_id=alert.pk, registration_id=pk)
            for pk in dict.fromkeys(registration_ids)
        ],
        batch_size=1000,
    )


def _linked_ids(alert: RiskAlert) -> set[str]:
    """The alert's registration ids from the link table alone (no join, no ordering)."""
    through = RiskAlert.registrations.through
    return {
        str(pk)
        for pk in through.objects.filter(riskalert_id=alert.pk).values_list(
            "registration_id", flat=True
        )
    }


def _refresh(alert: RiskAlert, hit: Hit, now: datetime) -> None:
    before_ids = _linked_ids(alert)
    after_ids = {str(pk) for pk in hit.registration_ids}
    changed = alert.score != hit.score or before_ids != after_ids
    old_score = alert.score
    alert.score = hit.score
    alert.detail = hit.detail
    alert.last_seen_at = now
    alert.times_seen += 1
    alert.save(update_fields=["score", "detail", "last_seen_at", "times_seen"])
    if before_ids != after_ids:
        through = RiskAlert.registrations.through
        through.objects.filter(riskalert_id=alert.pk).exclude(
            registration_id__in=after_ids
        ).delete()
        _link_registrations(alert, [pk for pk in hit.registration_ids if str(pk) not in before_ids])
    if changed:  # a re-evaluation that finds the same figures is no change worth a record
        audit_record(
            action=Action.RISK_ALERT_CHANGED,
            obj=alert,
            changes={
                "score": (old_score, hit.score),
                "registrations": (len(before_ids), len(after_ids)),
            },
        )


@dataclass(frozen=True)
class EvaluationSummary:
    hits: int
    raised: int
    updated: int
    cooling_down: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def risk_evaluate(
    *, now: datetime | None = None, config: RiskConfig | None = None
) -> EvaluationSummary:
    """Evaluate every signal and upsert an alert per hit (each in its own transaction: the
    evaluation reads for a while, and holds no lock meanwhile)."""
    now = now or timezone.now()
    config = config or RiskConfig.from_settings()
    hits = registry.evaluate_all(now=now, config=config)
    tally = {Upsert.RAISED: 0, Upsert.UPDATED: 0, Upsert.COOLING_DOWN: 0}
    for hit in hits:
        outcome, _alert = risk_alert_upsert(hit=hit, now=now)
        tally[outcome] += 1
    return EvaluationSummary(
        hits=len(hits),
        raised=tally[Upsert.RAISED],
        updated=tally[Upsert.UPDATED],
        cooling_down=tally[Upsert.COOLING_DOWN],
    )


# -- reviewing -----------------------------------------------------------------------------


class Step:
    START_REVIEW = "start_review"
    DISMISS = "dismiss"
    CONFIRM = "confirm"
    ASSIGN = "assign"


@dataclass(frozen=True)
class AlertTransition:
    step: str
    from_states: tuple[str, ...]
    to_state: str | None  # None: the state stays
    note_required: bool
    label: object


# The alert's lifecycle: new -> under review -> dismissed | confirmed (a note says why).
TRANSITIONS: tuple[AlertTransition, ...] = (
    AlertTransition(
        Step.START_REVIEW, (Status.NEW,), Status.UNDER_REVIEW, False, _("Start review")
    ),
    AlertTransition(
        Step.DISMISS, (Status.NEW, Status.UNDER_REVIEW), Status.DISMISSED, True, _("Dismiss")
    ),
    AlertTransition(
        Step.CONFIRM, (Status.NEW, Status.UNDER_REVIEW), Status.CONFIRMED, True, _("Confirm")
    ),
    AlertTransition(Step.ASSIGN, (Status.NEW, Status.UNDER_REVIEW), None, False, _("Assign")),
)
BY_STEP = {t.step: t for t in TRANSITIONS}


def steps_for(alert: RiskAlert) -> list[AlertTransition]:
    return [t for t in TRANSITIONS if alert.status in t.from_states]


@transaction.atomic
def risk_alert_change(
    *, alert: RiskAlert, actor, step: str, note: str = "", assignee=None
) -> RiskAlert:
    """Take one step of the alert's lifecycle (or assign it), audited with the note."""
    alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
    transition = BY_STEP.get(step)
    if transition is None or alert.status not in transition.from_states:
        raise RiskAlertError(RiskAlertCode.NOT_ALLOWED_NOW, status=409)
    note = note.strip()
    if transition.note_required and not note:
        raise RiskAlertError(RiskAlertCode.NOTE_REQUIRED, field="note")
    changes: dict[str, tuple] = {}
    if step == Step.ASSIGN:
        if assignee is not None and not (
            can(assignee, Perm.MANAGE_RISK_ALERTS)
            and alerts_in_scope(assignee).filter(pk=alert.pk).exists()
        ):
            raise RiskAlertError(RiskAlertCode.ASSIGNEE_OUT_OF_SCOPE, field="assignee")
        changes["assignee"] = (
            alert.assignee.get_username() if alert.assignee else None,
            assignee.get_username() if assignee else None,
        )
        alert.assignee = assignee
    else:
        changes["status"] = (alert.status, transition.to_state)
        alert.status = transition.to_state
        if alert.assignee is None:
            alert.assignee = actor  # who takes a step owns the alert, unless given to another
            changes["assignee"] = (None, actor.get_username())
        if transition.to_state in RiskAlert.CLOSED_STATUSES:
            alert.closed_at = timezone.now()
            alert.closed_by = actor
    if note:
        alert.note = note
        changes["note"] = (None, note)
    alert.save()
    audit_record(
        action=Action.RISK_ALERT_CHANGED, actor=actor, obj=alert, changes=changes, reason=note
    )
    return alert
