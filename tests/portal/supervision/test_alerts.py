"""Alerts from the signals' hits: deduplicated per (signal, subject), a cooldown after a
dismissal, the lifecycle new -> under review -> dismissed | confirmed, every change audited,
and scope (inspector_gd sees Guangdong's alerts only)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.supervision.errors import RiskAlertError
from portal.supervision.models import RiskAlert
from portal.supervision.risk.base import Hit, Subject, SubjectKind
from portal.supervision.selectors.alerts import AlertFilters, alert_list, alerts_in_scope
from portal.supervision.services.alerts import (
    Upsert,
    risk_alert_change,
    risk_alert_upsert,
    risk_evaluate,
)
from portal.supervision.tasks import evaluate_risk
from registrations.models import Registration
from tests.portal.supervision.test_risk_signals import craft

pytestmark = pytest.mark.django_db

Status = RiskAlert.Status


def hit_on(outlet, *, score=3.0, registrations=(), signal="failure_rate") -> Hit:
    return Hit(
        signal=signal,
        subject=Subject(SubjectKind.OUTLET, outlet.pk, outlet.operator_id, outlet.province_id),
        score=score,
        detail={"x": 20, "n": 40},
        registration_ids=[r.pk for r in registrations],
    )


def events(alert, action=None):
    found = AuditEvent.objects.filter(object_type="riskalert", object_id=str(alert.pk))
    return found.filter(action=action) if action else found


def test_a_first_hit_raises_an_alert_with_its_registrations_audited(outlet_gd, users):
    rows = craft(outlet_gd, 3, by=users["staff"], status=Registration.Status.REJECTED)

    outcome, alert = risk_alert_upsert(hit=hit_on(outlet_gd, registrations=rows))

    assert outcome == Upsert.RAISED
    assert alert.status == Status.NEW and alert.outlet == outlet_gd
    assert alert.province_id == "440000" and alert.operator_id == outlet_gd.operator_id
    assert set(alert.registrations.all()) == set(rows)
    raised = events(alert, "risk_alert.raised").get()
    assert raised.actor_type == "system"
    assert raised.changes["signal"] == [None, "failure_rate"]
    assert raised.province_code == "440000"


def test_the_same_hit_again_updates_the_open_alert_instead_of_duplicating_it(outlet_gd, users):
    rows = craft(outlet_gd, 3, by=users["staff"])
    _, first = risk_alert_upsert(hit=hit_on(outlet_gd, score=3.0, registrations=rows[:2]))

    outcome, second = risk_alert_upsert(hit=hit_on(outlet_gd, score=4.5, registrations=rows))

    assert outcome == Upsert.UPDATED and second.pk == first.pk
    assert RiskAlert.objects.count() == 1
    second.refresh_from_db()
    assert second.score == 4.5 and second.times_seen == 2
    assert second.registrations.count() == 3
    change = events(second, "risk_alert.changed").get()
    assert change.changes["score"] == [3.0, 4.5]


def test_an_unchanged_hit_refreshes_the_alert_without_a_record(outlet_gd):
    _, alert = risk_alert_upsert(hit=hit_on(outlet_gd))
    risk_alert_upsert(hit=hit_on(outlet_gd))

    assert not events(alert, "risk_alert.changed").exists()


def test_another_signal_on_the_same_subject_is_another_alert(outlet_gd):
    risk_alert_upsert(hit=hit_on(outlet_gd, signal="failure_rate"))
    risk_alert_upsert(hit=hit_on(outlet_gd, signal="review_rate"))

    assert RiskAlert.objects.count() == 2


def test_a_dismissed_alert_is_not_raised_again_within_the_cooldown(outlet_gd, users, settings):
    settings.SUPERVISION_RISK_COOLDOWN_DAYS = 14
    _, alert = risk_alert_upsert(hit=hit_on(outlet_gd))
    risk_alert_change(alert=alert, actor=users["inspector"], step="dismiss", note="Known cause")

    in_a_week = timezone.now() + timedelta(days=7)
    outcome, none = risk_alert_upsert(hit=hit_on(outlet_gd), now=in_a_week)

    assert outcome == Upsert.COOLING_DOWN and none is None
    assert RiskAlert.objects.count() == 1

    after_the_cooldown = timezone.now() + timedelta(days=15)
    outcome, again = risk_alert_upsert(hit=hit_on(outlet_gd), now=after_the_cooldown)

    assert outcome == Upsert.RAISED and again.pk != alert.pk
    assert again.status == Status.NEW


def test_the_lifecycle_is_audited_step_by_step(outlet_gd, users):
    _, alert = risk_alert_upsert(hit=hit_on(outlet_gd))
    inspector = users["inspector_gd"]

    alert = risk_alert_change(alert=alert, actor=inspector, step="start_review")
    assert alert.status == Status.UNDER_REVIEW and alert.assignee == inspector

    alert = risk_alert_change(
        alert=alert, actor=inspector, step="confirm", note="Staff shared one camera account"
    )
    assert alert.status == Status.CONFIRMED
    assert alert.closed_by == inspector and alert.closed_at is not None
    assert alert.note == "Staff shared one camera account"

    changes = list(events(alert, "risk_alert.changed").order_by("sequence"))
    assert [e.changes["status"] for e in changes] == [
        ["new", "under_review"],
        ["under_review", "confirmed"],
    ]
    assert {e.actor_label for e in changes} == {"inspector_gd"}
    assert changes[-1].reason == "Staff shared one camera account"


def test_dismissing_or_confirming_needs_a_note(outlet_gd, users):
    _, alert = risk_alert_upsert(hit=hit_on(outlet_gd))

    for step in ("dismiss", "confirm"):
        with pytest.raises(RiskAlertError) as refused:
            risk_alert_change(alert=alert, actor=users["inspector"], step=step, note="  ")
        assert refused.value.field == "note"

    alert.refresh_from_db()
    assert alert.status == Status.NEW
    assert not events(alert, "risk_alert.changed").exists()


def test_a_closed_alert_takes_no_more_steps(outlet_gd, users):
    _, alert = risk_alert_upsert(hit=hit_on(outlet_gd))
    risk_alert_change(alert=alert, actor=users["inspector"], step="dismiss", note="Fine")

    for step in ("start_review", "confirm", "assign", "reopen"):
        with pytest.raises(RiskAlertError) as refused:
            risk_alert_change(alert=alert, actor=users["inspector"], step=step, note="x")
        assert refused.value.status == 409


def test_an_alert_is_assigned_only_to_an_inspector_who_sees_it(outlet_gd, outlet_bj, users):
    _, in_guangdong = risk_alert_upsert(hit=hit_on(outlet_gd))
    _, in_beijing = risk_alert_upsert(hit=hit_on(outlet_bj))

    assigned = risk_alert_change(
        alert=in_guangdong, actor=users["inspector"], step="assign", assignee=users["inspector_gd"]
    )
    assert assigned.assignee == users["inspector_gd"] and assigned.status == Status.NEW
    assert events(assigned, "risk_alert.changed").get().changes["assignee"] == [
        None,
        "inspector_gd",
    ]

    for outsider in (users["inspector_gd"], users["carrier_admin"]):
        with pytest.raises(RiskAlertError) as refused:
            risk_alert_change(
                alert=in_beijing, actor=users["inspector"], step="assign", assignee=outsider
            )
        assert refused.value.field == "assignee"


def test_inspector_gd_sees_guangdong_alerts_only(outlet_gd, outlet_bj, outlet_cucc_gd, users):
    _, gd = risk_alert_upsert(hit=hit_on(outlet_gd))
    _, cucc_gd = risk_alert_upsert(hit=hit_on(outlet_cucc_gd))
    _, bj = risk_alert_upsert(hit=hit_on(outlet_bj))

    assert set(alerts_in_scope(users["inspector_gd"])) == {gd, cucc_gd}
    assert set(alerts_in_scope(users["inspector"])) == {gd, cucc_gd, bj}
    assert set(alerts_in_scope(users["carrier_admin"])) == {gd, bj}  # CMCC's
    assert not alerts_in_scope(users["staff"]).exists()


def test_the_list_ranks_by_score_and_shows_open_alerts_by_default(outlet_gd, outlet_bj, users):
    _, low = risk_alert_upsert(hit=hit_on(outlet_gd, score=2.5))
    _, high = risk_alert_upsert(hit=hit_on(outlet_bj, score=9.0))
    _, closed = risk_alert_upsert(hit=hit_on(outlet_gd, score=12.0, signal="burst"))
    risk_alert_change(alert=closed, actor=users["inspector"], step="dismiss", note="Opening day")

    assert list(alert_list(user=users["inspector"], filters=AlertFilters())) == [high, low]
    everything = alert_list(user=users["inspector"], filters=AlertFilters(status="all"))
    assert list(everything)[0] == closed


def test_the_evaluation_task_turns_hits_into_alerts_once(outlet_gd, outlet_bj, users):
    now = timezone.now()
    craft(outlet_gd, 3, by=users["staff"], status=Registration.Status.VERIFYING,
          at=now - timedelta(hours=4))  # fmt: skip

    assert evaluate_risk() == {"hits": 1, "raised": 1, "updated": 0, "cooling_down": 0}
    assert evaluate_risk()["updated"] == 1
    alert = RiskAlert.objects.get()
    assert alert.signal == "stuck" and alert.outlet == outlet_gd
    assert alert.registrations.count() == 3


def test_an_evaluation_of_a_quiet_nation_raises_nothing(outlet_gd, users):
    craft(outlet_gd, 5, by=users["staff"])

    assert risk_evaluate().hits == 0
    assert not RiskAlert.objects.exists()


def test_beat_runs_the_evaluation_and_the_task_answers_its_summary(settings, outlet_gd):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert evaluate_risk.name == "supervision.evaluate_risk" and evaluate_risk.name in schedule

    assert evaluate_risk.apply().get() == {
        "hits": 0,
        "raised": 0,
        "updated": 0,
        "cooling_down": 0,
    }


def test_a_spot_check_oversamples_the_strata_of_open_alerts_only(outlet_gd, outlet_bj, users):
    from datetime import date

    from portal.supervision.selectors.spot_checks import Population
    from portal.supervision.services.spot_checks import oversampled_strata_suggested

    _raised, open_alert = risk_alert_upsert(hit=hit_on(outlet_gd))
    _raised, dismissed = risk_alert_upsert(hit=hit_on(outlet_bj))
    risk_alert_change(
        alert=dismissed, actor=users["inspector"], step="dismiss", note="Seasonal peak"
    )
    population = Population(decided_from=date(2026, 1, 1), decided_to=date(2026, 12, 31))

    for inspector in ("inspector", "inspector_gd"):
        assert oversampled_strata_suggested(user=users[inspector], population=population) == [
            (outlet_gd.operator_id, "440000")
        ]
    assert open_alert.is_open and not RiskAlert.objects.get(pk=dismissed.pk).is_open
