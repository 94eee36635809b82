"""The navigation of the page layout: the pages the user holds the permission of."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm, can_use_pages
from portal.accounts.roles import role_of

# In the order shown; each link appears to those holding its permission.
_NAVIGATION: list[tuple[str, str, Perm]] = [
    (_("New registration"), "registrations:new", Perm.ADD_REGISTRATION),
    (_("Registrations"), "registrations:list", Perm.VIEW_REGISTRATION),
    (_("Review"), "review:list", Perm.REVIEW_REGISTRATION),
    (_("Outlets"), "operator:outlets", Perm.MANAGE_OUTLETS),
    (_("Staff"), "operator:staff", Perm.MANAGE_STAFF),
    (_("Registration policy"), "ministry:policy", Perm.CHANGE_POLICY),
    (_("Audit trail"), "audit:list", Perm.VIEW_AUDIT_TRAIL),
    (_("Administration"), "admin:index", Perm.USE_ADMIN_SITE),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    links = [
        (label, reverse(name)) for label, name, perm in _NAVIGATION if can_use_pages(user, perm)
    ]
    return {"nav_links": links, "user_role": role_of(user)}
