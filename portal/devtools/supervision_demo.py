"""Patterns planted among the demo registrations, so that every supervision page has
something to show: a burst at one outlet, an outlet working at night, a reviewer who
overrides the engine often, and a province where over-60s are rejected far more often.

Planting rewrites some of the generated rows of a batch before they are written (never a
row that exists: those are not generated again). Which rows, and how, depends only on the
row's index, the number of registrations asked for and the world (ids, now), so the seed
stays idempotent. A planted row keeps its id, subscriber, operator, numbers and card; it may
move to another outlet of its operator (with that outlet's staff and province), get new
times and, for the reviews, a decision by the operator's carrier admin and the verification
job whose engine decision the review went against (or followed). A status only ever moves
from one that holds a number to one that does not, never back: the cap stays kept.

The patterns scale with the number of registrations (a burst must stand out of the outlet's
own hourly baseline, the night share out of its volume), and stay well above the signals'
minimum volumes at the test suite's few hundred registrations.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from portal.devtools.batches import (
    _Batch,
    _generate_batch,
    _registration_copy_text,
    _subscriber_copy_text,
    copy_line,
    copy_rows,
)
from portal.devtools.demo_results import DEMO_ENGINE_VERSION, demo_engine_result
from portal.devtools.history import _Outlet, _World
from portal.devtools.reference import (
    APPROVE_NOTES,
    HOLDING,
    NAMESPACE,
    REJECT_NOTES,
    REJECT_REASONS,
    REVIEW_REASONS,
    Status,
)
from registrations.models import Outlet
from verification.errors import VerificationCode
from verification.models import Challenge, VerificationJob

# Where the patterns are (operator, outlet code; a province code).
BURST_OUTLET = ("CMCC", "HI-HK-001")  # Haikou: a quiet outlet, then one very busy hour
NIGHT_OUTLET = ("CMCC", "SN-XA-001")  # Xi'an: much of its work after closing time
REVIEW_OUTLETS = (("CMCC", "GD-SZ-001"), ("CMCC", "GD-SZ-004"), ("CMCC", "GD-GZ-001"))
FAIRNESS_PROVINCE = "440000"  # Guangdong: over-60s rejected far more often
PLANTED_OPERATOR = "CMCC"

# How often the overriding reviewer, and the other reviewers, decide against the engine.
OVERRIDE_SHARE = 0.65
BASELINE_OVERRIDE_SHARE = 0.03
NIGHT_SHARE = 0.4  # of the night outlet's planted rows, outside opening hours
FAIRNESS_REJECT_SHARE = 0.6  # of over-60s' registrations in the province, rejected
WINDOW_DAYS = 27  # planted work falls within the risk signals' 30-day window
# The share of rows that are outlet rows of the planted operator (reference.py: 55 % of
# the registrations, 86 % of them at an outlet), to turn a wanted count into a chance.
_PLANTED_OPERATOR_OUTLET_SHARE = 0.55 * 0.86
_BASELINE_SHARE = 0.35

_SECOND = timedelta(seconds=1)
_HOUR = timedelta(hours=1)

# Row positions (portal.devtools.history.REGISTRATION_FIELDS).
_ID, _SUB, _OP, _OUTLET, _CHANNEL, _PROVINCE = 0, 1, 2, 3, 4, 5
_STATUS, _CREATED_BY, _DECIDED_BY, _REASONS, _NOTE = 8, 9, 10, 11, 12
_CREATED = 13

_UPLOADED = (VerificationCode.UPLOADED_FILE.value,)


def _unit(index: int, salt: int) -> float:
    """A well-mixed number in [0, 1) for (index, salt): splitmix64, cheap enough per row."""
    x = (index * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9 + 0x632BE59BD9B4E019) & (2**64 - 1)
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return (x ^ (x >> 31)) / 2**64


@dataclass(frozen=True)
class DemoPlan:
    """What to plant, worked out once per run from the number of registrations."""

    operator_id: int
    admin_ids: dict[int, int]  # operator id -> its carrier admin (the reviewer)
    burst: _Outlet
    burst_hour: datetime  # the start of the busy hour (UTC)
    night: _Outlet
    review: tuple[_Outlet, ...]
    review_province: str
    # Chances that a row of the planted operator at an outlet is taken for each pattern
    # (consecutive intervals of one number), and that another row is a baseline review.
    burst_chance: float
    review_chance: float
    night_chance: float
    baseline_chance: float
    over_60_born_by: date
    world: _World

    @property
    def now(self) -> datetime:
        return self.world.now


def demo_plan(*, total: int, world: _World) -> DemoPlan | None:
    """The plan for ``total`` registrations; None when the demo outlets are missing."""
    outlets = {o.id: o for op in world.operators for o in op.outlets}
    codes = dict(Outlet.objects.filter(pk__in=outlets).values_list("pk", "code").order_by())
    by_code = {codes[pk]: outlet for pk, outlet in outlets.items() if pk in codes}
    operator = next((op for op in world.operators if op.spec.code == PLANTED_OPERATOR), None)
    wanted = [BURST_OUTLET[1], NIGHT_OUTLET[1], *(code for _, code in REVIEW_OUTLETS)]
    if operator is None or total <= 0 or any(code not in by_code for code in wanted):
        return None
    eligible = max(1.0, total * _PLANTED_OPERATOR_OUTLET_SHARE)
    chances = [
        (20 + total // 5000) / eligible,  # a burst far above the outlet's own hours
        (40 + total // 20000) / eligible,  # the reviews, 65 % against the engine
        (32 + total // 400) / eligible,  # the night outlet: well above its own volume
    ]
    scale = min(1.0, 0.8 / sum(chances))
    burst, review, night = (chance * scale for chance in chances)
    # Of the rows left to it (outlet rows, most of the planted operator's taken above).
    baseline = min(0.6, (40 + total // 2000) / max(1.0, total * _BASELINE_SHARE))
    review_outlets = tuple(by_code[code] for _, code in REVIEW_OUTLETS)
    return DemoPlan(
        operator_id=operator.id,
        admin_ids={op.id: op.admin_id for op in world.operators},
        burst=by_code[BURST_OUTLET[1]],
        burst_hour=_burst_hour(world.now, by_code[BURST_OUTLET[1]]),
        night=by_code[NIGHT_OUTLET[1]],
        review=review_outlets,
        review_province=review_outlets[0].province_id,
        burst_chance=burst,
        review_chance=review,
        night_chance=night,
        baseline_chance=baseline,
        over_60_born_by=world.today.replace(year=world.today.year - 61),
        world=world,
    )


def _burst_hour(now: datetime, outlet: _Outlet) -> datetime:
    """The latest clock hour, ended two hours ago or more and begun within the last 23 hours,
    in which the outlet is open (and within the supervision's opening hours)."""
    zone = timezone.get_current_timezone()
    start = timezone.localtime(now, zone).replace(minute=0, second=0, microsecond=0) - 3 * _HOUR
    first_open = max(outlet.opens // 3600, 9) + 1
    last_open = min(outlet.closes // 3600, 21) - 2
    while start.hour < first_open or start.hour > last_open:
        start -= _HOUR
    return start


# -- rewriting one batch ---------------------------------------------------------------------


@dataclass
class PlantedBatch(_Batch):
    """A batch with its planted rows, and the verification jobs the planted reviews and the
    cases waiting for review need."""

    jobs: list[tuple] = field(default_factory=list)  # (row, engine decision)
    # The jobs as COPY text, when a generating process made them (planted_jobs_copy_text).
    job_text: list[tuple[uuid.UUID, str, str]] | None = None


def generate_planted_batch(
    lo: int, hi: int, world: _World, plan: DemoPlan | None, *, copy_text: bool
) -> _Batch:
    """``batches._generate_batch``, then the plan applied to the generated rows."""
    if plan is None:
        return _generate_batch(lo, hi, world, copy_text=copy_text)
    plain = _generate_batch(lo, hi, world, copy_text=False)
    batch = PlantedBatch(plain.lo, plain.hi, plain.subscribers, plain.registrations)
    birth_dates = {row[1]: row[3] for row in batch.subscribers}
    outlets = {o.id: o for op in world.operators for o in op.outlets}
    for position, row in enumerate(batch.registrations):
        planted = _plant(lo + position, row, plan, outlets, birth_dates, batch.jobs)
        if planted is not None:
            batch.registrations[position] = planted
    # Each case waiting for a reviewer: the attempt that sent it there, with its figures.
    batch.jobs.extend(
        (row, "review") for row in batch.registrations if row[_STATUS] == Status.REVIEW
    )
    _first_created_again(batch)
    if copy_text:
        batch.subscriber_text = [_subscriber_copy_text(row) for row in batch.subscribers]
        batch.registration_text = [_registration_copy_text(row) for row in batch.registrations]
    return batch


def _first_created_again(batch: _Batch) -> None:
    """A subscriber is created with its first registration, which planting may have moved."""
    first: dict[str, datetime] = {}
    for row in batch.registrations:
        created = row[_CREATED]
        first[row[_SUB]] = min(first.get(row[_SUB], created), created)
    batch.subscribers = [
        (*row[:5], min(row[5], first[row[1]]), *row[6:]) if row[1] in first else row
        for row in batch.subscribers
    ]


def _plant(index, row, plan: DemoPlan, outlets, birth_dates, jobs) -> tuple | None:
    at_outlet = row[_OUTLET] is not None
    born = birth_dates.get(row[_SUB])
    # An over-60 whose registration in the fairness province is to be rejected.
    older = (
        born is not None
        and born <= plan.over_60_born_by
        and _unit(index, 3) < FAIRNESS_REJECT_SHARE
    )
    if at_outlet and row[_OP] == plan.operator_id:
        u = _unit(index, 1)
        if u < plan.burst_chance:
            return _burst_row(index, row, plan)
        u -= plan.burst_chance
        if u < plan.review_chance:
            return _review_row(index, row, plan, jobs, override_share=OVERRIDE_SHARE, older=older)
        u -= plan.review_chance
        if u < plan.night_chance:
            return _night_row(index, row, plan)
    own = outlets.get(row[_OUTLET])
    reviewable = (
        own is not None and not own.suspended and row[_CREATED_BY] != plan.admin_ids.get(row[_OP])
    )
    if (
        reviewable
        and not (row[_OP] == plan.operator_id and row[_PROVINCE] == plan.review_province)
        and _unit(index, 2) < plan.baseline_chance
    ):
        return _review_row(
            index, row, plan, jobs, override_share=BASELINE_OVERRIDE_SHARE, outlet=own,
            older=older,
        )  # fmt: skip
    if row[_PROVINCE] == FAIRNESS_PROVINCE and older:
        rng = random.Random(f"fairness {index}")
        return _restamp(
            row, rng, plan, created=row[_CREATED], status=Status.REJECTED,
            reasons=rng.choice(REJECT_REASONS),
        )  # fmt: skip
    return None


def _at(row: tuple, outlet: _Outlet) -> tuple:
    """The row moved to ``outlet`` (its operator's), recorded by its staff."""
    row = list(row)
    row[_OUTLET], row[_PROVINCE], row[_CREATED_BY] = outlet.id, outlet.province_id, outlet.staff_id
    return tuple(row)


def _burst_row(index: int, row: tuple, plan: DemoPlan) -> tuple:
    rng = random.Random(f"burst {index}")
    created = plan.burst_hour + timedelta(seconds=rng.random() * 3300)
    status = row[_STATUS]
    reasons = _engine_reasons(rng, status)
    return _restamp(
        _at(row, plan.burst), rng, plan, created=created, status=status, reasons=reasons
    )


def _night_row(index: int, row: tuple, plan: DemoPlan) -> tuple:
    rng = random.Random(f"night {index}")
    in_flight = row[_STATUS] in (Status.SUBMITTED, Status.VERIFYING)
    days_ago = rng.randint(1, 2 if in_flight else WINDOW_DAYS)
    outlet = plan.night
    if rng.random() < NIGHT_SHARE:
        # Late evening, small hours or early morning: outside 08:00-21:00 and the outlet's.
        start, length = rng.choice(((21.5, 2.4), (0.0, 2.5), (5.0, 2.5)))
        second = (start + rng.random() * length) * 3600
    else:
        second = outlet.opens + rng.random() * (outlet.closes - outlet.opens - 600)
    created = plan.world.midnights[days_ago] + timedelta(seconds=second)
    status = row[_STATUS]
    reasons = _engine_reasons(rng, status)
    return _restamp(_at(row, outlet), rng, plan, created=created, status=status, reasons=reasons)


def _review_row(
    index: int,
    row: tuple,
    plan: DemoPlan,
    jobs: list,
    *,
    override_share: float,
    older: bool,
    outlet=None,
) -> tuple:
    """A registration decided by the operator's carrier admin in review, with the engine's
    decision it followed or overrode (approving a fail, rejecting an uploaded pass)."""
    rng = random.Random(f"review {index}")
    if outlet is None:
        outlet = plan.review[rng.randrange(len(plan.review))]
    days_ago = rng.randint(1, WINDOW_DAYS)
    second = outlet.opens + rng.random() * (outlet.closes - outlet.opens - 600)
    created = plan.world.midnights[days_ago] + timedelta(seconds=second)
    if older and outlet.province_id == FAIRNESS_PROVINCE:
        status = Status.REJECTED  # the province's over-60s, rejected in review too
    elif row[_STATUS] == Status.CANCELLED:
        status = Status.CANCELLED
    elif row[_STATUS] in HOLDING:
        status = Status.APPROVED
    else:
        status = Status.REJECTED
    override = rng.random() < override_share
    approved = status != Status.REJECTED
    engine = "fail" if approved == override else "pass"
    note = rng.choice(APPROVE_NOTES if approved else REJECT_NOTES)
    planted = _restamp(
        _at(row, outlet), rng, plan, created=created, status=status,
        reasons=rng.choice(REVIEW_REASONS), decided_by=plan.admin_ids[row[_OP]], note=note,
    )  # fmt: skip
    jobs.append((planted, engine))
    return planted


def _engine_reasons(rng: random.Random, status: str) -> tuple[str, ...]:
    if status == Status.REVIEW:
        return rng.choice(REVIEW_REASONS)
    if status == Status.REJECTED:
        return rng.choice(REJECT_REASONS)
    return ()


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=low + rng.random() * (high - low))


def _restamp(
    row: tuple,
    rng: random.Random,
    plan: DemoPlan,
    *,
    created: datetime,
    status: str,
    reasons: tuple[str, ...],
    decided_by: int | None = None,
    note: str = "",
) -> tuple:
    """The row with a new status and times derived from ``created`` as the generator does."""
    now = plan.now
    if created > now - _HOUR:
        created -= timedelta(days=1)  # just after midnight: the day before
    latest = now - _SECOND
    submitted = decided = cancelled = None
    if status == Status.DRAFT:
        updated = created + _seconds(rng, 30, 600)
        reasons, decided_by, note = (), None, ""
    else:
        submitted = created + _seconds(rng, 60, 900)
        updated = submitted
        if status in (Status.SUBMITTED, Status.VERIFYING):
            reasons, decided_by, note = (), None, ""
        else:
            decided = submitted + _seconds(rng, 8, 90)
            if decided_by is not None:
                decided += min(_seconds(rng, 1200, 30 * 3600), (latest - decided) / 2)
            updated = decided
            if status == Status.CANCELLED:
                cancelled = decided + (latest - decided) * (0.02 + 0.96 * rng.random())
                updated = cancelled
    row = list(row)
    row[_STATUS], row[_DECIDED_BY], row[_REASONS], row[_NOTE] = status, decided_by, reasons, note
    row[_CREATED:] = [created, updated, submitted, decided, cancelled]
    return tuple(row)


# -- the verification jobs of the planted reviews ----------------------------------------------


def _planted_uuid(kind: str, registration_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{kind}-{registration_id}")


def _planted_job_objects(specs) -> tuple[list[Challenge], list[VerificationJob]]:
    """The challenge and finished verification job of each (row, engine decision): pure
    computation, so a generating process can make them."""
    challenges, jobs = [], []
    for row, engine in specs:
        submitted, decided = row[15], row[16]
        issued = row[_CREATED] + (submitted - row[_CREATED]) / 3
        challenge = Challenge(
            id=_planted_uuid("challenge", row[_ID]),
            nonce=_planted_uuid("nonce", row[_ID]).hex,
            registration_id=row[_ID],
            actions=["turn_left", "blink", "turn_right"],
            issued_to_id=row[_CREATED_BY],
            issued_at=issued,
            expires_at=issued + timedelta(minutes=10),
            used_at=submitted,
        )
        challenges.append(challenge)
        passed = engine == "pass"
        reasons = tuple(_UPLOADED if passed else row[_REASONS])
        finished = submitted + (decided - submitted) / 10 if decided else submitted + _SECOND
        jobs.append(
            VerificationJob(
                id=_planted_uuid("job", row[_ID]),
                registration_id=row[_ID],
                challenge=challenge,
                attempt=1,
                # What the engine passed went to a person because it was a file, not a capture.
                source=VerificationJob.Source.UPLOAD if passed else VerificationJob.Source.CAMERA,
                status=VerificationJob.Status.DONE,
                deliveries=1,
                decision=engine,
                outcome=VerificationJob.Outcome.REVIEW,
                reasons=list(reasons),
                result=demo_engine_result(str(row[_ID]), reasons, engine),
                engine_version=DEMO_ENGINE_VERSION,
                created_by_id=row[_CREATED_BY],
                queued_at=submitted,
                started_at=submitted,
                finished_at=finished,
            )
        )
    return challenges, jobs


# The columns a planted challenge and job are copied with: all of them.
_CHALLENGE_COLUMNS = tuple(f.name for f in Challenge._meta.concrete_fields)
_JOB_COLUMNS = tuple(f.name for f in VerificationJob._meta.concrete_fields)


def planted_jobs_copy_text(batch: _Batch) -> list[tuple[uuid.UUID, str, str]]:
    """(registration id, challenge's COPY line, job's COPY line) of each planted job, as a
    generating process hands them over (the writer keeps those of the rows it writes)."""
    challenges, jobs = _planted_job_objects(getattr(batch, "jobs", ()))
    return [
        (
            job.registration_id,
            copy_line(challenge, _CHALLENGE_COLUMNS),
            copy_line(job, _JOB_COLUMNS),
        )
        for challenge, job in zip(challenges, jobs, strict=True)
    ]


def planted_jobs_write(batch: _Batch, existing: set[uuid.UUID]) -> int:
    """The challenge and finished verification job of each planted review that was just
    written (not of one that existed). Returns how many jobs were written."""
    text = getattr(batch, "job_text", None)
    if text is not None:
        kept = [(challenge, job) for pk, challenge, job in text if pk not in existing]
        copy_rows(Challenge, _CHALLENGE_COLUMNS, (challenge for challenge, _ in kept))
        copy_rows(VerificationJob, _JOB_COLUMNS, (job for _, job in kept))
        return len(kept)
    specs = [
        (row, engine) for row, engine in getattr(batch, "jobs", ()) if row[_ID] not in existing
    ]
    if not specs:
        return 0
    challenges, jobs = _planted_job_objects(specs)
    Challenge.objects.bulk_create(challenges)
    VerificationJob.objects.bulk_create(jobs)
    return len(jobs)
