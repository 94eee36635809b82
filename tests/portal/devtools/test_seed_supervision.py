"""seed_demo plants what the supervision pages need: alerts that fire, a fairness gap, an
overdue notice and a finished spot check; and a re-run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from portal.devtools.supervision_demo import (
    BURST_OUTLET,
    FAIRNESS_PROVINCE,
    NIGHT_OUTLET,
    REVIEW_OUTLETS,
)
from portal.supervision.models import DecisionRollup, Notice, RiskAlert, SpotCheck
from registrations.models import Outlet, Registration

N = 300  # as test_seed_demo.py
OVER_60 = ("60-69", "70+")
OTHER_PROVINCES = ["110000", "310000", "320000", "330000", "510000"]


def seed(registrations: int = N) -> str:
    out = io.StringIO()
    call_command("seed_demo", registrations=registrations, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(monkeypatch) -> str:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-under-test")
    return seed()


def _open_alerts(signal: str):
    return RiskAlert.objects.filter(signal=signal, status__in=RiskAlert.OPEN_STATUSES)


def _outlet(spec) -> Outlet:
    operator, code = spec
    return Outlet.objects.get(operator__code=operator, code=code)


@pytest.mark.django_db
def test_it_raises_a_burst_alert_for_the_busy_outlet_only(seeded):
    alerts = _open_alerts("burst")

    assert [a.outlet for a in alerts] == [_outlet(BURST_OUTLET)]
    assert alerts.get().detail["peak_count"] >= 20
    assert alerts.get().registrations.count() >= 20


@pytest.mark.django_db
def test_it_raises_an_out_of_hours_alert_for_the_night_outlet(seeded):
    night = _outlet(NIGHT_OUTLET)
    outlets = {a.outlet for a in _open_alerts("out_of_hours_share").filter(subject_kind="outlet")}

    assert outlets == {night}
    alert = _open_alerts("out_of_hours_share").get(outlet=night)
    assert alert.detail["rate"] > 0.25 > 3 * alert.detail["baseline_rate"]


@pytest.mark.django_db
def test_it_raises_an_override_alert_for_the_carrier_admin_reviewing_in_guangdong(seeded):
    review_province = _outlet(REVIEW_OUTLETS[0]).province_id
    alerts = _open_alerts("override_rate")

    assert [(a.staff.username, a.province_id) for a in alerts] == [
        ("carrier_admin_cmcc", review_province)
    ]
    assert alerts.get().detail["rate"] > 0.5 > 5 * alerts.get().detail["baseline_rate"]


def _rejection_rate(**lookup) -> float:
    rows = DecisionRollup.objects.filter(**lookup)
    decided = rows.aggregate(n=Sum("n"))["n"] or 0
    rejected = rows.filter(outcome="rejected").aggregate(n=Sum("n"))["n"] or 0
    assert decided >= 10, lookup
    return rejected / decided


@pytest.mark.django_db
def test_the_rollups_show_over_60s_rejected_far_more_often_in_the_planted_province(seeded):
    over_60 = _rejection_rate(province_code=FAIRNESS_PROVINCE, age_band__in=OVER_60)
    younger = _rejection_rate(province_code=FAIRNESS_PROVINCE, age_band__in=["18-29", "30-39",
                              "40-49", "50-59"])  # fmt: skip
    elsewhere = _rejection_rate(age_band__in=OVER_60, province_code__in=OTHER_PROVINCES)

    assert over_60 > 0.4
    assert over_60 > 2.5 * younger
    assert over_60 > 2 * elsewhere


@pytest.mark.django_db
def test_the_rollups_were_rebuilt_from_the_bulk_rows(seeded):
    decided = Registration.objects.filter(
        status__in=["approved", "rejected", "cancelled"], decided_at__isnull=False
    )

    assert DecisionRollup.objects.aggregate(n=Sum("n"))["n"] == decided.count()
    assert DecisionRollup.objects.filter(override=True).exists()


@pytest.mark.django_db
def test_it_leaves_an_open_notice_past_its_deadline_by_the_demo_inspector(seeded):
    notice = Notice.objects.select_related("finding__recorded_by").get()

    assert notice.status == Notice.Status.ISSUED
    assert notice.is_overdue
    assert notice.deadline < timezone.localdate() - timezone.timedelta(days=1)
    assert notice.issued_at.date() < notice.deadline
    assert notice.finding.recorded_by.username == "inspector"
    assert notice.finding.outlets.get() == _outlet(BURST_OUTLET)


@pytest.mark.django_db
def test_it_leaves_a_finished_spot_check_with_some_disagreements(seeded):
    campaign = SpotCheck.objects.get()
    samples = list(campaign.samples.all())

    assert campaign.status == SpotCheck.Status.CLOSED
    assert len(samples) == campaign.drawn_size >= 10
    assert all(sample.adjudicated for sample in samples)
    disagreeing = [s for s in samples if s.agrees is False]
    assert 0 < len(disagreeing) < len(samples) / 3
    assert all(s.note for s in disagreeing)


@pytest.mark.django_db
def test_it_prints_what_the_supervision_commands_did(seeded):
    assert "supervision_rollup_rebuild: " in seeded
    assert "supervision_evaluate_risk: " in seeded
    assert "alerts raised" in seeded
    assert "supervision_demo: overdue notice: N-" in seeded


def _supervision_state() -> tuple:
    return (
        RiskAlert.objects.count(),
        sorted(RiskAlert.objects.values_list("pk", "times_seen", "score")),
        Notice.objects.count(),
        SpotCheck.objects.count(),
        DecisionRollup.objects.aggregate(n=Sum("n"))["n"],
    )


@pytest.mark.django_db
def test_a_second_run_adds_nothing_to_the_supervision(seeded):
    before = _supervision_state()

    output = seed()

    assert _supervision_state() == before
    assert "supervision_" not in output


@pytest.mark.django_db
def test_the_supervision_demo_command_alone_is_idempotent(seeded):
    before = _supervision_state()
    out = io.StringIO()

    call_command("supervision_demo", stdout=out)

    assert _supervision_state() == before
    assert "overdue notice: kept" in out.getvalue()
    assert "finished spot check: kept" in out.getvalue()


@pytest.mark.django_db
def test_it_seeds_without_registrations_and_without_supervision_records(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-under-test")

    output = seed(0)

    assert "supervision_" not in output
    assert not RiskAlert.objects.exists()
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_every_case_waiting_for_review_has_the_attempt_that_sent_it_there(seeded):
    from verification.selectors import MatchBand, review_case

    waiting = Registration.objects.filter(status="review")
    assert waiting.exists()
    for registration in waiting:
        [attempt] = review_case(registration=registration).attempts
        assert attempt.job.outcome == "review"
        assert list(attempt.job.reasons) == list(registration.decision_reasons)
        assert attempt.match["distance"] is not None
        assert attempt.band in set(MatchBand)
        assert attempt.liveness["challenge"] == ["turn_left", "blink", "turn_right"]
        if "no_blink" in registration.decision_reasons:
            assert attempt.liveness["blinks"] == 0 and not attempt.liveness["challenge_met"]
        if "too_blurry" in registration.decision_reasons:
            assert (
                attempt.quality["capture_sharpness"]
                < attempt.job.result["thresholds"]["min_sharpness"]
            )
        if "no_match" in registration.decision_reasons:
            assert attempt.band == MatchBand.NONE
