"""The five roles of DESIGN.md, each a group with its named permissions.

A user has at most one role. What a role may *do* is its permissions below; which rows it
may *see* is decided by the grants of ``scoping.py``. Checks name a permission of
``permissions.py``, never a role.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.permissions import Perm


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", _("Ministry admin")
    MINISTRY_INSPECTOR = "ministry_inspector", _("Ministry inspector")
    CARRIER_ADMIN = "carrier_admin", _("Carrier admin")
    OUTLET_STAFF = "outlet_staff", _("Outlet staff")
    API_PARTNER = "api_partner", _("API partner")


_READ_EVERYTHING = [Perm.USE_PAGES, Perm.VIEW_REGISTRATION, Perm.VIEW_AUDIT_TRAIL]

# Model permissions that Django's admin checks (the ministry admin's /admin/ pages).
_ADMIN_SITE = [
    Perm.USE_ADMIN_SITE,
    "registrations.view_operator",
    "registrations.add_operator",
    "registrations.change_operator",
    "registrations.view_outlet",
    "registrations.add_outlet",
    "registrations.change_outlet",
    "registrations.view_province",
    "registrations.view_registration",
    "registrations.add_registrationpolicy",
    "registrations.view_registrationpolicy",
    "registrations.change_registrationpolicy",
    "accounts.view_user",
    "accounts.change_user",
    "auth.view_group",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.MINISTRY_ADMIN: [
        *_READ_EVERYTHING,
        *_ADMIN_SITE,
        Perm.CHANGE_POLICY,
        Perm.VIEW_SUPERVISION,
    ],
    Role.MINISTRY_INSPECTOR: [
        *_READ_EVERYTHING,
        Perm.VIEW_EVIDENCE,
        Perm.VIEW_SUPERVISION,
        Perm.MANAGE_RISK_ALERTS,
        Perm.RUN_SPOT_CHECKS,
        Perm.ISSUE_NOTICES,
        Perm.VIEW_OUTLET_DIRECTORY,
        Perm.DEFER_NOTICES,
        Perm.VIEW_OVERDUE_DISPUTES,
    ],
    Role.CARRIER_ADMIN: [
        *_READ_EVERYTHING,
        # Their operator's dashboard and the notices the ministry sends it.
        Perm.VIEW_SUPERVISION,
        Perm.ANSWER_NOTICES,
        Perm.HANDLE_DISPUTES,
        Perm.MANAGE_OUTLETS,
        Perm.MANAGE_STAFF,
        Perm.REVIEW_REGISTRATION,
        Perm.CANCEL_REGISTRATION,
        Perm.VIEW_EVIDENCE,
        Perm.MANAGE_API_KEYS,
        Perm.VIEW_WEBHOOKS,
    ],
    Role.OUTLET_STAFF: [
        Perm.USE_PAGES,
        Perm.VIEW_REGISTRATION,
        Perm.ADD_REGISTRATION,
        Perm.SUBMIT_REGISTRATION,
        Perm.CANCEL_REGISTRATION,
    ],
    # A service account of the partner API: no pages.
    Role.API_PARTNER: [
        Perm.VIEW_REGISTRATION,
        Perm.ADD_REGISTRATION,
        Perm.SUBMIT_REGISTRATION,
        Perm.CANCEL_REGISTRATION,
        Perm.MANAGE_WEBHOOKS,
    ],
}


def role_of(user) -> Role | None:
    """The user's role, or None for an anonymous user or one without a role group."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_portal_role", False)
    if cached is not False:
        return cached
    names = getattr(user, "_portal_group_names", None)
    if names is None:
        # Here, not at the top: the auth backends module needs the user model, which needs
        # this module.
        from portal.accounts.backends import load_groups_and_permissions

        load_groups_and_permissions(user)
        names = user._portal_group_names
    role = next((r for r in Role if r.value in names), None)
    user._portal_role = role
    return role
