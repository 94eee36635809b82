"""Reads of the audit trail, always through the scoping module."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from portal.accounts import scoping
from portal.audit.models import AuditEvent
from portal.listing import within_days


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


def audit_event_list(*, user, filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = scoping.audit_events_in_scope(user)
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


def object_timeline(*, user, obj) -> QuerySet[AuditEvent]:
    """What happened to one object, oldest first, as far as the user may read."""
    return (
        scoping.audit_events_in_scope(user)
        .filter(object_type=obj._meta.model_name, object_id=str(obj.pk))
        .order_by("sequence")
    )
