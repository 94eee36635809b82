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


def navigation(request) -> dict:
    role = role_of(getattr(request, "user", None))
    links = [(label, reverse(name)) for label, name in _NAVIGATION.get(role, [])] if role else []
    return {"nav_links": links, "user_role": role}
