"""The subscriber's side: the one-time codes that sign a person in without an account."""

import uuid

from django.db import models

from portal.lib.fieldcrypt import EncryptedTextField
from registrations.models import Subscriber


class SignInCode(models.Model):
    """A 6-digit code sent by SMS to one number registered under the subscriber's ID.

    Only its keyed hash is kept. It lives ``SELFSERVICE_CODE_TTL_S`` and takes
    ``SELFSERVICE_CODE_TRIES`` wrong tries; a new code for the subscriber ends the earlier.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    msisdn = models.CharField(max_length=16)  # the number it went to, E.164
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # replaced, or out of tries

    class Meta:
        indexes = [models.Index(fields=["subscriber", "-created_at"], name="signin_code_latest")]

    def __str__(self) -> str:
        return f"Sign-in code {self.pk}"


class SmsMessage(models.Model):
    """A text message to a subscriber, written in the transaction that decided to send it and
    delivered by the worker after commit (or by the drain when the broker was down): the page
    that caused it answers at once, and in the same time whoever it was for.

    The text is sealed; a sign-in code's text is cleared once delivered."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to = models.CharField(max_length=16)  # E.164
    kind = models.CharField(max_length=32)
    text = EncryptedTextField(context="selfservice.sms.text", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="sms_pending_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.kind} {self.pk}"
