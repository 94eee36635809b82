"""Work outside opening hours: the share of an outlet's (or a member of staff's)
registrations created outside ``SUPERVISION_OPENING_HOURS`` (local time, Asia/Shanghai),
against the peer group."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, ExtractMinute

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


def _minute_of_day(field: str = "created_at"):
    zone = ZoneInfo(settings.TIME_ZONE)
    return ExtractHour(field, tzinfo=zone) * 60 + ExtractMinute(field, tzinfo=zone)


def out_of_hours_share(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    opens, closes = config.hours
    rows = recent(now, config.window_days).annotate(minute=_minute_of_day())
    if kind == SubjectKind.OUTLET:
        rows = rows.filter(outlet__isnull=False)
    outside = Q(minute__lt=opens.hour * 60 + opens.minute) | Q(
        minute__gte=closes.hour * 60 + closes.minute
    )
    field = UNIT_FIELDS[kind]
    counts = [
        UnitCount(r[field], r["operator_id"], r["province_id"], r["x"], r["n"])
        for r in rows.values(field, "operator_id", "province_id")
        .annotate(n=Count("pk"), x=Count("pk", filter=outside))
        .order_by()
    ]

    def behind(unit: UnitCount) -> list:
        mine = rows.filter(outside, **unit_filter(kind, unit)).order_by("-created_at")
        return list(mine.values_list("pk", flat=True)[: config.max_registrations])

    return rate_hits(
        signal="out_of_hours_share",
        kind=kind,
        counts=counts,
        config=config,
        behind=behind,
        extra=lambda unit: {"opening_hours": config.opening_hours},
    )
