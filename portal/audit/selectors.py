"""Reads of the audit trail that need no scope of their own."""

from django.db.models import QuerySet

from portal.audit.actions import Action
from portal.audit.models import AuditEvent


def object_timeline(*, obj) -> QuerySet[AuditEvent]:
    """What happened to one object, oldest first.

    For an object the caller already reached through its scope: the events about it carry
    that object's own operator and province, so they are in the same scope.
    """
    return (
        AuditEvent.objects.filter(object_type=obj._meta.model_name, object_id=str(obj.pk))
        # Someone opening a page changes nothing: the audit trail keeps it, a timeline not.
        .exclude(action=Action.REGISTRATION_VIEWED)
        .order_by("sequence")
    )
