"""Reads of registrations, always through the scoping module."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from portal.accounts import scoping
from registrations.models import Operator, Outlet, Province, Registration


@dataclass(frozen=True)
class RegistrationFilters:
    status: str | None = None
    operator: Operator | None = None
    outlet: Outlet | None = None
    province: Province | None = None
    created_from: date | None = None
    created_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


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
    if filters.created_from:
        registrations = registrations.filter(created_at__gte=_start_of(filters.created_from))
    if filters.created_to:
        # The whole of the last day counts.
        registrations = registrations.filter(
            created_at__lt=_start_of(filters.created_to + timedelta(days=1))
        )
    return registrations.order_by("-created_at", "-id")


def registration_get(*, user, pk) -> Registration:
    """One registration in the user's scope, or 404."""
    return scoping.get_in_scope_or_404(scoping.registrations_in_scope(user), pk=pk)


def outlets_for_registration(*, user) -> QuerySet[Outlet]:
    """Where this user may register subscribers now: their active outlets."""
    return scoping.outlets_in_scope(user).filter(status=Outlet.Status.ACTIVE)
