"""The navigation of the page layout, per role."""

from django.urls import reverse

from portal.accounts.roles import Role, role_of

_NAVIGATION: dict[Role, list[tuple[str, str]]] = {
    Role.MINISTRY_ADMIN: [
        ("Registrations", "registrations:list"),
        ("Registration policy", "ministry:policy"),
        ("Audit trail", "audit:list"),
        ("Administration", "admin:index"),
    ],
    Role.MINISTRY_INSPECTOR: [
        ("Registrations", "registrations:list"),
        ("Audit trail", "audit:list"),
    ],
    Role.CARRIER_ADMIN: [
        ("Registrations", "registrations:list"),
        ("Outlets", "operator:outlets"),
        ("Staff", "operator:staff"),
        ("Audit trail", "audit:list"),
    ],
    Role.OUTLET_STAFF: [
        ("New registration", "registrations:new"),
        ("Registrations", "registrations:list"),
    ],
    Role.API_PARTNER: [],
}


# Carrier admins and the outlet staff they appoint as reviewers (a grant, not a role).
_REVIEW_LINK = ("Review", "review:list")


def _links(user, role: Role) -> list[tuple[str, str]]:
    names = list(_NAVIGATION.get(role, []))
    if role in (Role.CARRIER_ADMIN, Role.OUTLET_STAFF) and user.has_perm(
        "registrations.review_registration"
    ):
        names.insert(1 if role == Role.CARRIER_ADMIN else len(names), _REVIEW_LINK)
    return [(label, reverse(name)) for label, name in names]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    role = role_of(user)
    links = _links(user, role) if role else []
    return {"nav_links": links, "user_role": role}
