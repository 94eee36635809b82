"""Registrations stuck in ``submitted`` or ``verifying`` for longer than ``stuck_after_s``
since their submission (the verification sweep retries them well before: a registration
still there is one nobody is deciding). Per outlet, or per creating account for the online
channel (a partner's service account); flagged from one stuck registration."""

import math
from datetime import datetime, timedelta

from django.db.models import Count

from portal.supervision.risk.base import Hit, RiskConfig, Subject, SubjectKind
from registrations.models import Operator, Registration

STUCK_STATUSES = [Registration.Status.SUBMITTED, Registration.Status.VERIFYING]


def stuck(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    # Operator first: the (operator, status, created_at) index answers it without a scan.
    rows = Registration.objects.filter(
        operator_id__in=list(Operator.objects.values_list("pk", flat=True)),
        status__in=STUCK_STATUSES,
        submitted_at__lt=now - timedelta(seconds=config.stuck_after_s),
    )
    if kind == SubjectKind.OUTLET:
        rows, field = rows.filter(outlet__isnull=False), "outlet_id"
    else:
        rows, field = rows.filter(outlet__isnull=True), "created_by_id"
    hits = []
    for row in (
        rows.values(field, "operator_id", "province_id").annotate(count=Count("pk")).order_by()
    ):
        mine = rows.filter(
            **{field: row[field]}, operator_id=row["operator_id"], province_id=row["province_id"]
        ).order_by("submitted_at")
        oldest = mine.values_list("submitted_at", flat=True).first()
        hits.append(
            Hit(
                signal="stuck",
                subject=Subject(kind, row[field], row["operator_id"], row["province_id"]),
                score=round(2.0 + math.log10(row["count"]), 3),
                detail={
                    "stuck": row["count"],
                    "after_s": config.stuck_after_s,
                    "oldest_hours": round((now - oldest).total_seconds() / 3600, 1),
                },
                registration_ids=list(
                    mine.values_list("pk", flat=True)[: config.max_registrations]
                ),
            )
        )
    return hits
