"""Manual overrides: how often a reviewer decides against the engine's suggestion.

The engine's suggestion is the decision of the registration's last completed verification
(``VerificationJob.decision``: ``pass`` suggests approval, ``fail`` rejection; ``review``
suggests nothing). A reviewed registration (``decided_by`` set) is an override when it was
approved (or later cancelled) against a ``fail``, or rejected against a ``pass`` (an uploaded
file the engine would have passed, held for a person, counts too).

Rate: overrides / reviews with a suggestion, per reviewer within one operator and province,
against the other reviewers of that operator and province.
"""

from datetime import datetime

from django.db.models import Count, OuterRef, Q, Subquery

from portal.supervision.risk.base import Hit, RiskConfig, SubjectKind, UnitCount, rate_hits, recent
from registrations.models import Registration
from verification.engine import reasons as engine
from verification.models import VerificationJob

Status = Registration.Status
OVERRIDE = Q(suggestion=engine.PASS, status=Status.REJECTED) | Q(
    suggestion=engine.FAIL, status__in=[Status.APPROVED, Status.CANCELLED]
)


def reviewed(now: datetime, config: RiskConfig):
    """Registrations of the window decided by a reviewer, with the engine's suggestion."""
    last_decision = (
        VerificationJob.objects.filter(
            registration=OuterRef("pk"), status=VerificationJob.Status.DONE
        )
        .order_by("-attempt")
        .values("decision")[:1]
    )
    return (
        recent(now, config.window_days)
        .filter(decided_by__isnull=False)
        .annotate(suggestion=Subquery(last_decision))
        .filter(suggestion__in=[engine.PASS, engine.FAIL])
    )


def override_rate(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    del kind  # reviewers only
    rows = reviewed(now, config)
    counts = [
        UnitCount(r["decided_by_id"], r["operator_id"], r["province_id"], r["x"], r["n"])
        for r in rows.values("decided_by_id", "operator_id", "province_id")
        .annotate(n=Count("pk"), x=Count("pk", filter=OVERRIDE))
        .order_by()
    ]

    def behind(unit: UnitCount) -> list:
        mine = rows.filter(
            OVERRIDE,
            decided_by_id=unit.pk,
            operator_id=unit.operator_id,
            province_id=unit.province_id,
        ).order_by("-created_at")
        return list(mine.values_list("pk", flat=True)[: config.max_registrations])

    return rate_hits(
        signal="override_rate",
        kind=SubjectKind.STAFF,
        counts=counts,
        config=config,
        behind=behind,
    )
