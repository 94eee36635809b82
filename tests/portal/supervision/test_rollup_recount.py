"""PostgreSQL's recount of the decision facts gives what decision_fact gives, row by row.

The rebuild counts the facts in SQL on PostgreSQL (rollups_recount.py). Here registrations
are bent to the edges each step of decision_fact draws a line at: a birthday on the day of
the decision, a decision just before and after local midnight, durations at powers of two,
negative and over three days, long and repeated reasons, attempts whose last job did not
finish, a reviewer against the engine. Both counts must be the same.
"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.supervision.models.rollups import DecisionDayRollup, DecisionRollup, ReasonRollup
from portal.supervision.services.rollups import _decision_rows, rollups_rebuild
from registrations.models import Registration, Subscriber
from tests.factories import create_registration, is_postgres, subscriber_details
from verification.models import Challenge, VerificationJob

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not is_postgres(), reason="the recount in SQL is PostgreSQL's"),
]

# 2026-03-01 00:00 in Shanghai is 2026-02-28 16:00 UTC.
MIDNIGHT = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
DECISION_DAY = date(2026, 3, 1)


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years)


# (status, decided_at, seconds from upload to decision (None: no upload time), birth date,
#  sex, reasons, decided by the reviewer, jobs as (source, status, decision))
CASES = [
    ("approved", MIDNIGHT - timedelta(seconds=1), 0, _years_before(DECISION_DAY, 18), "male",
     [], False, []),
    ("approved", MIDNIGHT, 1, _years_before(DECISION_DAY, 18), "female", [], False,
     [("camera", "done", "pass")]),
    ("rejected", MIDNIGHT + timedelta(hours=2), 7.999, _years_before(DECISION_DAY, 18)
     + timedelta(days=1), "", ["no_match", "no_match"], False, [("camera", "done", "fail")]),
    ("approved", MIDNIGHT + timedelta(hours=3), 8, _years_before(DECISION_DAY, 60), "male",
     ["x" * 45], True, [("camera", "done", "fail"), ("upload", "queued", "")]),
    ("rejected", MIDNIGHT + timedelta(hours=4), 2**18, _years_before(DECISION_DAY, 70),
     "female", ["人脸不匹配" * 10, "no_blink"], True, [("upload", "done", "pass")]),
    ("cancelled", MIDNIGHT + timedelta(hours=5), 10**7, date(2000, 2, 29), "male",
     ["no_face"], False, [("camera", "failed", ""), ("camera", "done", "review")]),
    ("approved", MIDNIGHT + timedelta(hours=6), -30, date(1956, 3, 2), "female", [], True,
     [("camera", "done", "pass")]),
    ("rejected", MIDNIGHT + timedelta(hours=7), None, date(1990, 2, 28), "male",
     ["no_match"], True, []),
]  # fmt: skip


def _jobs(registration, actor, jobs) -> None:
    for attempt, (source, status, decision) in enumerate(jobs, start=1):
        challenge = Challenge.objects.create(
            id=uuid.uuid4(),
            nonce=uuid.uuid4().hex,
            registration=registration,
            actions=["blink"],
            issued_to=actor,
            issued_at=registration.decided_at - timedelta(minutes=5),
            expires_at=registration.decided_at + timedelta(minutes=5),
        )
        VerificationJob.objects.create(
            registration=registration,
            challenge=challenge,
            attempt=attempt,
            source=source,
            status=status,
            decision=decision,
            outcome=VerificationJob.Outcome.REVIEW if status == "done" else "",
            finished_at=registration.decided_at if status == "done" else None,
            created_by=actor,
        )


def _bent(users, outlet, case, number: int) -> None:
    status, decided, seconds, born, sex, reasons, reviewed, jobs = case
    registration = create_registration(
        actor=users["staff"],
        outlet=outlet,
        subscriber=subscriber_details(number=900 + number),
        status=status,
    )
    Subscriber.objects.filter(pk=registration.subscriber_id).update(birth_date=born, sex=sex)
    submitted = None if seconds is None else decided - timedelta(seconds=seconds)
    Registration.objects.filter(pk=registration.pk).update(
        decided_at=decided,
        submitted_at=submitted,
        decision_reasons=reasons,
        decided_by=users["carrier_admin"] if reviewed else None,
    )
    registration.refresh_from_db()
    _jobs(registration, users["staff"], jobs)


def _rows(instances) -> list[dict]:
    """Rows as sorted comparable dicts, without their ids."""
    rows = [{k: v for k, v in row.items() if k != "id"} for row in instances]
    return sorted(rows, key=lambda row: sorted((k, str(v)) for k, v in row.items()))


def test_the_sql_recount_writes_what_decision_fact_counts_at_every_edge(users, outlet_gd):
    for number, case in enumerate(CASES):
        _bent(users, outlet_gd, case, number)
    in_python = {
        model: _rows({f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
                     for obj in objects)
        for model, objects in _decision_rows().items()
    }  # fmt: skip

    rollups_rebuild(actor=None)

    in_sql = {model: _rows(model.objects.values()) for model in in_python}
    assert set(in_sql) == {DecisionRollup, DecisionDayRollup, ReasonRollup}
    assert in_sql == in_python
    decisions = in_sql[DecisionRollup]
    assert {row["age_band"] for row in decisions} >= {"0-17", "18-29", "60-69", "70+"}
    assert {row["day"] for row in decisions} == {DECISION_DAY - timedelta(days=1), DECISION_DAY}
    assert any(row["override"] for row in decisions)
    assert {row["attempts"] for row in decisions} == {0, 1, 2}
    assert {row["reason"] for row in in_sql[ReasonRollup]} >= {"x" * 40, "人脸不匹配" * 8}
    assert sum(row["n"] for row in decisions) == len(CASES)
    assert sum(row["h19"] for row in decisions) == 2  # 2^18 s and more
    assert sum(row["overrides"] for row in in_sql[DecisionDayRollup]) >= 1
