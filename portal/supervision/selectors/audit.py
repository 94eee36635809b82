"""Reads of the audit trail's pages, scoped by the provinces and operators a user sees."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from portal.accounts.roles import Role, role_of
from portal.accounts.scoping import sees_nation
from portal.audit.models import AuditEvent
from portal.lib.listing import within_days
from registrations import scoping


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    occurred_from: date | None = None
    occurred_to: date | None = None

    def describe(self) -> str:
        """The filters as the export's audit event records them."""
        parts = [f"{name}={value}" for name, value in self.__dict__.items() if value]
        return ", ".join(parts) or "no filters"


def audit_events_in_scope(user) -> QuerySet[AuditEvent]:
    """Inspectors read events about their provinces, carrier admins about their operator."""
    role = role_of(user)
    if sees_nation(user):
        return AuditEvent.objects.all()
    if role == Role.MINISTRY_INSPECTOR:
        # The codes themselves, not a subquery: one province then reads as an equality the
        # province index serves in sequence order.
        provinces = list(scoping.provinces_in_scope(user).values_list("code", flat=True))
        return AuditEvent.objects.filter(province_code__in=provinces)
    if role == Role.CARRIER_ADMIN:
        operators = list(scoping.operators_in_scope(user).values_list("pk", flat=True))
        return AuditEvent.objects.filter(operator_id__in=operators)
    return AuditEvent.objects.none()


def audit_event_list(*, user, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = audit_events_in_scope(user)
    if filters.actor:
        events = events.filter(actor_label__iexact=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    events = within_days(
        events, "occurred_at", first=filters.occurred_from, last=filters.occurred_to
    )
    return events.order_by("-sequence")
