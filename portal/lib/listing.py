"""What every list page shares: a date range over a timestamp, and pagination."""

from dataclasses import dataclass
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


# PostgreSQL's bigint: a cursor past it would be a database error, not an empty page.
_LARGEST_KEY = 2**63 - 1


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list read newest first by a unique, growing key (a sequence), without
    OFFSET: the page after another starts from its last key through the index, so the
    thousandth page costs what the first does.

    ``newer_than`` and ``older_than`` are the keys the links to the neighbouring pages carry
    (``?after=`` and ``?before=``), or None where there is no such page. ``count`` counts no
    further than the cap (``capped`` says there are more)."""

    rows: list
    count: int
    capped: bool
    cap: int
    newer_than: int | None
    older_than: int | None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.newer_than is not None or self.older_than is not None


def _cursor(value) -> int | None:
    """A key from the query string; anything else (text, a negative or too large number)
    reads as no cursor, so a bad link gives the first page rather than an error."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return key if 0 <= key <= _LARGEST_KEY else None


def _rows_before(rows: QuerySet, key: str, before: int | None, per_page: int):
    """The page from the newest row below ``before`` (from the newest of all without it),
    with whether older rows remain past it."""
    if before is not None:
        rows = rows.filter(**{f"{key}__lt": before})
    found = list(rows.order_by(f"-{key}")[: per_page + 1])
    return found[:per_page], len(found) > per_page


def _rows_after(rows: QuerySet, key: str, after: int, per_page: int):
    """The page of the oldest rows above ``after``, newest first, with whether newer ones
    remain past it."""
    found = list(rows.filter(**{f"{key}__gt": after}).order_by(key)[: per_page + 1])
    return found[:per_page][::-1], len(found) > per_page


def keyset_page(request, rows: QuerySet, *, key: str, per_page: int, count_cap: int) -> dict:
    """The page ``?before=`` or ``?after=`` asks for (the newest without either) of ``rows``
    read newest first by ``key``, with the query to keep for the links."""
    after = _cursor(request.GET.get("after"))
    before = None if after is not None else _cursor(request.GET.get("before"))
    if after is not None:
        page_rows, more_newer = _rows_after(rows, key, after, per_page)
        more_older = rows.filter(**{f"{key}__lte": after}).exists()
    else:
        page_rows, more_older = _rows_before(rows, key, before, per_page)
        more_newer = before is not None and rows.filter(**{f"{key}__gte": before}).exists()
    if not page_rows and (after is not None or before is not None):
        # A cursor past either end: the newest page rather than an empty list.
        page_rows, more_older = _rows_before(rows, key, None, per_page)
        more_newer = False
    counted = rows.order_by()[: count_cap + 1].count()
    page = KeysetPage(
        rows=page_rows,
        count=min(counted, count_cap),
        capped=counted > count_cap,
        cap=count_cap,
        newer_than=getattr(page_rows[0], key) if page_rows and more_newer else None,
        older_than=getattr(page_rows[-1], key) if page_rows and more_older else None,
    )
    query = request.GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    return {
        "page": page,
        "querystring": f"{query.urlencode()}&" if query else "",
        # The filters alone, for an export link: an export takes every page, not one.
        "query_without_cursor": query.urlencode(),
    }
