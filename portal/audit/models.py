"""The append-only, hash-chained audit trail.

Each event carries the hash of the one before it, and its own hash covers that and a
canonical encoding of everything it says. Changing, removing, inserting or reordering events
breaks the chain; signed checkpoints kept elsewhere catch a chain rewritten end to end.
On PostgreSQL, triggers refuse UPDATE, DELETE and TRUNCATE of this table.
"""

from django.db import models
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from portal.audit.actions import Action


class AuditEvent(models.Model):
    class ActorType(models.TextChoices):
        USER = "user", _("User")
        API_KEY = "api_key", _("API key")
        SYSTEM = "system", _("System")
        ANONYMOUS = "anonymous", _("Anonymous")

    sequence = models.BigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=48, choices=Action.choices)
    object_type = models.CharField(max_length=48, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The operator the event concerns, so carrier admins can read their own operator's events.
    operator_id = models.BigIntegerField(null=True, blank=True)
    # And the province, so an inspector of some provinces reads the events about them.
    province_code = models.CharField(max_length=6, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The trail is read newest first within a scope or a filter: each of these gives
            # a page's 50 events from the top of an index however long the trail grows.
            models.Index(fields=["province_code", "-sequence"], name="audit_province_sequence"),
            models.Index(fields=["operator_id", "-sequence"], name="audit_operator_sequence"),
            models.Index(fields=["action", "-sequence"], name="audit_action_sequence"),
            models.Index(Upper("actor_label"), F("sequence").desc(), name="audit_actor_sequence"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="audit_sequence_pos")
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"
