"""Reads of the rollups, within a user's scope: the only way the dashboards count anything.

Every read starts from ``rollup_rows``, which applies the user's scope (an inspector their
provinces, a carrier admin their operator, the ministry the nation) before any filter.
"""

from datetime import date

from django.db.models import Q, QuerySet

from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import sees_nation
from portal.supervision.models.rollups import HISTOGRAM_BUCKETS, HISTOGRAM_FIELDS
from registrations import scoping

# Where ``scope_filter`` keeps what it worked out, on the user object (one request's).
_SCOPE_MEMO = "_rollup_scope_memo"


def scope_filter(user) -> Q | None:
    """The rollup rows ``user`` may count, as a filter; None when they may count nothing.
    Worked out once per user object: a page reads a dozen rollups, each in this scope."""
    if _SCOPE_MEMO not in user.__dict__:
        user.__dict__[_SCOPE_MEMO] = _scope_filter(user)
    return user.__dict__[_SCOPE_MEMO]


def _scope_filter(user) -> Q | None:
    if sees_nation(user):
        return Q()
    role = role_of(user)
    if role == Role.MINISTRY_INSPECTOR:
        codes = list(scoping.provinces_in_scope(user).values_list("code", flat=True))
        return Q(province_code__in=codes) if codes else None
    if role == Role.CARRIER_ADMIN:
        operators = list(scoping.operators_in_scope(user).values_list("pk", flat=True))
        return Q(operator_id__in=operators) if operators else None
    return None


def rollup_rows(model, *, user, first: date, last: date, **filters) -> QuerySet:
    """The rows of ``model`` for the days from ``first`` to ``last``, in the user's scope, with
    ``filters`` (field=value, a value of None meaning no filter)."""
    scope = scope_filter(user)
    if scope is None:
        return model.objects.none()
    rows = model.objects.filter(scope, day__gte=first, day__lte=last)
    wanted = {name: value for name, value in filters.items() if value not in (None, "")}
    return rows.filter(**wanted)


def histogram_quantile(counts: list[int], q: float) -> float | None:
    """The ``q`` quantile (0 < q < 1) of durations counted in the log-spaced buckets of
    ``models.rollups``, interpolated geometrically inside its bucket (linearly in the first,
    [0, 1) s); None without any count. Exact to within the bucket's factor of two."""
    total = sum(counts)
    if total <= 0:
        return None
    target = q * total
    seen = 0
    for k, count in enumerate(counts):
        if count <= 0:
            continue
        if seen + count >= target:
            share = (target - seen) / count
            if k == 0:
                return round(share, 1)
            low = 2.0 ** (k - 1)
            high = low * 2
            return round(low * (high / low) ** share, 1)
        seen += count
    return float(2 ** (HISTOGRAM_BUCKETS - 2))


HISTOGRAM = HISTOGRAM_FIELDS
