"""What every list page shares: a date range over a timestamp, and pagination."""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def within_days(queryset: QuerySet, field: str, *, first: date | None, last: date | None):
    """Rows whose ``field`` falls on the days from ``first`` to ``last``, both whole."""
    if first:
        queryset = queryset.filter(**{f"{field}__gte": _start_of(first)})
    if last:
        queryset = queryset.filter(**{f"{field}__lt": _start_of(last + timedelta(days=1))})
    return queryset


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` rows (``capped`` says when there are more): a list
    ranked by what matters most is read from its top, and counting every row of a growing
    table would cost more than the page itself."""

    def __init__(self, rows, per_page, *, cap: int):
        super().__init__(rows, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return min(self.object_list[: self.cap + 1].count(), self.cap)

    @cached_property
    def capped(self) -> bool:
        return self.object_list[self.cap : self.cap + 1].exists()


def paginate(request, rows, *, per_page: int, count_cap: int | None = None) -> dict:
    """The page asked for (a bad ``?page=`` gives the nearest page) and the query to keep;
    with ``count_cap``, counted no further than that many rows."""
    paginator = (
        Paginator(rows, per_page)
        if count_cap is None
        else CappedPaginator(rows, per_page, cap=count_cap)
    )
    page: Page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "querystring": f"{query.urlencode()}&" if query else "",
        "query_without_page": query.urlencode(),
    }
