"""The five roles of DESIGN.md, each a group with its named permissions.

A user has at most one role. What a role may *do* is its permissions below; which rows it
may *see* is decided by ``scoping.py``.
"""

from django.db import models


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", "Ministry admin"
    MINISTRY_INSPECTOR = "ministry_inspector", "Ministry inspector"
    CARRIER_ADMIN = "carrier_admin", "Carrier admin"
    OUTLET_STAFF = "outlet_staff", "Outlet staff"
    API_PARTNER = "api_partner", "API partner"


_VIEW_ALL = [
    "registrations.view_registration",
    "registrations.view_outlet",
    "registrations.view_operator",
    "registrations.view_subscriber",
    "registrations.view_province",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.MINISTRY_ADMIN: [
        *_VIEW_ALL,
        "registrations.add_operator",
        "registrations.change_operator",
        "registrations.add_outlet",
        "registrations.change_outlet",
        "registrations.add_registrationpolicy",
        "registrations.view_registrationpolicy",
        "registrations.change_registrationpolicy",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
    ],
    Role.MINISTRY_INSPECTOR: [*_VIEW_ALL, "verification.view_biometricevidence"],
    Role.CARRIER_ADMIN: [
        *_VIEW_ALL,
        "registrations.add_outlet",
        "registrations.change_outlet",
        "registrations.review_registration",
        "registrations.cancel_registration",
        "accounts.manage_staff",
        "verification.view_biometricevidence",
    ],
    Role.OUTLET_STAFF: [
        "registrations.view_registration",
        "registrations.add_registration",
        "registrations.submit_registration",
        "registrations.cancel_registration",
    ],
    Role.API_PARTNER: [
        "registrations.view_registration",
        "registrations.add_registration",
        "registrations.submit_registration",
    ],
}


def role_of(user) -> Role | None:
    """The user's role, or None for an anonymous user or one without a role group."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_portal_role", False)
    if cached is not False:
        return cached
    names = set(user.groups.values_list("name", flat=True))
    role = next((r for r in Role if r.value in names), None)
    user._portal_role = role
    return role
