"""Each risk signal on crafted data: it fires on the unit it should, and stays silent under
the minimum volume and within normal variation. Rows are written in bulk (the signals read
rows, whichever service wrote them), their times set by hand."""

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from portal.accounts.roles import Role
from portal.accounts.services import user_create
from portal.supervision.risk import (
    bursts,
    captures,
    disputes,
    hours,
    identities,
    overrides,
    rates,
    stuck,
)
from portal.supervision.risk.base import RiskConfig, SubjectKind
from portal.supervision.risk.registry import SIGNALS, evaluate_all
from registrations import rules
from registrations.models import Registration, Subscriber
from tests.factories import PASSWORD, make_outlet, next_iccid, next_msisdn
from verification.models import Challenge, VerificationJob

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Registration.Status
CONFIG = RiskConfig()  # the documented defaults: min volume 30, p < 0.01
_people = itertools.count(1)


# -- crafting rows --------------------------------------------------------------------------


def subscribers(count: int) -> list[Subscriber]:
    rows = []
    for _ in range(count):
        number = next(_people)
        born = date(1960, 1, 1) + timedelta(days=number // 1000)
        rows.append(
            Subscriber(
                id_type=Subscriber.IdType.RESIDENT_ID,
                id_number=rules.make_resident_id(
                    area_code="440103", birth_date=born, sequence=number % 1000
                ),
                full_name="Wang Fang",
                birth_date=born,
            )
        )
    return Subscriber.objects.bulk_create(rows)


def craft(
    outlet,
    count: int,
    *,
    by,
    status: str = Status.APPROVED,
    at: datetime | None = None,
    decided_by=None,
    subscriber=None,
) -> list[Registration]:
    """``count`` registrations at ``outlet`` created by ``by`` at ``at`` (a day ago)."""
    at = at or timezone.now() - timedelta(days=1)
    people = [subscriber] * count if subscriber else subscribers(count)
    rows = Registration.objects.bulk_create(
        Registration(
            subscriber=person,
            operator=outlet.operator,
            outlet=outlet,
            channel=Registration.Channel.OUTLET,
            province=outlet.province,
            msisdn="+86" + next_msisdn(),
            iccid=next_iccid(),
            status=status,
            created_by=by,
            decided_by=decided_by,
            submitted_at=at,
            decided_at=at if status not in (Status.SUBMITTED, Status.VERIFYING) else None,
        )
        for person in people
    )
    Registration.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=at)
    return rows


def job(
    registration,
    *,
    attempt: int = 1,
    source: str = VerificationJob.Source.CAMERA,
    outcome: str = VerificationJob.Outcome.APPROVED,
    decision: str = "pass",
    distance: float = 0.3,
) -> VerificationJob:
    now = timezone.now()
    challenge = Challenge.objects.create(
        nonce=f"nonce-{registration.pk}-{attempt}",
        registration=registration,
        actions=["blink"],
        issued_to=registration.created_by,
        issued_at=now - timedelta(minutes=5),
        expires_at=now,
    )
    return VerificationJob.objects.create(
        registration=registration,
        challenge=challenge,
        attempt=attempt,
        source=source,
        status=VerificationJob.Status.DONE,
        decision=decision,
        outcome=outcome,
        result={"match": {"distance": distance, "pass_threshold": 0.55}},
        created_by=registration.created_by,
        finished_at=now,
    )


@pytest.fixture
def peers(cmcc, guangdong, outlet_gd):
    """Three CMCC outlets in Guangdong, each with its own member of staff."""
    outlets = [
        outlet_gd,
        make_outlet(cmcc, guangdong, "GD-002"),
        make_outlet(cmcc, guangdong, "GD-003"),
    ]
    staff = [
        user_create(
            username=f"peer_staff_{i}", password=PASSWORD, role=Role.OUTLET_STAFF,
            operator=cmcc, outlets=[outlet],
        )
        for i, outlet in enumerate(outlets)
    ]  # fmt: skip
    return list(zip(outlets, staff, strict=True))


def subjects(hits) -> set[tuple[str, str, int]]:
    return {(hit.signal, hit.subject.kind, hit.subject.pk) for hit in hits}


# -- failure, review and retake rates ---------------------------------------------------------


def test_a_failure_rate_far_above_the_peers_flags_the_outlet_and_its_staff(peers):
    (suspect, suspect_staff), *others = peers
    rejected = craft(suspect, 20, by=suspect_staff, status=Status.REJECTED)
    craft(suspect, 20, by=suspect_staff)
    for outlet, staff in others:
        craft(outlet, 2, by=staff, status=Status.REJECTED)
        craft(outlet, 38, by=staff)

    now = timezone.now()
    outlet_hits = rates.failure_rate(kind=SubjectKind.OUTLET, now=now, config=CONFIG)
    staff_hits = rates.failure_rate(kind=SubjectKind.STAFF, now=now, config=CONFIG)

    assert subjects(outlet_hits) == {("failure_rate", "outlet", suspect.pk)}
    assert subjects(staff_hits) == {("failure_rate", "staff", suspect_staff.pk)}
    hit = outlet_hits[0]
    assert set(hit.registration_ids) == {r.pk for r in rejected}
    assert hit.detail["baseline"] == "peers"
    assert hit.detail["rate"] == 0.5 and hit.detail["baseline_rate"] == 0.05
    assert hit.detail["p"] < 0.01 and hit.score > 2
    assert (hit.subject.operator_id, hit.subject.province_id) == (suspect.operator_id, "440000")


def test_a_failure_rate_within_normal_variation_is_silent(peers):
    (suspect, suspect_staff), *others = peers
    craft(suspect, 4, by=suspect_staff, status=Status.REJECTED)
    craft(suspect, 36, by=suspect_staff)
    for outlet, staff in others:
        craft(outlet, 2, by=staff, status=Status.REJECTED)
        craft(outlet, 38, by=staff)

    assert rates.failure_rate(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG) == []


def test_a_high_failure_rate_under_the_minimum_volume_is_silent(peers):
    (suspect, suspect_staff), *others = peers
    craft(suspect, 8, by=suspect_staff, status=Status.REJECTED)
    craft(suspect, 2, by=suspect_staff)
    for outlet, staff in others:
        craft(outlet, 40, by=staff)

    assert rates.failure_rate(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG) == []


def test_a_significant_but_small_difference_on_a_large_volume_is_silent(peers):
    (suspect, suspect_staff), *others = peers
    craft(suspect, 140, by=suspect_staff, status=Status.REJECTED)  # 14% of 1000
    craft(suspect, 860, by=suspect_staff)
    for outlet, staff in others:  # 10% of 2000
        craft(outlet, 100, by=staff, status=Status.REJECTED)
        craft(outlet, 900, by=staff)
    now = timezone.now()

    assert rates.failure_rate(kind="outlet", now=now, config=CONFIG) == []
    # Significant all the same (p ~ 0.0006): only the ratio, 1.4 < 1.5, keeps it quiet.
    (hit,) = rates.failure_rate(kind="outlet", now=now, config=RiskConfig(min_ratio=1.0))
    assert hit.subject.pk == suspect.pk and hit.detail["p"] < 0.001


def test_registrations_older_than_the_window_do_not_count(peers):
    (suspect, suspect_staff), *others = peers
    long_ago = timezone.now() - timedelta(days=CONFIG.window_days + 1)
    craft(suspect, 30, by=suspect_staff, status=Status.REJECTED, at=long_ago)
    craft(suspect, 30, by=suspect_staff)
    for outlet, staff in others:
        craft(outlet, 40, by=staff)

    assert rates.failure_rate(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG) == []


def test_without_peers_in_its_province_an_outlet_is_measured_against_the_nation(
    peers, outlet_bj, users
):
    suspect = outlet_bj  # the only CMCC outlet in Beijing
    craft(suspect, 15, by=users["staff_bj"], status=Status.REJECTED)
    craft(suspect, 25, by=users["staff_bj"])
    for outlet, staff in peers:
        craft(outlet, 1, by=staff, status=Status.REJECTED)
        craft(outlet, 39, by=staff)

    hits = rates.failure_rate(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("failure_rate", "outlet", suspect.pk)}
    assert hits[0].detail["baseline"] == "nation"


def test_a_review_rate_above_the_peers_flags_the_outlet(peers):
    (suspect, suspect_staff), *others = peers
    craft(suspect, 18, by=suspect_staff, status=Status.REVIEW)
    craft(suspect, 22, by=suspect_staff)
    for outlet, staff in others:
        craft(outlet, 3, by=staff, status=Status.REVIEW)
        craft(outlet, 37, by=staff)

    hits = rates.review_rate(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("review_rate", "outlet", suspect.pk)}


def test_a_retake_rate_above_the_peers_flags_the_staff_member(peers):
    (suspect, suspect_staff), *others = peers
    for i, registration in enumerate(craft(suspect, 40, by=suspect_staff)):
        if i < 20:
            job(registration, outcome=VerificationJob.Outcome.RETAKE, decision="fail")
            job(registration, attempt=2)
        else:
            job(registration)
    for outlet, staff in others:
        for i, registration in enumerate(craft(outlet, 40, by=staff)):
            job(registration, outcome="retake" if i < 2 else "approved")

    now = timezone.now()
    hits = rates.retake_rate(kind=SubjectKind.STAFF, now=now, config=CONFIG)

    assert subjects(hits) == {("retake_rate", "staff", suspect_staff.pk)}
    assert hits[0].detail["x"] == 20 and hits[0].detail["n"] == 40
    assert len(hits[0].registration_ids) == 20


# -- manual overrides ---------------------------------------------------------------------------


def test_a_reviewer_who_often_decides_against_the_engine_is_flagged(peers, cmcc):
    (outlet, staff), *_ = peers
    often, seldom = (
        user_create(username=name, password=PASSWORD, role=Role.CARRIER_ADMIN, operator=cmcc)
        for name in ("reviewer_often", "reviewer_seldom")
    )
    # The engine passed them all (uploaded files held for a person); the reviewer decides.
    for i, registration in enumerate(craft(outlet, 40, by=staff, decided_by=often)):
        if i < 20:
            Registration.objects.filter(pk=registration.pk).update(status=Status.REJECTED)
        job(registration, source="upload", outcome="review", decision="pass")
    for i, registration in enumerate(craft(outlet, 40, by=staff, decided_by=seldom)):
        if i < 2:
            Registration.objects.filter(pk=registration.pk).update(status=Status.REJECTED)
        job(registration, source="upload", outcome="review", decision="pass")
    # A case the engine sent to review itself suggests nothing: no override either way.
    for registration in craft(outlet, 40, by=staff, decided_by=seldom, status=Status.REJECTED):
        job(registration, outcome="review", decision="review")

    hits = overrides.override_rate(kind=SubjectKind.STAFF, now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("override_rate", "staff", often.pk)}
    assert hits[0].detail["x"] == 20 and hits[0].detail["n"] == 40
    assert hits[0].detail["baseline_x"] == 2 and hits[0].detail["baseline_n"] == 40


def test_reviewers_who_agree_with_the_engine_are_silent(peers, cmcc):
    (outlet, staff), *_ = peers
    for name in ("reviewer_a", "reviewer_b"):
        reviewer = user_create(
            username=name, password=PASSWORD, role=Role.CARRIER_ADMIN, operator=cmcc
        )
        for i, registration in enumerate(craft(outlet, 40, by=staff, decided_by=reviewer)):
            if i < 3:
                Registration.objects.filter(pk=registration.pk).update(status=Status.REJECTED)
            job(registration, source="upload", outcome="review", decision="pass")

    assert overrides.override_rate(kind="staff", now=timezone.now(), config=CONFIG) == []


# -- opening hours ----------------------------------------------------------------------------


def _local(days_ago: int, hour: int, minute: int = 0) -> datetime:
    day = (timezone.now() - timedelta(days=days_ago)).astimezone(SHANGHAI).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_an_outlet_working_at_night_is_flagged(peers):
    (suspect, suspect_staff), *others = peers
    night = craft(suspect, 15, by=suspect_staff, at=_local(2, 23, 30))
    craft(suspect, 5, by=suspect_staff, at=_local(2, 7, 59))
    craft(suspect, 20, by=suspect_staff, at=_local(2, 10))
    for outlet, staff in others:
        craft(outlet, 1, by=staff, at=_local(2, 21, 0))  # 21:00 is closed already
        craft(outlet, 39, by=staff, at=_local(2, 20, 59))

    hits = hours.out_of_hours_share(kind=SubjectKind.OUTLET, now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("out_of_hours_share", "outlet", suspect.pk)}
    assert hits[0].detail["x"] == 20
    assert {r.pk for r in night} <= set(hits[0].registration_ids)


def test_work_within_opening_hours_is_silent(peers):
    for outlet, staff in peers:
        craft(outlet, 40, by=staff, at=_local(2, 8, 0))
        craft(outlet, 1, by=staff, at=_local(2, 22, 0))

    assert hours.out_of_hours_share(kind="outlet", now=timezone.now(), config=CONFIG) == []


# -- bursts ------------------------------------------------------------------------------------


def test_an_hour_far_above_the_outlets_own_baseline_is_a_burst(peers):
    (quiet, quiet_staff), (busy, busy_staff), _ = peers
    now = timezone.now()
    # The day before the window: ~1 an hour at one outlet, ~12 an hour at the other.
    config = RiskConfig(burst_baseline_days=1)
    before = now - timedelta(hours=30)
    craft(quiet, 13, by=quiet_staff, at=before)
    craft(busy, 13 * 12, by=busy_staff, at=before)
    peak = now - timedelta(hours=3)
    burst_rows = craft(quiet, 15, by=quiet_staff, at=peak)
    craft(busy, 15, by=busy_staff, at=peak)  # 15 against 12 an hour: within its normal

    hits = bursts.burst(kind="outlet", now=now, config=config)

    assert subjects(hits) == {("burst", "outlet", quiet.pk)}
    assert hits[0].detail["peak_count"] == 15
    assert hits[0].detail["baseline_used"] == 2.0  # the floor: a quiet outlet's 1 an hour
    assert set(hits[0].registration_ids) == {r.pk for r in burst_rows}


def test_an_hour_under_the_minimum_count_is_no_burst(peers):
    (outlet, staff), *_ = peers
    craft(outlet, 9, by=staff, at=timezone.now() - timedelta(hours=2))

    assert bursts.burst(kind="outlet", now=timezone.now(), config=CONFIG) == []


# -- captures -----------------------------------------------------------------------------------


def test_an_outlet_uploading_files_instead_of_using_the_camera_is_flagged(peers):
    (suspect, suspect_staff), *others = peers
    for i, registration in enumerate(craft(suspect, 40, by=suspect_staff)):
        job(registration, source="upload" if i < 25 else "camera")
    for outlet, staff in others:
        for i, registration in enumerate(craft(outlet, 40, by=staff)):
            job(registration, source="upload" if i < 2 else "camera")

    hits = captures.uploaded_share(kind="outlet", now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("uploaded_share", "outlet", suspect.pk)}
    assert len(hits[0].registration_ids) == 25


def test_matches_just_under_the_pass_threshold_are_flagged(peers):
    (suspect, suspect_staff), *others = peers
    for i, registration in enumerate(craft(suspect, 40, by=suspect_staff)):
        job(registration, distance=0.54 if i < 20 else 0.31)
    for outlet, staff in others:
        for i, registration in enumerate(craft(outlet, 40, by=staff)):
            job(registration, distance=0.53 if i < 2 else 0.30)
    # Not matches at all: no part of the share, however close.
    for registration in craft(suspect, 10, by=suspect_staff, status=Status.REJECTED):
        job(registration, distance=0.60, decision="fail", outcome="rejected")

    hits = captures.near_threshold_share(kind="staff", now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("near_threshold_share", "staff", suspect_staff.pk)}
    assert hits[0].detail["n"] == 40 and hits[0].detail["x"] == 20
    assert hits[0].detail["threshold"] == 0.55


def test_matches_spread_as_usual_are_silent(peers):
    for outlet, staff in peers:
        for i, registration in enumerate(craft(outlet, 40, by=staff)):
            job(registration, distance=0.54 if i < 3 else 0.35)

    assert captures.near_threshold_share(kind="outlet", now=timezone.now(), config=CONFIG) == []


# -- one ID, several places --------------------------------------------------------------------


def test_one_id_registered_at_three_outlets_within_30_days_is_flagged(peers):
    person, other = subscribers(2)
    for outlet, staff in peers:
        craft(outlet, 1, by=staff, subscriber=person)
    for outlet, staff in peers[:2]:  # two outlets: a move, not a pattern
        craft(outlet, 1, by=staff, subscriber=other)

    hits = identities.id_spread(kind="subscriber", now=timezone.now(), config=CONFIG)

    assert subjects(hits) == {("id_spread", "subscriber", person.pk)}
    assert hits[0].detail["outlets"] == 3 and hits[0].detail["operators"] == 1
    assert len(hits[0].registration_ids) == 3


def test_registrations_at_other_outlets_long_ago_do_not_count(peers):
    (person,) = subscribers(1)
    long_ago = timezone.now() - timedelta(days=40)
    for i, (outlet, staff) in enumerate(peers):
        craft(outlet, 1, by=staff, subscriber=person, at=long_ago if i else None)

    assert identities.id_spread(kind="subscriber", now=timezone.now(), config=CONFIG) == []


# -- stuck ---------------------------------------------------------------------------------------


def test_registrations_stuck_before_a_decision_are_flagged_per_outlet(peers):
    (outlet, staff), (fresh_outlet, fresh_staff), _ = peers
    now = timezone.now()
    stuck_rows = craft(outlet, 2, by=staff, status=Status.VERIFYING, at=now - timedelta(hours=3))
    craft(fresh_outlet, 3, by=fresh_staff, status=Status.SUBMITTED, at=now - timedelta(minutes=10))
    craft(fresh_outlet, 3, by=fresh_staff, at=now - timedelta(hours=5))  # decided: not stuck

    hits = stuck.stuck(kind="outlet", now=now, config=CONFIG)

    assert subjects(hits) == {("stuck", "outlet", outlet.pk)}
    assert set(hits[0].registration_ids) == {r.pk for r in stuck_rows}
    assert hits[0].detail["stuck"] == 2


def test_disputes_past_their_deadline_are_flagged_per_outlet(peers):
    from portal.selfservice.models import Dispute

    (outlet, staff), (other_outlet, other_staff), _ = peers
    now = timezone.now()
    overdue = craft(outlet, 2, by=staff, at=now - timedelta(days=20))
    in_time = craft(other_outlet, 1, by=other_staff, at=now - timedelta(days=20))
    answered = craft(other_outlet, 1, by=other_staff, at=now - timedelta(days=40))
    for registration, due, status in [
        (overdue[0], now - timedelta(days=2), Dispute.Status.OPEN),
        (overdue[1], now - timedelta(hours=1), Dispute.Status.OPEN),
        (in_time[0], now + timedelta(days=3), Dispute.Status.OPEN),
        (answered[0], now - timedelta(days=9), Dispute.Status.ANSWERED),
    ]:
        Dispute.objects.create(
            registration=registration, subscriber=registration.subscriber, reason="not_mine",
            contact_msisdn="13900139000", opened_at=due - timedelta(days=15), due_at=due,
            status=status,
        )  # fmt: skip

    hits = disputes.overdue_disputes(kind="outlet", now=now, config=CONFIG)

    assert subjects(hits) == {("overdue_disputes", "outlet", outlet.pk)}
    assert set(hits[0].registration_ids) == {r.pk for r in overdue}
    assert hits[0].detail["overdue"] == 2
    assert disputes.overdue_disputes(kind="staff", now=now, config=CONFIG) == [], "no online"


# -- all together --------------------------------------------------------------------------------


def test_every_signal_runs_on_an_empty_nation_and_finds_nothing(db):
    assert evaluate_all(now=timezone.now(), config=CONFIG) == []


def test_the_registry_documents_every_signal():
    for spec in SIGNALS:
        assert spec.formula and spec.threshold and spec.min_volume
        assert spec.kinds
