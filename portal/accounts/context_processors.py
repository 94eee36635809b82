"""The navigation of the page layout: the pages the user holds the permission of."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.accounts.languages import html_lang, switch_choices
from portal.accounts.permissions import Perm, can_use_pages, second_factor_required
from portal.accounts.roles import role_of
from portal.accounts.second_factor import has_second_factor

# In the order shown; each link appears to those holding its permission.
_NAVIGATION: list[tuple[str, str, Perm]] = [
    (_("New registration"), "registrations:new", Perm.ADD_REGISTRATION),
    (_("Registrations"), "registrations:list", Perm.VIEW_REGISTRATION),
    (_("Review"), "review:list", Perm.REVIEW_REGISTRATION),
    (_("Outlets"), "operator:outlets", Perm.MANAGE_OUTLETS),
    (_("Staff"), "operator:staff", Perm.MANAGE_STAFF),
    # The inspectors' read-only counterparts of the two above.
    (_("Outlets"), "directory:outlets", Perm.VIEW_OUTLET_DIRECTORY),
    (_("Outlet staff"), "directory:staff", Perm.VIEW_OUTLET_DIRECTORY),
    (_("API keys"), "api-pages:keys", Perm.MANAGE_API_KEYS),
    (_("Webhooks"), "api-pages:webhooks", Perm.VIEW_WEBHOOKS),
    (_("Registration policy"), "ministry:policy", Perm.CHANGE_POLICY),
    (_("Overview"), "overview:page", Perm.VIEW_SUPERVISION),
    (_("Fairness"), "fairness", Perm.VIEW_SUPERVISION),
    (_("Spot checks"), "spot_checks:list", Perm.RUN_SPOT_CHECKS),
    (_("Findings"), "findings:list", Perm.ISSUE_NOTICES),
    (_("Notices"), "notices:list", Perm.ISSUE_NOTICES),
    (_("Ministry notices"), "operator-notices:list", Perm.ANSWER_NOTICES),
    (_("Subscribers' disputes"), "operator-disputes:list", Perm.HANDLE_DISPUTES),
    (_("Risk alerts"), "risk:list", Perm.MANAGE_RISK_ALERTS),
    (_("Overdue disputes"), "selfservice:overdue", Perm.VIEW_OVERDUE_DISPUTES),
    (_("Audit trail"), "audit:list", Perm.VIEW_AUDIT_TRAIL),
    (_("Administration"), "admin:index", Perm.USE_ADMIN_SITE),
    (_("Security"), "security", Perm.USE_PAGES),
]


_LINK_PERMISSIONS = frozenset(perm for _label, _name, perm in _NAVIGATION)


def _second_factor_pending(user) -> bool:
    """Signed in with the password, second factor still to check: every link would lead back
    to the check, so none is shown."""
    is_verified = getattr(user, "is_verified", None)
    if is_verified is None or is_verified():
        return False
    return second_factor_required(user) or has_second_factor(user)


@lru_cache(maxsize=256)
def _links(
    shown: frozenset[Perm], language: str | None, prefix: str, urlconf: str
) -> tuple[tuple[str, str], ...]:
    """The links of those holding ``shown``, their labels in ``language`` (and the URLs of
    ``urlconf`` under the script ``prefix``): the same for every holder, so reversed and
    translated once per process, not on every page."""
    return tuple((str(label), reverse(name)) for label, name, perm in _NAVIGATION if perm in shown)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    shown = frozenset(perm for perm in _LINK_PERMISSIONS if can_use_pages(user, perm))
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    links = list(_links(shown, get_language(), get_script_prefix(), urlconf)) if shown else []
    if links and _second_factor_pending(user):
        links = []
    return {"nav_links": links, "user_role": role_of(user)}


def language(request) -> dict:
    """The page's ``lang`` and the header's language switch."""
    return {"html_lang": html_lang(), "language_choices": switch_choices()}
