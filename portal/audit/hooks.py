"""A signal sent for each audit event, in the transaction that records it: an app above the
audit trail (the subscriber's "who looked at my data") keeps an index of its own from it
without the audit trail knowing of that app."""

from django.dispatch import Signal

# sender=AuditEvent, event=the saved event. A receiver's failure fails the change itself.
event_recorded = Signal()
