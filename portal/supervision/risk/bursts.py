"""Bursts: an hour in which an outlet registered far more than its own usual.

For each outlet and each clock hour of the last ``burst_window_hours``, the count c of
registrations created in it, against the outlet's own baseline: its registrations in the
``burst_baseline_days`` before the window, per opening hour (days x opening hours a day),
raised to at least ``burst_min_baseline`` (a new or quiet outlet is not flagged for a normal
hour). Flagged when c >= ``burst_min_count`` and P(X >= c) < ``burst_p_value`` for
X ~ Poisson(baseline).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour

from portal.supervision.risk import stats
from portal.supervision.risk.base import Hit, RiskConfig, Subject, SubjectKind
from registrations.models import Registration


def burst(*, kind: str, now: datetime, config: RiskConfig) -> list[Hit]:
    del kind  # outlets only
    zone = ZoneInfo(settings.TIME_ZONE)
    window_start = now - timedelta(hours=config.burst_window_hours)
    in_window = Registration.objects.filter(
        outlet__isnull=False, created_at__gte=window_start, created_at__lt=now
    )
    busy = (
        in_window.annotate(hour=TruncHour("created_at", tzinfo=zone))
        .values("outlet_id", "operator_id", "province_id", "hour")
        .annotate(count=Count("pk"))
        .filter(count__gte=config.burst_min_count)
        .order_by()
    )
    by_outlet: dict[tuple, list] = {}
    for row in busy:
        key = (row["outlet_id"], row["operator_id"], row["province_id"])
        by_outlet.setdefault(key, []).append((row["hour"], row["count"]))
    if not by_outlet:
        return []
    baseline_start = window_start - timedelta(days=config.burst_baseline_days)
    before = dict(
        Registration.objects.filter(
            outlet_id__in=[key[0] for key in by_outlet],
            created_at__gte=baseline_start,
            created_at__lt=window_start,
        )
        .values("outlet_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("outlet_id", "count")
    )
    open_hours = config.burst_baseline_days * config.open_minutes_per_day / 60.0
    hits = []
    for (outlet_id, operator_id, province_id), hours in by_outlet.items():
        usual = before.get(outlet_id, 0) / open_hours
        mean = max(usual, config.burst_min_baseline)
        flagged = [
            (hour, count, stats.poisson_sf(count, mean))
            for hour, count in hours
            if stats.poisson_sf(count, mean) < config.burst_p_value
        ]
        if not flagged:
            continue
        flagged.sort(key=lambda item: item[2])
        peak_hour, peak_count, p = flagged[0]
        registrations = []
        for hour, _count, _p in flagged:
            start = hour.astimezone(zone)
            registrations += list(
                in_window.filter(
                    outlet_id=outlet_id,
                    created_at__gte=start,
                    created_at__lt=start + timedelta(hours=1),
                )
                .order_by("created_at")
                .values_list("pk", flat=True)
            )
        hits.append(
            Hit(
                signal="burst",
                subject=Subject(SubjectKind.OUTLET, outlet_id, operator_id, province_id),
                score=stats.evidence(p),
                detail={
                    "peak_hour": peak_hour.astimezone(zone).strftime("%Y-%m-%d %H:00"),
                    "peak_count": peak_count,
                    "hours_flagged": len(flagged),
                    "baseline_per_hour": round(usual, 3),
                    "baseline_used": round(mean, 3),
                    "p": float(f"{p:.3g}"),
                },
                registration_ids=registrations[: config.max_registrations],
            )
        )
    return hits
