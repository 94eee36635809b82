"""What every list page shares: a date range over a timestamp, and pagination."""

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, IntegerField, Q, QuerySet
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)
from django.utils import timezone
from django.utils.functional import cached_property

# The parameters that say which page of a list: a link that changes the filters drops them.
PAGE_PARAMETERS = ("after", "before", "page")


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
_LARGEST_INT = 2**63 - 1


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list read by a unique key (a sequence, or a time and an id), newest or
    oldest first, without OFFSET: the next page starts from this one's last key through an
    index, so the thousandth page costs what the first does.

    ``newer_than`` and ``older_than`` are the cursors of the links to the neighbouring pages
    (``?after=`` the newer rows, ``?before=`` the older), or None where there is no such
    page. ``count`` counts no further than the cap (``capped`` says there are more)."""

    rows: list
    count: int
    capped: bool
    cap: int
    newer_than: str | None
    older_than: str | None
    newest_first: bool = True

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.newer_than is not None or self.older_than is not None


class SortKeys:
    """A list's key fields: cursors to and from their values, and the comparisons."""

    def __init__(self, model, names: tuple[str, ...]):
        self.names = names
        self.fields = [model._meta.get_field(name) for name in names]

    def cursor(self, row) -> str:
        """The row's key as URL-safe text: a number as it is, else base64 (no personal data:
        times and ids)."""
        values = [getattr(row, name) for name in self.names]
        if len(values) == 1 and isinstance(values[0], int):
            return str(values[0])
        text = "|".join(value.isoformat() if hasattr(value, "isoformat") else str(value)
                        for value in values)  # fmt: skip
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def values(self, cursor) -> tuple | None:
        """The key a cursor names; None for anything else (a bad link gives the first page)."""
        if not cursor:
            return None
        try:
            if len(self.fields) == 1 and isinstance(self.fields[0], IntegerField):
                parts = [cursor]
            else:
                padded = cursor + "=" * (-len(cursor) % 4)
                parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
            if len(parts) != len(self.fields):
                return None
            values = tuple(
                field.to_python(part) for field, part in zip(self.fields, parts, strict=True)
            )
        except (ValueError, TypeError, ValidationError, UnicodeDecodeError, binascii.Error):
            return None
        if any(isinstance(v, int) and not 0 <= v <= _LARGEST_INT for v in values):
            return None
        return values

    def _compare(self, lookup, tuple_lookup, values):
        if len(self.names) == 1:
            return Q(**{f"{self.names[0]}__{lookup}": values[0]})
        # A row comparison, which an index on the key fields serves as a range.
        return tuple_lookup(Tuple(*(F(name) for name in self.names)), values)

    def older(self, rows, values):
        return rows.filter(self._compare("lt", TupleLessThan, values))

    def newer(self, rows, values):
        return rows.filter(self._compare("gt", TupleGreaterThan, values))

    def not_older(self, rows, values):
        return rows.filter(self._compare("gte", TupleGreaterThanOrEqual, values))

    def not_newer(self, rows, values):
        return rows.filter(self._compare("lte", TupleLessThanOrEqual, values))

    def newest_first(self, rows):
        return rows.order_by(*(f"-{name}" for name in self.names))

    def oldest_first(self, rows):
        return rows.order_by(*self.names)


def _rows_from(key, rows, *, after, before, per_page, newest_first):
    """(the page's rows newest first, whether newer rows remain, whether older remain)."""
    if after is not None:  # the newer rows next to ``after``, nearest first
        found = list(key.oldest_first(key.newer(rows, after))[: per_page + 1])
        page, more_newer = found[:per_page][::-1], len(found) > per_page
        return page, more_newer, key.not_newer(rows, after).exists()
    if before is not None or newest_first:  # the older rows next to ``before`` (or the newest)
        older = rows if before is None else key.older(rows, before)
        found = list(key.newest_first(older)[: per_page + 1])
        more_newer = before is not None and key.not_older(rows, before).exists()
        return found[:per_page], more_newer, len(found) > per_page
    found = list(key.oldest_first(rows)[: per_page + 1])  # the oldest, read oldest first
    return found[:per_page][::-1], len(found) > per_page, False


def keyset_page(
    request,
    rows: QuerySet,
    *,
    keys: tuple[str, ...],
    per_page: int,
    count_cap: int,
    newest_first: bool = True,
) -> dict:
    """The page ``?before=`` or ``?after=`` asks for of ``rows`` read by ``keys`` (newest
    first, or oldest first), the first page without either, with the query for the links."""
    key = SortKeys(rows.model, keys)
    after = key.values(request.GET.get("after"))
    before = None if after is not None else key.values(request.GET.get("before"))
    window = {"per_page": per_page, "newest_first": newest_first}
    newer, more_newer, more_older = _rows_from(key, rows, after=after, before=before, **window)
    if not newer and (after is not None or before is not None):
        # A cursor past either end: the first page rather than an empty list.
        newer, more_newer, more_older = _rows_from(key, rows, after=None, before=None, **window)
    # ``newer`` holds the page newest first; the page shows it in its own order.
    shown = newer if newest_first else newer[::-1]
    # The first rows in the pages' own order: read from the same index as the page, never a
    # scan of the table however rare the rows that match.
    reading_order = key.newest_first(rows) if newest_first else key.oldest_first(rows)
    counted = reading_order[: count_cap + 1].count()
    page = KeysetPage(
        rows=shown,
        count=min(counted, count_cap),
        capped=counted > count_cap,
        cap=count_cap,
        newer_than=key.cursor(newer[0]) if newer and more_newer else None,
        older_than=key.cursor(newer[-1]) if newer and more_older else None,
        newest_first=newest_first,
    )
    query = request.GET.copy()
    for name in PAGE_PARAMETERS:
        query.pop(name, None)
    return {
        "page": page,
        "querystring": f"{query.urlencode()}&" if query else "",
        # The filters alone, for an export link: an export takes every page, not one.
        "query_without_cursor": query.urlencode(),
    }
