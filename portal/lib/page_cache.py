"""A list's rows, rendered once and kept a few seconds in this process's memory, for the
readers who change nothing in them: a ministry inspector's nation-wide list is the costliest
page of the portal, and many inspectors open it at once.

The key is the SQL the rows are read with (so the reader's scope and filters), the query string
(the page's links), the language and the time zone. What is kept holds nothing of a session (no
CSRF token, no nonce). It stays in the process, never in Redis: the rows hold masked personal
data, and a process that ends takes them with it.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

CACHE_ALIAS = "pages"


def rows_key(request, rows: QuerySet) -> str:
    # The rows' ids are enough to tell one scope and filter from another, and cost a third
    # of compiling the whole query with its joined columns.
    sql, params = rows.values_list("pk").query.sql_with_params()
    parts = (
        sql,
        params,
        request.GET.urlencode(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    return "rows:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def kept_html(key: str, render: Callable[[], str]) -> SafeString:
    """The HTML kept under ``key``, or ``render()``'s, kept for LIST_PAGE_KEPT_S seconds."""
    cache = caches[CACHE_ALIAS]
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, settings.LIST_PAGE_KEPT_S)
    return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped


def forget_kept_pages() -> None:
    caches[CACHE_ALIAS].clear()
