"""The rollups move with every change of a registration, in its transaction."""

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings

from portal.supervision.models import (
    DecisionDayRollup,
    DecisionRollup,
    EvidenceViewRollup,
    ReasonRollup,
    StatusRollup,
)
from portal.supervision.models.rollups import HISTOGRAM_FIELDS
from portal.supervision.services.rollups import age_band, duration_bucket, sex_of
from registrations import rules
from registrations import services as registration_services
from registrations.errors import RegistrationError
from registrations.models import Subscriber
from tests.factories import create_registration, store_stand_in_portrait, subscriber_details
from verification import services as verification_services

pytestmark = pytest.mark.django_db

# Enough of a WebM file for the capture's checks (the engine never runs in these tests).
CLIP = b"\x1a\x45\xdf\xa3" + b"\x00" * 60


@dataclass
class EngineAnswer:
    """What the engine returns, as far as the job's completion reads it."""

    decision: str
    reasons: list[str]
    engine_version: str = "test"
    timings_ms: dict = field(default_factory=dict)
    key_frames: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"decision": self.decision, "reasons": list(self.reasons)}


@contextlib.contextmanager
def clock(moment: datetime):
    """Every ``timezone.now()`` (services, auto_now fields) answers ``moment``."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def prepare_capture(registration, actor):
    verification_services.consent_record(
        registration=registration, actor=actor, text_version=settings.BIOMETRIC_CONSENT_VERSION
    )
    store_stand_in_portrait(registration)


def capture(registration, actor, source="camera"):
    challenge = verification_services.challenge_issue(registration=registration, actor=actor)
    return verification_services.capture_submit(
        registration=registration, actor=actor, nonce=challenge.nonce, data=CLIP, source=source
    )


def run_job(job, decision="pass", reasons=()):
    """A worker's run of ``job`` with the engine answering ``decision``."""
    verification_services.verification_job_start(job_id=job.pk)
    answer = EngineAnswer(decision=decision, reasons=list(reasons))
    verification_services.verification_job_complete(job_id=job.pk, result=answer)
    job.registration.refresh_from_db()
    return job.registration


def status_counts(**filters) -> dict[str, int]:
    rows = StatusRollup.objects.filter(**filters).exclude(n=0)
    return {row.status: row.n for row in rows}


def test_a_new_draft_is_counted_on_its_day_in_shanghai(users, outlet_gd):
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai.
    with clock(datetime(2026, 3, 1, 17, 30, tzinfo=UTC)):
        registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    (row,) = StatusRollup.objects.all()
    assert (row.day, row.status, row.n) == (date(2026, 3, 2), "draft", 1)
    assert (row.operator_id, row.province_code) == (outlet_gd.operator_id, "440000")
    assert (row.outlet_id, row.staff_id, row.channel) == (outlet_gd.pk, users["staff"].pk, "outlet")
    assert registration.status == "draft"


def test_each_step_moves_the_count_from_the_old_status_to_the_new(users, outlet_gd):
    create_registration(actor=users["staff"], outlet=outlet_gd, status="cancelled")
    create_registration(actor=users["staff"], outlet=outlet_gd, status="review")
    assert status_counts() == {"cancelled": 1, "review": 1}
    assert sum(row.n for row in StatusRollup.objects.all()) == 2


def test_an_online_registration_counts_with_no_outlet(users, cmcc, guangdong):
    registration_services.registration_create(
        actor=users["partner"],
        subscriber=subscriber_details(),
        operator=cmcc,
        msisdn="13900000001",
        iccid=rules.make_iccid(body="898600000000000000"),
        province=guangdong,
    )
    (row,) = StatusRollup.objects.all()
    assert (row.outlet_id, row.channel, row.staff_id) == (0, "online", users["partner"].pk)


def test_a_refused_step_leaves_no_count(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    with pytest.raises(RegistrationError):
        # An outlet registration is submitted only by its capture.
        registration_services.registration_submit(registration=registration, actor=users["staff"])
    assert status_counts() == {"draft": 1}


def test_a_decision_by_the_engine_is_counted_with_its_subscriber_and_capture(users, outlet_gd):
    upload_at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    registration = create_registration(
        actor=users["staff"],
        outlet=outlet_gd,
        # Born 1 January 1960, sequence 7 (odd 17th digit: a man), 66 at the decision.
        subscriber=subscriber_details(
            id_number=rules.make_resident_id(
                area_code="440103", birth_date=date(1960, 1, 1), sequence=7
            ),
            birth_date=date(1960, 1, 1),
        ),
    )
    prepare_capture(registration, users["staff"])
    with clock(upload_at):
        job = capture(registration, users["staff"])
    with clock(upload_at + timedelta(seconds=90)):
        run_job(job, "pass")
    (row,) = DecisionRollup.objects.all()
    assert (row.day, row.outcome, row.n, row.seconds) == (date(2026, 3, 2), "approved", 1, 90)
    assert (row.age_band, row.sex, row.source, row.attempts) == ("60-69", "male", "camera", 1)
    assert (row.reviewer_id, row.override) == (0, False)
    assert row.h07 == 1, "90 s falls in the bucket [64, 128) s"
    assert status_counts() == {"approved": 1}


def test_a_retake_then_a_rejection_counts_two_attempts_and_the_reasons(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    prepare_capture(registration, users["staff"])
    run_job(capture(registration, users["staff"]), "fail", ["no_blink"])
    assert not DecisionRollup.objects.exists(), "a retake is no decision"
    run_job(capture(registration, users["staff"]), "fail", ["no_match"])
    (row,) = DecisionRollup.objects.all()
    assert (row.outcome, row.attempts) == ("rejected", 2)
    reasons = {(r.outcome, r.reason): r.n for r in ReasonRollup.objects.all()}
    assert reasons == {("rejected", "no_match"): 1}


def day_histogram_total(row) -> int:
    return sum(getattr(row, name) for name in HISTOGRAM_FIELDS)


def test_a_reviewer_rejecting_what_the_engine_passed_is_a_manual_override(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    prepare_capture(registration, users["staff"])
    # An uploaded file the engine passes goes to a person.
    registration = run_job(capture(registration, users["staff"], source="upload"), "pass")
    assert registration.status == "review"
    assert not DecisionRollup.objects.exists(), "in review, not decided yet"
    verification_services.review_decide(
        registration=registration, reviewer=users["carrier_admin"], approve=False, note="Not her"
    )
    (row,) = DecisionRollup.objects.all()
    assert (row.outcome, row.reviewer_id, row.override) == (
        "rejected",
        users["carrier_admin"].pk,
        True,
    )
    assert (row.source, row.sex) == (
        "upload",
        sex_of(registration.subscriber.sex),
    )
    assert status_counts() == {"rejected": 1}
    (day,) = DecisionDayRollup.objects.all()
    assert (day.outcome, day.n, day.reviewed, day.overrides, day.retaken) == (
        "rejected", 1, 1, 1, 0,
    )  # fmt: skip
    assert (day.staff_id, day.seconds, day_histogram_total(day)) == (
        users["staff"].pk,
        row.seconds,
        1,
    )


def test_a_reviewer_agreeing_with_the_engine_is_no_override(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd)
    prepare_capture(registration, users["staff"])
    registration = run_job(capture(registration, users["staff"], source="upload"), "pass")
    verification_services.review_decide(
        registration=registration, reviewer=users["carrier_admin"], approve=True, note="Her"
    )
    (row,) = DecisionRollup.objects.all()
    assert (row.outcome, row.override) == ("approved", False)
    (day,) = DecisionDayRollup.objects.all()
    assert (day.n, day.reviewed, day.overrides) == (1, 1, 0)


def test_a_cancellation_keeps_the_decision_and_moves_the_status(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    registration_services.registration_cancel(registration=registration, actor=users["staff"])
    assert status_counts() == {"cancelled": 1}
    assert [(row.outcome, row.n) for row in DecisionRollup.objects.all()] == [("approved", 1)]


def test_opening_a_viewing_grant_counts_an_evidence_view(users, outlet_gd):
    registration = create_registration(actor=users["staff"], outlet=outlet_gd, status="approved")
    verification_services.viewing_grant_open(
        registration=registration, viewer=users["inspector"], reason="Routine inspection"
    )
    (row,) = EvidenceViewRollup.objects.all()
    assert (row.operator_id, row.province_code, row.n) == (outlet_gd.operator_id, "440000", 1)


@pytest.mark.parametrize(
    ("born", "on", "band"),
    [
        (date(2000, 6, 2), date(2018, 6, 1), "0-17"),
        (date(2000, 6, 1), date(2018, 6, 1), "18-29"),
        (date(1966, 1, 1), date(2026, 1, 1), "60-69"),
        (date(1920, 1, 1), date(2026, 1, 1), "70+"),
    ],
)
def test_the_age_band_is_the_age_on_the_day_of_the_decision(born, on, band):
    assert age_band(born, on) == band


@pytest.mark.parametrize(
    ("id_type", "id_number", "stored"),
    [("resident_id", "44010319900101001X", "male"), ("resident_id", "440103199001010020", "female"),
     ("passport", "E12345678", "")],
)  # fmt: skip
def test_the_sex_is_stored_from_the_17th_digit_of_a_resident_id_only(id_type, id_number, stored):
    subscriber = Subscriber.objects.create(
        id_type=id_type, id_number=id_number, full_name="Li Lei", birth_date=date(1990, 1, 1)
    )
    subscriber.refresh_from_db()
    assert subscriber.sex == stored
    assert sex_of(subscriber.sex) == (stored or "unknown")


@pytest.mark.parametrize(("seconds", "bucket"), [(0, 0), (1, 1), (3, 2), (4, 3), (10**9, 19)])
def test_durations_fall_in_log_spaced_buckets(seconds, bucket):
    assert duration_bucket(seconds) == bucket
