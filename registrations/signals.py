"""What happens to a registration, told to whoever listens (the partner API's webhooks).

The lifecycle services send ``registration_event`` inside their own transaction, so a
receiver that writes rows (an outbox) commits or rolls back with the change itself. The
registrations app does not know who listens: the API sits above it and connects itself.
"""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class RegistrationEvent(models.TextChoices):
    """The events a partner can subscribe to. The values are part of the API: never rename."""

    DECIDED = "registration.decided", _("Decided by verification")
    REVIEWED = "registration.reviewed", _("Decided in manual review")
    CANCELLED = "registration.cancelled", _("Cancelled")
    RETAKE_NEEDED = "verification.retake_needed", _("A new live capture is needed")


# Sent with ``event`` (a RegistrationEvent), ``registration`` and ``reasons`` (codes).
registration_event = Signal()


# Every change of a registration's status, and its creation, in the change's transaction:
# sent with ``registration`` (saved), ``before`` (its status before, None at its creation) and
# ``after`` (its status now). The supervision rollups listen (portal.supervision.apps).
registration_changed = Signal()
