"""Registrations stuck in ``submitted`` or ``verifying`` for longer than ``stuck_after_s``
since their submission (the verification sweep retries them well before: a registration
still there is one nobody is deciding). Per outlet, or per creating account for the online
channel (a partner's service account); flagged from one stuck registration."""

from datetime import datetime, timedelta

from portal.supervision.risk.base import Hit, RiskConfig, counted_per_unit
from registrations.models import Operator, Registration

STUCK_STATUSES = [Registration.Status.SUBMITTED, Registration.Status.VERIFYING]


def stuck(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    # Operator first: the (operator, status, created_at) index answers it without a scan.
    rows = Registration.objects.filter(
        operator_id__in=list(Operator.objects.values_list("pk", flat=True)),
        status__in=STUCK_STATUSES,
        submitted_at__lt=now - timedelta(seconds=config.stuck_after_s),
    )

    def detail(count, mine) -> dict:
        oldest = mine.order_by("submitted_at").values_list("submitted_at", flat=True).first()
        return {
            "stuck": count,
            "after_s": config.stuck_after_s,
            "oldest_hours": round((now - oldest).total_seconds() / 3600, 1),
        }

    return counted_per_unit(rows, kind=kind, signal="stuck", config=config, detail=detail)
