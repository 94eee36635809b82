"""What every risk signal shares: its settings, the subject it is about, what it returns, and
the test of a rate against the peer group (same operator and province)."""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from portal.supervision.risk import stats
from registrations.models import Registration


class SubjectKind:
    OUTLET = "outlet"
    STAFF = "staff"
    SUBSCRIBER = "subscriber"


@dataclass(frozen=True)
class Subject:
    """What an alert is about: an outlet, a member of staff (within one operator and
    province) or a subscriber (an ID), with the operator and province that scope it."""

    kind: str
    pk: int
    operator_id: int | None
    province_id: str | None

    @property
    def key(self) -> str:
        """The deduplication key, with the signal: one open alert per (signal, key)."""
        return f"{self.kind}:{self.pk}:{self.operator_id or '-'}:{self.province_id or '-'}"


@dataclass
class Hit:
    """One signal firing on one subject: its score (higher is worse), the figures behind
    the score, and the registrations that make it up (their ids, at most a bounded number)."""

    signal: str
    subject: Subject
    score: float
    detail: dict
    registration_ids: list = field(default_factory=list)


def _parse_hours(value: str) -> tuple[time, time]:
    start, _, end = value.partition("-")
    try:
        opens, closes = time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
    except ValueError as error:
        raise ValueError(f"opening hours must read HH:MM-HH:MM, not {value!r}") from error
    if not opens < closes:
        raise ValueError(f"opening hours must open before they close: {value!r}")
    return opens, closes


@dataclass(frozen=True)
class RiskConfig:
    """The thresholds of every signal (README "Risk signals"); from settings by default."""

    window_days: int = 30
    p_value: float = 0.01
    min_volume: int = 30
    min_ratio: float = 1.5
    opening_hours: str = "08:00-21:00"
    burst_window_hours: int = 24
    burst_baseline_days: int = 28
    burst_min_count: int = 10
    burst_p_value: float = 0.001
    burst_min_baseline: float = 2.0
    near_threshold_margin: float = 0.03
    match_threshold: float = 0.55
    id_window_days: int = 30
    id_min_outlets: int = 3
    id_min_operators: int = 3
    stuck_after_s: int = 7200
    max_registrations: int = 200

    @classmethod
    def from_settings(cls) -> "RiskConfig":
        from verification.engine.config import Thresholds

        return cls(
            window_days=settings.SUPERVISION_RISK_WINDOW_DAYS,
            p_value=settings.SUPERVISION_RISK_P_VALUE,
            min_volume=settings.SUPERVISION_RISK_MIN_VOLUME,
            min_ratio=settings.SUPERVISION_RISK_MIN_RATIO,
            opening_hours=settings.SUPERVISION_OPENING_HOURS,
            burst_window_hours=settings.SUPERVISION_BURST_WINDOW_HOURS,
            burst_baseline_days=settings.SUPERVISION_BURST_BASELINE_DAYS,
            burst_min_count=settings.SUPERVISION_BURST_MIN_COUNT,
            burst_p_value=settings.SUPERVISION_BURST_P_VALUE,
            burst_min_baseline=settings.SUPERVISION_BURST_MIN_BASELINE,
            near_threshold_margin=settings.SUPERVISION_NEAR_THRESHOLD_MARGIN,
            match_threshold=Thresholds().match_threshold,
            id_window_days=settings.SUPERVISION_ID_WINDOW_DAYS,
            id_min_outlets=settings.SUPERVISION_ID_MIN_OUTLETS,
            id_min_operators=settings.SUPERVISION_ID_MIN_OPERATORS,
            stuck_after_s=settings.SUPERVISION_STUCK_AFTER_S,
            max_registrations=settings.SUPERVISION_ALERT_MAX_REGISTRATIONS,
        )

    @property
    def hours(self) -> tuple[time, time]:
        return _parse_hours(self.opening_hours)

    @property
    def open_minutes_per_day(self) -> int:
        opens, closes = self.hours
        return (closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)


def recent(now: datetime, days: int) -> QuerySet[Registration]:
    """Registrations created in the ``days`` before ``now`` (the created_at indexes)."""
    return Registration.objects.filter(
        created_at__gte=now - timedelta(days=days), created_at__lt=now
    )


def default_now() -> datetime:
    return timezone.now()


# -- a rate against the peer group ----------------------------------------------------------

# Per kind of subject: the registration field naming it, and the rows it is computed over.
UNIT_FIELDS = {SubjectKind.OUTLET: "outlet_id", SubjectKind.STAFF: "created_by_id"}


@dataclass(frozen=True)
class UnitCount:
    """A unit's count of events (x) among its cases (n)."""

    pk: int
    operator_id: int
    province_id: str
    x: int
    n: int


def rate_hits(
    *,
    signal: str,
    kind: str,
    counts: Iterable[UnitCount],
    config: RiskConfig,
    behind: Callable[[UnitCount], list],
    extra: Callable[[UnitCount], dict] | None = None,
) -> list[Hit]:
    """Flag each unit whose rate is significantly above its baseline (one-sided, p under
    ``config.p_value``, at least ``config.min_volume`` cases): the rest of its peer group
    (same operator and province) when it has the volume, else the rest of the nation. The
    rate must also reach ``config.min_ratio`` times the baseline's: on thousands of cases a
    difference of a point is significant, and no reason to send an inspector."""
    counts = [c for c in counts if c.pk is not None]
    groups: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    nation = [0, 0]
    for c in counts:
        group = groups[(c.operator_id, c.province_id)]
        group[0] += c.x
        group[1] += c.n
        nation[0] += c.x
        nation[1] += c.n
    hits = []
    for c in counts:
        group_x, group_n = groups[(c.operator_id, c.province_id)]
        test = stats.rate_against_baseline(
            x=c.x,
            n=c.n,
            peer_x=group_x - c.x,
            peer_n=group_n - c.n,
            nation_x=nation[0] - c.x,
            nation_n=nation[1] - c.n,
            min_volume=config.min_volume,
        )
        if test is None or test.p >= config.p_value or test.rate <= test.baseline_rate:
            continue
        if test.rate < config.min_ratio * test.baseline_rate:
            continue  # significant on a large volume, but too small a difference to matter
        detail = test.as_detail()
        if extra:
            detail.update(extra(c))
        hits.append(
            Hit(
                signal=signal,
                subject=Subject(kind, c.pk, c.operator_id, c.province_id),
                score=stats.evidence(test.p),
                detail=detail,
                registration_ids=behind(c),
            )
        )
    return hits


def unit_filter(kind: str, unit: UnitCount, prefix: str = "") -> dict:
    """The filter selecting one unit's rows (``prefix``: the path to the registration)."""
    return {
        f"{prefix}{UNIT_FIELDS[kind]}": unit.pk,
        f"{prefix}operator_id": unit.operator_id,
        f"{prefix}province_id": unit.province_id,
    }


def counted_per_unit(
    rows: QuerySet,
    *,
    kind: str,
    signal: str,
    config: RiskConfig,
    detail: Callable[[int, QuerySet], dict],
) -> list[Hit]:
    """One hit per unit holding any of ``rows`` (registrations): per outlet, or per creating
    account for the online channel, within its operator and province; scored 2 + log10 of
    its count. ``detail(count, its_rows)`` gives the figures shown with it."""
    if kind == SubjectKind.OUTLET:
        rows, unit = rows.filter(outlet__isnull=False), "outlet_id"
    else:
        rows, unit = rows.filter(outlet__isnull=True), "created_by_id"
    groups = rows.values(unit, "operator_id", "province_id").annotate(count=Count("pk"))
    hits = []
    for row in groups.order_by():
        mine = rows.filter(
            **{unit: row[unit]}, operator_id=row["operator_id"], province_id=row["province_id"]
        )
        hits.append(
            Hit(
                signal=signal,
                subject=Subject(kind, row[unit], row["operator_id"], row["province_id"]),
                score=round(2.0 + math.log10(row["count"]), 3),
                detail=detail(row["count"], mine),
                registration_ids=list(
                    mine.values_list("pk", flat=True)[: config.max_registrations]
                ),
            )
        )
    return hits
