"""Subscribers' "not mine" disputes left unanswered past their deadline, per outlet of the
disputed registrations (per creating account for the online channel); flagged from one.

The disputes belong to the subscriber's side, which supervision does not import: the site
registers where the overdue ones are (``overdue_disputes_source_register``)."""

import math
from collections.abc import Callable
from datetime import datetime

from django.db.models import Count, QuerySet

from portal.supervision.risk.base import Hit, RiskConfig, Subject, SubjectKind
from registrations.models import Registration

# now -> the ids of the registrations whose dispute is open and past its deadline.
_sources: list[Callable[[datetime], QuerySet]] = []


def overdue_disputes_source_register(source: Callable[[datetime], QuerySet]) -> None:
    if source not in _sources:
        _sources.append(source)


def overdue_disputes(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    hits = []
    for source in _sources:
        rows = Registration.objects.filter(pk__in=source(now))
        if kind == SubjectKind.OUTLET:
            rows, field = rows.filter(outlet__isnull=False), "outlet_id"
        else:
            rows, field = rows.filter(outlet__isnull=True), "created_by_id"
        groups = rows.values(field, "operator_id", "province_id").annotate(count=Count("pk"))
        for row in groups.order_by():
            mine = rows.filter(
                **{field: row[field]},
                operator_id=row["operator_id"],
                province_id=row["province_id"],
            )
            hits.append(
                Hit(
                    signal="overdue_disputes",
                    subject=Subject(kind, row[field], row["operator_id"], row["province_id"]),
                    score=round(2.0 + math.log10(row["count"]), 3),
                    detail={"overdue": row["count"]},
                    registration_ids=list(
                        mine.values_list("pk", flat=True)[: config.max_registrations]
                    ),
                )
            )
    return hits
