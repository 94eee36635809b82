"""Failure, review and retake rates of an outlet or a member of staff against the peer group.

Over the registrations created in the last ``window_days``:
- failure rate: rejected / decided (approved, rejected, in review or cancelled);
- review rate: sent to review (in review now, or decided by a reviewer) / decided;
- retake rate: registrations with a retake asked for / registrations verified at least once.
"""

from datetime import datetime, timedelta

from django.db.models import Count, Q

from portal.supervision.risk.base import (
    UNIT_FIELDS,
    Hit,
    RiskConfig,
    SubjectKind,
    UnitCount,
    rate_hits,
    recent,
    unit_filter,
)
from registrations.models import Registration
from verification.models import VerificationJob

Status = Registration.Status
DECIDED = [Status.APPROVED, Status.REJECTED, Status.REVIEW, Status.CANCELLED]
FAILED = Q(status=Status.REJECTED)
SENT_TO_REVIEW = Q(status=Status.REVIEW) | Q(decided_by__isnull=False)


def _decided(kind: str, now: datetime, config: RiskConfig):
    rows = recent(now, config.window_days).filter(status__in=DECIDED)
    if kind == SubjectKind.OUTLET:
        rows = rows.filter(outlet__isnull=False)
    return rows


def _outcome_hits(signal: str, event: Q, kind: str, now: datetime, config: RiskConfig):
    rows = _decided(kind, now, config)
    field = UNIT_FIELDS[kind]
    counts = [
        UnitCount(r[field], r["operator_id"], r["province_id"], r["x"], r["n"])
        for r in rows.values(field, "operator_id", "province_id")
        .annotate(n=Count("pk"), x=Count("pk", filter=event))
        .order_by()
    ]

    def behind(unit: UnitCount) -> list:
        matching = rows.filter(event, **unit_filter(kind, unit)).order_by("-created_at")
        return list(matching.values_list("pk", flat=True)[: config.max_registrations])

    return rate_hits(signal=signal, kind=kind, counts=counts, config=config, behind=behind)


def failure_rate(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    return _outcome_hits("failure_rate", FAILED, kind, now, config)


def review_rate(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    return _outcome_hits("review_rate", SENT_TO_REVIEW, kind, now, config)


def job_counts(*, kind: str, jobs, event: Q, distinct_registrations: bool = True):
    """Per unit: registrations (or jobs) with ``event`` among those of ``jobs``."""
    field = f"registration__{UNIT_FIELDS[kind]}"
    if kind == SubjectKind.OUTLET:
        jobs = jobs.filter(registration__outlet__isnull=False)
    counted = "registration_id" if distinct_registrations else "pk"
    rows = (
        jobs.values(field, "registration__operator_id", "registration__province_id")
        .annotate(
            n=Count(counted, distinct=distinct_registrations),
            x=Count(counted, distinct=distinct_registrations, filter=event),
        )
        .order_by()
    )
    return [
        UnitCount(
            r[field], r["registration__operator_id"], r["registration__province_id"], r["x"], r["n"]
        )
        for r in rows
    ]


def recent_jobs(now: datetime, config: RiskConfig):
    """Verification jobs of the registrations created in the window."""
    return VerificationJob.objects.filter(
        registration__created_at__gte=now - timedelta(days=config.window_days),
        registration__created_at__lt=now,
    )


def jobs_behind(*, kind: str, jobs, event: Q, config: RiskConfig):
    def behind(unit: UnitCount) -> list:
        matching = (
            jobs.filter(event, **unit_filter(kind, unit, prefix="registration__"))
            .order_by("-queued_at")
            .values_list("registration_id", flat=True)
        )
        return list(dict.fromkeys(matching[: config.max_registrations * 3]))[
            : config.max_registrations
        ]

    return behind


def retake_rate(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    jobs = recent_jobs(now, config).filter(status=VerificationJob.Status.DONE)
    event = Q(outcome=VerificationJob.Outcome.RETAKE)
    return rate_hits(
        signal="retake_rate",
        kind=kind,
        counts=job_counts(kind=kind, jobs=jobs, event=event),
        config=config,
        behind=jobs_behind(kind=kind, jobs=jobs, event=event, config=config),
    )
