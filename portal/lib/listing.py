"""What every list page shares: a date range over a timestamp, and pagination."""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def within_days(queryset: QuerySet, field: str, *, first: date | None, last: date | None):
    """Rows whose ``field`` falls on the days from ``first`` to ``last``, both whole."""
    if first:
        queryset = queryset.filter(**{f"{field}__gte": _start_of(first)})
    if last:
        queryset = queryset.filter(**{f"{field}__lt": _start_of(last + timedelta(days=1))})
    return queryset


def paginate(request, rows, *, per_page: int) -> dict:
    """The page asked for (a bad ``?page=`` gives the nearest page) and the query to keep."""
    page: Page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page_obj": page,
        "querystring": f"{query.urlencode()}&" if query else "",
        "query_without_page": query.urlencode(),
    }
