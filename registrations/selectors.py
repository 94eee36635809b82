"""Reads of registrations, always through ``registrations.scoping``."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from portal.accounts.scoping import get_in_scope_or_404
from portal.lib.listing import within_days
from registrations import scoping
from registrations.models import Operator, Outlet, Province, Registration


@dataclass(frozen=True)
class RegistrationFilters:
    status: str | None = None
    operator: Operator | None = None
    outlet: Outlet | None = None
    province: Province | None = None
    created_from: date | None = None
    created_to: date | None = None


def registration_list(*, user, filters: RegistrationFilters) -> QuerySet[Registration]:
    registrations = scoping.registrations_in_scope(user)
    if filters.status:
        registrations = registrations.filter(status=filters.status)
    if filters.operator:
        registrations = registrations.filter(operator=filters.operator)
    if filters.outlet:
        registrations = registrations.filter(outlet=filters.outlet)
    if filters.province:
        registrations = registrations.filter(province=filters.province)
    registrations = within_days(
        registrations, "created_at", first=filters.created_from, last=filters.created_to
    )
    return registrations.order_by("-created_at", "-id")


def registration_get(*, user, pk) -> Registration:
    """One registration in the user's scope, or 404."""
    return get_in_scope_or_404(scoping.registrations_in_scope(user), pk=pk)


def outlets_for_registration(*, user) -> QuerySet[Outlet]:
    """Where this user may register subscribers now: their active outlets."""
    return scoping.outlets_in_scope(user).filter(status=Outlet.Status.ACTIVE)


def outlet_list(*, user) -> QuerySet[Outlet]:
    return scoping.outlets_in_scope(user).order_by("code", "pk")


def outlet_get(*, user, pk) -> Outlet:
    return get_in_scope_or_404(scoping.outlets_in_scope(user), pk=pk)


def own_operator(user) -> Operator | None:
    """The one operator a carrier admin runs, or None for an account attached to none."""
    operators = list(scoping.operators_in_scope(user)[:2])
    return operators[0] if len(operators) == 1 else None
