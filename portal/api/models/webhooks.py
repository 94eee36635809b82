"""Webhooks: the partner's endpoints, the outbox of messages to them, and each attempt.

A message is written in the transaction of the change it tells (the outbox), so a broker
that is down at commit loses nothing: the drain (Celery beat) sends what is due.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.fieldcrypt import EncryptedTextField
from registrations.models import Operator


class WebhookEndpoint(models.Model):
    """A URL of a partner's to which the operator's registration events are posted."""

    class DisabledReason(models.TextChoices):
        GONE = "gone", _("The endpoint answered 410 Gone")
        FAILING = "failing", _("Every delivery failed for 5 days")
        BY_OWNER = "by_owner", _("Turned off by the partner")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    operator = models.ForeignKey(
        Operator, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    # The partner service account that manages the endpoint; it receives the events of the
    # registrations it created.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = EncryptedTextField(context="webhook_secret", editable=False)
    # During a rotation the old secret signs too, until this time.
    previous_secret = EncryptedTextField(
        context="webhook_previous_secret", blank=True, default="", editable=False
    )
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=16, choices=DisabledReason.choices, blank=True)
    # The first failed delivery since the last success: 5 days of it disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Webhook endpoint {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign a message now: the current one, and the previous one while
        its rotation lasts."""
        now = now or timezone.now()
        secrets = [self.secret]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and now < (self.previous_secret_expires_at)
        ):
            secrets.append(self.previous_secret)
        return secrets


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookMessage(models.Model):
    """One event for one endpoint: the outbox row, delivered once by whichever worker takes
    it first (a lease on ``next_attempt_at``)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        DISABLED = "disabled", _("endpoint disabled")

    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    event_type = models.CharField(max_length=48)
    # Ids, status, reason codes and times only: never a name, an ID number or a number.
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A carrier admin who asked for it again (the redeliver button), until the next attempt.
    redelivery_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(models.Model):
    """One POST of a message: what the carrier admin's page lists."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="tries")
    attempted_at = models.DateTimeField(default=timezone.now)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    # The first characters of the answer, for the admin's diagnosis; never more.
    response_excerpt = models.CharField(max_length=200, blank=True)
    # Who asked for it again by hand (the redeliver button), if someone did.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"Attempt of {self.message_id} at {self.attempted_at}"
