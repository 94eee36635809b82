"""One ID registered at several outlets or with several operators within a few weeks.

Per subscriber (one ID document), over the registrations created in the last
``id_window_days`` (whatever their status): the number of distinct outlets and of distinct
operators. Flagged at ``id_min_outlets`` outlets or ``id_min_operators`` operators or more.
Nothing here looks at faces: the ID is the same row (its blind index), not a similar face.
"""

import math
from datetime import datetime

from django.db.models import Count, Q

from portal.supervision.risk.base import Hit, RiskConfig, Subject, SubjectKind, recent


def id_spread(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    del kind  # subscribers only
    rows = recent(now, config.id_window_days)
    spread = (
        rows.values("subscriber_id")
        .annotate(
            outlets=Count("outlet_id", distinct=True),
            operators=Count("operator_id", distinct=True),
            registrations=Count("pk"),
        )
        .filter(Q(outlets__gte=config.id_min_outlets) | Q(operators__gte=config.id_min_operators))
        .order_by()
    )
    hits = []
    for row in spread:
        mine = list(
            rows.filter(subscriber_id=row["subscriber_id"])
            .order_by("-created_at")
            .values("pk", "operator_id", "province_id")[: config.max_registrations]
        )
        latest = mine[0]
        excess = max(
            row["outlets"] - config.id_min_outlets, row["operators"] - config.id_min_operators, 0
        )
        hits.append(
            Hit(
                signal="id_spread",
                subject=Subject(
                    SubjectKind.SUBSCRIBER, row["subscriber_id"], None, latest["province_id"]
                ),
                score=round(2.0 + math.log2(1 + excess), 3),
                detail={
                    "outlets": row["outlets"],
                    "operators": row["operators"],
                    "registrations": row["registrations"],
                    "days": config.id_window_days,
                    "provinces": sorted({r["province_id"] for r in mine}),
                },
                registration_ids=[r["pk"] for r in mine],
            )
        )
    return hits
