"""The rollups' writes: one count moved in the transaction of each change, or all recomputed.

A registration is counted by what it is, not by what happened to it: its *status fact* (the
day it was created, where, by whom, its status now) and, once approved or rejected, its
*decision fact* (the day of the decision, who decided, against the engine or not, the
subscriber's age band and sex, the last capture's source, the attempts, how long from upload
to decision). A change removes the old fact's count and adds the new one's, so the
incremental rollups always equal what ``rollups_rebuild`` computes from the rows, which both
derive with the same functions here (``status_key``, ``decision_fact``).

Each count is one ``INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n``: atomic
on PostgreSQL under any concurrency (and on SQLite, which writes one transaction at a time).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from portal.audit.actions import Action
from portal.audit.services import audit_record
from portal.supervision.models.rollups import (
    HISTOGRAM_BUCKETS,
    HISTOGRAM_FIELDS,
    PLACE_OF,
    PLACE_ROLLUPS,
    ROLLUP_MODELS,
    DecisionDayRollup,
    DecisionRollup,
    EvidenceViewRollup,
    ReasonRollup,
    StatusRollup,
)
from portal.supervision.services.rollups_recount import decision_rollups_insert
from registrations.models import Registration, Subscriber
from verification.engine import reasons as engine_reasons
from verification.models import VerificationJob, ViewingGrant

SHANGHAI = ZoneInfo("Asia/Shanghai")
Status = Registration.Status
DECIDED = (Status.APPROVED, Status.REJECTED)
# A decided registration keeps its decision fact when it is cancelled (it was approved).
_OUTCOME_OF_STATUS = {
    Status.APPROVED: Status.APPROVED,
    Status.REJECTED: Status.REJECTED,
    Status.CANCELLED: Status.APPROVED,
}
# Lower bounds of the age bands, in years at the day of the decision.
AGE_BANDS = ((70, "70+"), (60, "60-69"), (50, "50-59"), (40, "40-49"), (30, "30-39"),
             (18, "18-29"), (0, "0-17"))  # fmt: skip
UNKNOWN = "unknown"
NO_CAPTURE = "none"


def local_day(moment: datetime) -> date:
    """The date of ``moment`` in Asia/Shanghai: the day every rollup counts it on."""
    return timezone.localtime(moment, SHANGHAI).date()


def age_band(birth_date: date | None, on: date) -> str:
    if birth_date is None:
        return UNKNOWN
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return next((label for low, label in AGE_BANDS if age >= low), UNKNOWN)


def sex_of(stored: str) -> str:
    """The subscriber's sex as a rollup counts it: as stored (read from a resident ID number
    when the row was saved, and kept after the number is deleted), else unknown."""
    return stored or UNKNOWN


def duration_bucket(seconds: int) -> int:
    """The histogram bucket of an upload-to-decision duration (see models.rollups)."""
    return min(HISTOGRAM_BUCKETS - 1, max(0, int(seconds)).bit_length())


@dataclass(frozen=True, slots=True)
class Attempts:
    """What the verification jobs of one registration say at its decision."""

    count: int = 0
    source: str = NO_CAPTURE  # of the last capture
    engine_decision: str = ""  # the last finished job's decision: pass, fail, review or ""

    @classmethod
    def of_rows(cls, rows: Iterable[tuple]) -> "Attempts":
        """From (attempt, source, status, decision) rows, in attempt order."""
        count, source, decision = 0, NO_CAPTURE, ""
        for attempt, job_source, status, job_decision in rows:
            count, source = max(count, attempt), job_source
            if status == VerificationJob.Status.DONE:
                decision = job_decision
        return cls(count=count, source=source, engine_decision=decision)


JOB_COLUMNS = ("attempt", "source", "status", "decision")


def _attempts_of(registration: Registration) -> Attempts:
    rows = VerificationJob.objects.filter(registration_id=registration.pk).order_by("attempt")
    return Attempts.of_rows(rows.values_list(*JOB_COLUMNS))


def status_key(registration: Registration, status: str) -> dict:
    return {
        "day": local_day(registration.created_at),
        "operator_id": registration.operator_id,
        "province_code": registration.province_id,
        "outlet_id": registration.outlet_id or 0,
        "staff_id": registration.created_by_id,
        "channel": registration.channel,
        "status": status,
    }


def is_override(*, outcome: str, reviewer_id: int, engine_decision: str) -> bool:
    """A reviewer deciding against the engine: approving what it failed, rejecting what it
    passed (an upload it would have approved). A "review" decision suggests nothing."""
    if not reviewer_id:
        return False
    return (engine_decision == engine_reasons.PASS and outcome == Status.REJECTED) or (
        engine_decision == engine_reasons.FAIL and outcome == Status.APPROVED
    )


@dataclass(frozen=True, slots=True)
class DecisionFact:
    key: dict
    seconds: int
    reasons: tuple[str, ...]


def decision_fact(
    registration: Registration, *, subscriber: Subscriber, attempts: Attempts
) -> DecisionFact | None:
    """What the decision rollups count for ``registration``; None until it is decided."""
    outcome = _OUTCOME_OF_STATUS.get(registration.status)
    if outcome is None or registration.decided_at is None:
        return None
    day = local_day(registration.decided_at)
    reviewer_id = registration.decided_by_id or 0
    started = registration.submitted_at or registration.decided_at
    seconds = max(0, int((registration.decided_at - started).total_seconds()))
    key = {
        "day": day,
        "operator_id": registration.operator_id,
        "province_code": registration.province_id,
        "outlet_id": registration.outlet_id or 0,
        "staff_id": registration.created_by_id,
        "channel": registration.channel,
        "outcome": outcome,
        "reviewer_id": reviewer_id,
        "override": is_override(
            outcome=outcome, reviewer_id=reviewer_id, engine_decision=attempts.engine_decision
        ),
        "age_band": age_band(subscriber.birth_date, day),
        "sex": sex_of(subscriber.sex),
        "source": attempts.source,
        "attempts": attempts.count,
    }
    reasons = tuple(sorted({str(reason)[:40] for reason in registration.decision_reasons or []}))
    return DecisionFact(key=key, seconds=seconds, reasons=reasons)


def _reason_key(fact: DecisionFact, reason: str) -> dict:
    key = fact.key
    return {
        "day": key["day"],
        "operator_id": key["operator_id"],
        "province_code": key["province_code"],
        "outlet_id": key["outlet_id"],
        "channel": key["channel"],
        "outcome": key["outcome"],
        "reason": reason,
    }


def _decision_counts(fact: DecisionFact) -> dict:
    # Every column, zeros too: the insert of a new row names them all (no database defaults).
    counts = {"n": 1, "seconds": fact.seconds, **dict.fromkeys(HISTOGRAM_FIELDS, 0)}
    counts[HISTOGRAM_FIELDS[duration_bucket(fact.seconds)]] = 1
    return counts


_DAY_KEY_FIELDS = ("day", "operator_id", "province_code", "outlet_id", "staff_id", "channel",
                   "outcome")  # fmt: skip


def _day_key(decision_key: dict) -> dict:
    return {name: decision_key[name] for name in _DAY_KEY_FIELDS}


def _day_counts(decision_key: dict, counts: dict) -> dict:
    """DecisionDayRollup's counts of the decisions counted under ``decision_key``."""
    n = counts["n"]
    return {
        **counts,
        "reviewed": n if decision_key["reviewer_id"] else 0,
        "retaken": n if decision_key["attempts"] > 1 else 0,
        "overrides": n if decision_key["override"] else 0,
    }


def evidence_view_key(grant: ViewingGrant, registration: Registration) -> dict:
    return {
        "day": local_day(grant.issued_at),
        "operator_id": registration.operator_id,
        "province_code": registration.province_id,
        "channel": registration.channel,
    }


# The upsert


def _key_fields(model) -> tuple[str, ...]:
    (constraint,) = model._meta.constraints
    return tuple(constraint.fields)


def _bump(model, key: dict, counts: dict) -> None:
    """Add ``counts`` to the row of ``key`` (created at zero if missing), in one statement."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key, *counts]
    values = [*key.values(), *counts.values()]
    updates = ", ".join(
        f"{quote(name)} = {table}.{quote(name)} + excluded.{quote(name)}" for name in counts
    )
    placeholders = ", ".join(["%s"] * len(columns))
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    names = ", ".join(quote(c) for c in columns)
    conflict = ", ".join(quote(c) for c in _key_fields(model))
    sql = (
        f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


def _negated(counts: dict) -> dict:
    return {name: -value for name, value in counts.items()}


def _bump_with_place(model, key: dict, counts: dict) -> None:
    """Add ``counts`` to ``model``'s row of ``key`` and to its place rollup's row (the same
    key without the outlet and the member of staff)."""
    place = PLACE_OF[model]
    _bump(model, key, counts)
    _bump(place, {name: key[name] for name in _key_fields(place)}, counts)


# The receivers (connected in portal.supervision.apps)


def rollups_registration_changed(*, registration: Registration, before, after) -> None:
    """Move the counts of one change of status (or of a creation, ``before`` None); runs
    inside the change's transaction, so the counts commit or roll back with it."""
    if before is not None:
        _bump_with_place(StatusRollup, status_key(registration, before), {"n": -1})
    _bump_with_place(StatusRollup, status_key(registration, after), {"n": 1})
    if after in DECIDED and before not in DECIDED:
        fact = decision_fact(
            registration, subscriber=registration.subscriber, attempts=_attempts_of(registration)
        )
        if fact is not None:
            counts = _decision_counts(fact)
            _bump(DecisionRollup, fact.key, counts)
            _bump_with_place(DecisionDayRollup, _day_key(fact.key), _day_counts(fact.key, counts))
            for reason in fact.reasons:
                _bump_with_place(ReasonRollup, _reason_key(fact, reason), {"n": 1})


def rollups_evidence_viewed(*, grant: ViewingGrant) -> None:
    """Count a leave to view evidence, in the transaction that opens it."""
    _bump(EvidenceViewRollup, evidence_view_key(grant, grant.registration), {"n": 1})


# The rebuild

_REBUILD_CHUNK = 2000


def _jobs_by_registration(ids: list) -> dict:
    rows = defaultdict(list)
    jobs = VerificationJob.objects.filter(registration_id__in=ids).order_by("attempt")
    for registration_id, *row in jobs.values_list("registration_id", *JOB_COLUMNS):
        rows[registration_id].append(row)
    return rows


def _freeze(key: dict) -> tuple:
    return tuple(key.items())


def _grouped(queryset, model, key: dict) -> list:
    """Rows of ``model`` counted by the database in one GROUP BY: ``key`` maps each of its key
    fields to an expression over ``queryset``, and ``n`` is how many rows share the key."""
    aliases = {f"key_{name}": expression for name, expression in key.items()}
    groups = queryset.values(**aliases).annotate(count=Count("pk")).order_by()
    return [model(**{name: row[f"key_{name}"] for name in key}, n=row["count"]) for row in groups]


def _status_rows() -> list[StatusRollup]:
    return _grouped(Registration.objects.all(), StatusRollup, {
        "day": TruncDate("created_at", tzinfo=SHANGHAI),
        "operator_id": F("operator_id"),
        "province_code": F("province_id"),
        "outlet_id": Coalesce("outlet_id", 0),
        "staff_id": F("created_by_id"),
        "channel": F("channel"),
        "status": F("status"),
    })  # fmt: skip


def _evidence_view_rows() -> list[EvidenceViewRollup]:
    return _grouped(ViewingGrant.objects.all(), EvidenceViewRollup, {
        "day": TruncDate("issued_at", tzinfo=SHANGHAI),
        "operator_id": F("registration__operator_id"),
        "province_code": F("registration__province_id"),
        "channel": F("registration__channel"),
    })  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Decided:
    """The columns of a decided registration that ``decision_fact`` reads (the rebuild reads
    these alone: no model instance, and of the subscriber only what the fact needs)."""

    pk: int
    status: str
    decided_at: datetime
    decided_by_id: int | None
    submitted_at: datetime | None
    operator_id: int
    province_id: str
    outlet_id: int | None
    created_by_id: int
    channel: str
    decision_reasons: list


@dataclass(frozen=True, slots=True)
class _DecidedSubscriber:
    birth_date: date | None
    sex: str


_DECIDED_COLUMNS = tuple(_Decided.__dataclass_fields__)
_SUBSCRIBER_COLUMNS = tuple(f"subscriber__{f}" for f in _DecidedSubscriber.__dataclass_fields__)


def _decided_rows():
    """(registration, subscriber) columns of every decided registration, in pk order."""
    decided = Registration.objects.filter(
        decided_at__isnull=False, status__in=list(_OUTCOME_OF_STATUS)
    ).order_by("pk")
    split = len(_DECIDED_COLUMNS)
    rows = decided.values_list(*_DECIDED_COLUMNS, *_SUBSCRIBER_COLUMNS)
    for row in rows.iterator(chunk_size=_REBUILD_CHUNK):
        yield _Decided(*row[:split]), _DecidedSubscriber(*row[split:])


def _decision_and_reason_counts() -> tuple[dict[tuple, Counter], Counter]:
    """By frozen decision key, the decisions' counts; by frozen reason key, their number:
    each decided registration's decision fact (its attempts come from its jobs: one function
    counts them, here and in the transaction of each decision)."""
    decisions: dict[tuple, Counter] = defaultdict(Counter)
    reasons: Counter = Counter()

    def count(batch: list) -> None:
        jobs = _jobs_by_registration([registration.pk for registration, _ in batch])
        for registration, subscriber in batch:
            attempts = Attempts.of_rows(jobs.get(registration.pk, ()))
            fact = decision_fact(registration, subscriber=subscriber, attempts=attempts)
            if fact is None:
                continue
            decisions[_freeze(fact.key)].update(_decision_counts(fact))
            for reason in fact.reasons:
                reasons[_freeze(_reason_key(fact, reason))] += 1

    batch: list = []
    for pair in _decided_rows():
        batch.append(pair)
        if len(batch) >= _REBUILD_CHUNK:
            count(batch)
            batch = []
    count(batch)
    return decisions, reasons


def _decision_rows() -> dict:
    """DecisionRollup, DecisionDayRollup and ReasonRollup, from the decision facts."""
    decisions, reasons = _decision_and_reason_counts()
    days: dict[tuple, Counter] = defaultdict(Counter)
    for frozen, counts in decisions.items():
        key = dict(frozen)
        days[_freeze(_day_key(key))].update(_day_counts(key, counts))
    return {
        DecisionRollup: [DecisionRollup(**dict(k), **c) for k, c in decisions.items()],
        DecisionDayRollup: [DecisionDayRollup(**dict(k), **c) for k, c in days.items()],
        ReasonRollup: [ReasonRollup(**dict(k), n=n) for k, n in reasons.items()],
    }


def _recount(*, decisions: bool) -> dict:
    """Every rollup's rows, counted from the source rows (the one place that scans them);
    the decision rollups only if ``decisions``."""
    return {
        StatusRollup: _status_rows(),
        **(_decision_rows() if decisions else {}),
        EvidenceViewRollup: _evidence_view_rows(),
    }


def _lock_rollups() -> None:
    """Hold off every change's count until the rebuild commits (PostgreSQL; SQLite writes one
    transaction at a time anyway): a change that commits first is in the recount, one that
    waits adds its count on top of the rebuilt rows."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ROLLUP_MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


@transaction.atomic
def rollups_rebuild(*, actor=None) -> dict[str, int]:
    """Recompute every rollup from the registrations, their jobs and the viewing grants, and
    replace the old rows in one transaction. Returns the rows written per rollup.

    The audit event comes first: it takes the audit trail's lock, which every change takes
    before it moves a count, so the rebuild and the changes always lock in the same order
    (the trail, then the rollups) and never wait for each other in a circle."""
    audit_record(
        action=Action.ROLLUPS_REBUILT,
        actor=actor,
        object_type="rollups",
        changes={"rollups": (None, [model._meta.model_name for model in ROLLUP_MODELS])},
    )
    _lock_rollups()
    for model in ROLLUP_MODELS:
        model.objects.all().delete()
    written = {}
    # PostgreSQL derives the decision facts itself, as decision_fact does (rollups_recount):
    # it groups ten million registrations in a minute; Python takes twenty.
    in_database = connection.vendor == "postgresql"
    for model, rows in _recount(decisions=not in_database).items():
        model.objects.bulk_create(rows, batch_size=_REBUILD_CHUNK)
        written[model._meta.model_name] = len(rows)
    if in_database:
        written |= decision_rollups_insert(
            age_bands=AGE_BANDS,
            unknown=UNKNOWN,
            no_capture=NO_CAPTURE,
            zone=SHANGHAI.key,
            day_key=_DAY_KEY_FIELDS,
        )
    for place_model, finer, columns in PLACE_ROLLUPS:
        written[place_model._meta.model_name] = place_rollup_sum(place_model, finer, columns)
    return written


def place_rollup_sum(place_model, finer, columns: tuple[str, ...]) -> int:
    """Fill ``place_model`` (empty) with the sums of ``finer`` over what it leaves out, in
    one INSERT ... SELECT ... GROUP BY; returns the rows written."""
    quote = connection.ops.quote_name
    keys = ", ".join(quote(name) for name in _key_fields(place_model))
    sums = ", ".join(f"SUM({quote(name)})" for name in columns)
    names = ", ".join(quote(name) for name in columns)
    sql = (
        f"INSERT INTO {quote(place_model._meta.db_table)} ({keys}, {names}) "  # noqa: S608
        f"SELECT {keys}, {sums} FROM {quote(finer._meta.db_table)} GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


# Signal receivers, connected by portal.supervision.apps.SupervisionConfig.ready


def on_registration_changed(sender, *, registration, before, after, **kwargs) -> None:
    rollups_registration_changed(registration=registration, before=before, after=after)


def on_viewing_grant_saved(sender, *, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        rollups_evidence_viewed(grant=instance)
