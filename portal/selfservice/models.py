"""The subscriber's side: the one-time codes that sign a person in without an account."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.fieldcrypt import EncryptedTextField
from registrations.models import Registration, Subscriber


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
    # The person it is about, for the notices' daily limit (None: a sign-in code's).
    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
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
            ),
            models.Index(fields=["subscriber", "kind", "created_at"], name="sms_by_subject"),
            # The dead letters, counted by the metrics on every scrape.
            models.Index(
                fields=["created_at"], condition=models.Q(status="failed"), name="sms_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"SMS {self.kind} {self.pk}"


class Dispute(models.Model):
    """A person's "this number is not mine" on a registration under their ID: the operator's
    carrier admins uphold it (the registration is cancelled, the number freed) or answer it,
    within ``SELFSERVICE_DISPUTE_DAYS``."""

    class Reason(models.TextChoices):
        NOT_MINE = "not_mine", _("I did not register this number")
        ID_LOST = "id_lost", _("My ID card was lost or stolen; someone else used it")
        OTHER = "other", _("Another reason (write it below)")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the operator")
        UPHELD = "upheld", _("Upheld: the registration was cancelled")
        ANSWERED = "answered", _("Answered by the operator")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="disputes"
    )
    subscriber = models.ForeignKey(Subscriber, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.TextField(blank=True)
    contact_msisdn = models.CharField(max_length=16)  # E.164: where the operator may call
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(blank=True)

    class Meta:
        permissions = [
            ("handle_disputes", "Handle subscribers' disputes of a registration"),
            ("view_overdue_disputes", "See the disputes past their deadline in one's provinces"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(status="open"),
                name="one_open_dispute_per_registration",
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="dispute_status_due")]

    def __str__(self) -> str:
        return f"Dispute {self.pk}"

    def is_overdue(self, now=None) -> bool:
        return self.status == self.Status.OPEN and self.due_at < (now or timezone.now())


class SubjectAccess(models.Model):
    """One look by someone else at a person's registration or evidence: the index that
    answers "who looked at my data" for the person, kept from the audit trail as each event
    is recorded (so the answer never scans the trail). Staff are named by a pseudonym."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("The registration's page")
        EVIDENCE = "evidence", _("The biometric evidence (face video and photos)")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    audit_sequence = models.BigIntegerField(unique=True)  # the audit event it indexes
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    organisation = models.CharField(max_length=100, blank=True)  # the operator's; "": ministry
    role = models.CharField(max_length=32, blank=True)
    pseudonym = models.CharField(max_length=16)
    purpose = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["subscriber", "-occurred_at"], name="access_by_subject")]

    def __str__(self) -> str:
        return f"Access {self.audit_sequence}"

    @property
    def by_ministry(self) -> bool:
        return self.role in ("ministry_admin", "ministry_inspector")


class NoticeDeferral(models.Model):
    """An inspector holds a person's notices (new registrations, looks at their evidence)
    for an investigation, until ``until``: the messages wait and go then, and the person sees
    the deferral, with its reason, once it has ended."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    until = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        permissions = [("defer_notices", "Defer the notices to a subscriber for an investigation")]
        indexes = [models.Index(fields=["subscriber", "until"], name="deferral_by_subject")]

    def __str__(self) -> str:
        return f"Notices deferred until {self.until:%Y-%m-%d}"
