from django import template

from portal.audit.labels import status_label

register = template.Library()


@register.simple_tag
def event_status(event, index: int) -> str:
    """Before (0) or after (1) of the status an event changed, in words."""
    before_after = (event.changes or {}).get("status") or [None, None]
    return status_label(event.object_type, before_after[index])
