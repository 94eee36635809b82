"""Where a search of the registration list is kept between its POST and the list's pages.

The list is a GET page whose filters are in its URL, but a searched ID number must never be
in a URL (nor in a browser's history, a proxy's log or a Referer). So the search box POSTs;
the recognised term (``registrations.search.SearchTerm``: an ID number only as its blind
indexes and masked form) is kept in the session under a random id, and the list is opened
with ``?search=<that id>``: the id means nothing outside this session, and the list's
filters and pages carry it like any other filter.
"""

import secrets

from registrations.search import SearchTerm

_SESSION_KEY = "registration_searches"
# The searches a session keeps (the newest): enough for a few tabs, never a growing store.
KEPT_SEARCHES = 10
SEARCH_PARAMETER = "search"


def remember_search(request, term: SearchTerm) -> str:
    """Keep ``term`` in the session; its id, for the list's URL."""
    searches = dict(request.session.get(_SESSION_KEY, {}))
    search_id = secrets.token_urlsafe(12)
    searches[search_id] = term.as_dict()
    request.session[_SESSION_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
    return search_id


def recalled_search(request) -> tuple[str, SearchTerm | None]:
    """The list's ``?search=`` id and the term kept under it (None when it names none kept:
    another session's id, or one dropped for newer searches)."""
    search_id = request.GET.get(SEARCH_PARAMETER, "")
    if not search_id:
        return "", None
    kept = request.session.get(_SESSION_KEY, {}).get(search_id)
    return search_id, (SearchTerm.from_dict(kept) if kept else None)
