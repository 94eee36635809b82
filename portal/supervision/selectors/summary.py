"""The overview's figures for a period, in a user's scope, read from the rollups only.

``summary_filters`` turns the query's codes into rows the user may see (404 otherwise);
``summary`` answers the figures of that period and of the one of the same length before it.
Registrations are counted on the day they were created (in their status now); decisions,
rates and durations on the day of the decision; evidence views on the day the leave to view
was opened. Days are Asia/Shanghai dates.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.http import Http404
from django.utils.translation import get_language

from portal.accounts.models import User
from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import get_in_scope_or_404, sees_nation
from portal.supervision.models.rollups import (
    HISTOGRAM_FIELDS,
    PLACE_OF,
    DecisionDayRollup,
    EvidenceViewRollup,
    ReasonRollup,
    StatusRollup,
)
from portal.supervision.selectors.rollups import histogram_quantile, rollup_rows, scope_filter
from registrations import scoping
from registrations.models import Operator, Outlet, Province, Registration

Status = Registration.Status
PENDING = (Status.DRAFT, Status.SUBMITTED, Status.VERIFYING)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        last = self.first - timedelta(days=1)
        return Period(first=last - timedelta(days=self.days - 1), last=last)

    def each_day(self):
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


@dataclass(frozen=True)
class SummaryFilters:
    period: Period
    operator: Operator | None = None
    province: Province | None = None
    outlet: Outlet | None = None
    staff: User | None = None
    channel: str = ""

    def as_query(self) -> dict:
        """The filters as the query parameters of the overview and of summary.json."""
        query = {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        if self.operator:
            query["operator"] = self.operator.code
        if self.province:
            query["province"] = self.province.code
        if self.outlet:
            query["outlet"] = str(self.outlet.pk)
        if self.staff:
            query["staff"] = str(self.staff.pk)
        if self.channel:
            query["channel"] = self.channel
        return query

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.as_query().items())


def summary_operators(user):
    """The operators ``user`` may filter the overview by."""
    return scoping.operators_in_scope(user)


def summary_provinces(user):
    """The provinces ``user`` may filter by: an inspector's own, every province for the
    ministry and for a carrier admin (whose figures stay those of their operator)."""
    if not sees_nation(user) and role_of(user) == Role.CARRIER_ADMIN:
        return Province.objects.all()
    return scoping.provinces_in_scope(user)


def summary_filters(
    *,
    user,
    first: date,
    last: date,
    operator: str = "",
    province: str = "",
    outlet: int | None = None,
    staff: int | None = None,
    channel: str = "",
) -> SummaryFilters:
    """The filters of a query, each in the user's scope: a code or id outside it is a 404."""
    found_operator = (
        get_in_scope_or_404(summary_operators(user), code=operator) if operator else None
    )
    found_province = (
        get_in_scope_or_404(summary_provinces(user), code=province) if province else None
    )
    found_outlet = (
        get_in_scope_or_404(scoping.outlets_in_scope(user), pk=outlet) if outlet else None
    )
    found_staff = None
    if staff:
        # A staff member is reached through an outlet, and only one who worked there.
        scope = scope_filter(user)
        worked_there = (
            found_outlet is not None
            and scope is not None
            and StatusRollup.objects.filter(
                scope, outlet_id=found_outlet.pk, staff_id=staff
            ).exists()
        )
        if not worked_there:
            raise Http404("No such staff member")
        found_staff = User.objects.get(pk=staff)
    return SummaryFilters(
        period=Period(first=first, last=last),
        operator=found_operator,
        province=found_province,
        outlet=found_outlet,
        staff=found_staff,
        channel=channel,
    )


# The figures


def _where(filters: SummaryFilters, *, staff=True, outlet=True) -> dict:
    where = {
        "operator_id": filters.operator.pk if filters.operator else None,
        "province_code": filters.province.code if filters.province else None,
        "channel": filters.channel or None,
    }
    if outlet:
        where["outlet_id"] = filters.outlet.pk if filters.outlet else None
    if staff:
        where["staff_id"] = filters.staff.pk if filters.staff else None
    return where


# The place rollups (PLACE_OF) are read instead of the finer ones unless one of these matters.
_UNIT_DIMENSIONS = {"outlet_id", "staff_id"}


def _rows(model, user, filters: SummaryFilters, period: Period, *, dimensions=(), **exclude_dims):
    if not filters.outlet and not filters.staff and not _UNIT_DIMENSIONS & set(dimensions):
        model = PLACE_OF.get(model, model)
    return rollup_rows(model, user=user, first=period.first, last=period.last,
                       **_where(filters, **exclude_dims))  # fmt: skip


_DECISION_SUMS = {
    "decided": Sum("n"),
    "approved": Sum("n", filter=Q(outcome=Status.APPROVED)),
    "rejected": Sum("n", filter=Q(outcome=Status.REJECTED)),
    "reviewed": Sum("reviewed"),
    "retaken": Sum("retaken"),
    "overrides": Sum("overrides"),
    "seconds": Sum("seconds"),
    **{name: Sum(name) for name in HISTOGRAM_FIELDS},
}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rates(sums: dict) -> dict:
    decided = sums["decided"]
    return {
        "approval": _share(sums["approved"], decided),
        "rejection": _share(sums["rejected"], decided),
        "review": _share(sums["reviewed"], decided),
        "retake": _share(sums["retaken"], decided),
        # Of the decisions taken by a person, those against the engine's decision.
        "manual_overrides": _share(sums["overrides"], sums["reviewed"]),
    }


def _zeroed(sums: dict) -> dict:
    return {name: value or 0 for name, value in sums.items()}


@dataclass(frozen=True)
class _DayRows:
    """A period's counts per day, statuses and decisions: the two scans that its totals and
    its by-day table share (one scan of each rollup, not two)."""

    statuses: list[dict]  # day, status, total
    decisions: list[dict]  # day and every sum of _DECISION_SUMS


def _day_rows(user, filters: SummaryFilters, period: Period) -> _DayRows:
    statuses = _rows(StatusRollup, user, filters, period).values("day", "status")
    decisions = _rows(DecisionDayRollup, user, filters, period).values("day")
    return _DayRows(
        statuses=list(statuses.annotate(total=Sum("n")).order_by()),
        decisions=list(decisions.annotate(**_DECISION_SUMS).order_by()),
    )


def _totals(user, filters: SummaryFilters, period: Period, days: _DayRows) -> dict:
    by_status = dict.fromkeys(Status.values, 0)
    for row in days.statuses:
        by_status[row["status"]] += row["total"] or 0
    sums = dict.fromkeys(_DECISION_SUMS, 0)
    for row in days.decisions:
        for name in _DECISION_SUMS:
            sums[name] += row[name] or 0
    histogram = [sums[name] for name in HISTOGRAM_FIELDS]
    views = None
    if not filters.outlet and not filters.staff:  # counted per operator and province only
        views = _rows(EvidenceViewRollup, user, filters, period, staff=False, outlet=False)
        views = views.aggregate(n=Sum("n"))["n"] or 0
    return {
        "period": {"from": period.first.isoformat(), "to": period.last.isoformat()},
        "registrations": sum(by_status.values()),
        "by_status": by_status,
        "decided": sums["decided"],
        "decisions": {name: sums[name] for name in
                      ("approved", "rejected", "reviewed", "retaken", "overrides")},
        "rates": _rates(sums),
        "upload_to_decision": {
            "median_s": histogram_quantile(histogram, 0.5),
            "p95_s": histogram_quantile(histogram, 0.95),
            "mean_s": round(sums["seconds"] / sums["decided"], 1) if sums["decided"] else None,
        },
        "evidence_views": views,
    }  # fmt: skip


_BREAKDOWN_SUMS = {k: v for k, v in _DECISION_SUMS.items() if k not in HISTOGRAM_FIELDS}


def _breakdowns(user, filters: SummaryFilters, *dimensions: str) -> dict[str, dict]:
    """Registrations (by status) and decisions per value of each of ``dimensions``, from one
    scan of each rollup grouped by all of them at once (operators × provinces are few)."""
    period = filters.period
    statuses = _rows(StatusRollup, user, filters, period, dimensions=dimensions)
    decisions = _rows(DecisionDayRollup, user, filters, period, dimensions=dimensions)
    statuses = list(statuses.values(*dimensions, "status").annotate(total=Sum("n")).order_by())
    decisions = decisions.values(*dimensions)
    decisions = list(decisions.annotate(**_BREAKDOWN_SUMS).order_by())
    return {dimension: _groups(statuses, decisions, dimension) for dimension in dimensions}


def _groups(statuses: list[dict], decisions: list[dict], dimension: str) -> dict:
    groups = defaultdict(lambda: {"registrations": 0, "pending": 0, "review": 0,
                                  **dict.fromkeys(_BREAKDOWN_SUMS, 0)})  # fmt: skip
    for row in statuses:
        group, total = groups[row[dimension]], row["total"] or 0
        group["registrations"] += total
        if row["status"] in PENDING:
            group["pending"] += total
        elif row["status"] == Status.REVIEW:
            group["review"] += total
    for row in decisions:
        group = groups[row[dimension]]
        for name in _BREAKDOWN_SUMS:
            group[name] += row[name] or 0
    figures = {}
    for value, group in groups.items():
        figures[value] = {
            "registrations": group["registrations"], "pending": group["pending"],
            "review": group["review"], "decided": group["decided"],
            "approved": group["approved"], "rejected": group["rejected"],
            "overrides": group["overrides"], "rates": _rates(group),
        }  # fmt: skip
    return figures


def province_name(province: Province) -> str:
    return province.name if (get_language() or "").startswith("zh") else province.name_en


def _named(groups: dict, names: dict, key: str) -> list[dict]:
    rows = [{key: value, "name": names.get(value, str(value)), **figures}
            for value, figures in groups.items()]  # fmt: skip
    return sorted(rows, key=lambda row: (-row["registrations"], str(row[key])))


def _by_operator(groups: dict):
    operators = Operator.objects.in_bulk(list(groups))
    rows = _named(groups, {pk: o.name for pk, o in operators.items()}, "operator_id")
    for row in rows:
        row["code"] = operators[row["operator_id"]].code if row["operator_id"] in operators else ""
    return rows


def _by_province(groups: dict):
    names = {p.code: province_name(p) for p in Province.objects.filter(code__in=list(groups))}
    rows = _named(groups, names, "province_code")
    for row in rows:
        row["code"] = row.pop("province_code")
    return rows


def _by_outlet(user, filters):
    groups = _breakdowns(user, filters, "outlet_id")["outlet_id"]
    outlets = Outlet.objects.in_bulk([pk for pk in groups if pk])
    names = {pk: f"{o.name} ({o.code})" for pk, o in outlets.items()}
    names[0] = str(Registration.Channel.ONLINE.label)
    return _named(groups, names, "outlet_id")


def _by_staff(user, filters):
    groups = _breakdowns(user, filters, "staff_id")["staff_id"]
    people = User.objects.in_bulk(list(groups))
    names = {pk: u.get_full_name() or u.username for pk, u in people.items()}
    return _named(groups, names, "staff_id")


def _by_day(filters, days_rows: _DayRows) -> list[dict]:
    period = filters.period
    days = {day: {"date": day.isoformat(), "registrations": 0, "approved": 0, "rejected": 0,
                  "review": 0, "pending": 0, "cancelled": 0, "decided": 0}
            for day in period.each_day()}  # fmt: skip
    for row in days_rows.statuses:
        day, total = days[row["day"]], row["total"] or 0
        day["registrations"] += total
        bucket = "pending" if row["status"] in PENDING else row["status"]
        day[bucket] = day.get(bucket, 0) + total
    for row in days_rows.decisions:
        days[row["day"]]["decided"] = row["decided"] or 0
    return list(days.values())


def _reasons(user, filters) -> list[dict]:
    rows = _rows(ReasonRollup, user, filters, filters.period, staff=False)
    totals = defaultdict(lambda: {Status.APPROVED.value: 0, Status.REJECTED.value: 0})
    for row in rows.values("reason", "outcome").annotate(total=Sum("n")):
        totals[row["reason"]][row["outcome"]] = row["total"] or 0
    result = [{"reason": reason, "approved": t["approved"], "rejected": t["rejected"],
               "total": t["approved"] + t["rejected"]} for reason, t in totals.items()]  # fmt: skip
    return sorted(result, key=lambda row: (-row["total"], row["reason"]))


def summary(*, user, filters: SummaryFilters) -> dict:
    """The overview's figures: totals for the period and the one before, and the tables."""
    days = _day_rows(user, filters, filters.period)
    current = _totals(user, filters, filters.period, days)
    before = filters.period.previous()
    previous = _totals(user, filters, before, _day_rows(user, filters, before))
    places = _breakdowns(user, filters, "operator_id", "province_code")
    figures = {
        **current,
        "filters": filters.as_query(),
        "previous": previous,
        "by_operator": _by_operator(places["operator_id"]),
        "by_province": _by_province(places["province_code"]),
        "by_day": _by_day(filters, days),
        "reasons": _reasons(user, filters),
        "by_outlet": _by_outlet(user, filters) if filters.operator or filters.province
        or filters.outlet else [],
        "by_staff": _by_staff(user, filters) if filters.outlet else [],
    }  # fmt: skip
    return figures
