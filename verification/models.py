"""Challenges, consent, biometric evidence and verification jobs.

Biometric files live only in ``BiometricEvidence.file``, on the encrypted evidence storage
(see storage.py): nothing here is ever under MEDIA_URL.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Registration
from verification.storage import evidence_storage


class Consent(models.Model):
    """The subscriber's separate, explicit consent to the processing of their biometrics,
    recorded by the member of staff who showed them the text, or by a partner's app."""

    class Method(models.TextChoices):
        # At the counter: the staff member showed the text and recorded the agreement.
        OUTLET_STAFF = "outlet_staff", _("Recorded by outlet staff")
        # In a partner's app: the subscriber ticked a box, or signed on the screen.
        IN_APP_CHECKBOX = "in_app_checkbox", _("Ticked in the partner's app")
        IN_APP_SIGNATURE = "in_app_signature", _("Signed in the partner's app")

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="biometric_consent"
    )
    text_version = models.CharField(max_length=32)
    # The language the notice was shown in, and the SHA-256 of that exact text
    # (verification/consent_notice.py); empty for consents recorded before they were kept.
    language = models.CharField(max_length=10, blank=True, default="")
    text_digest = models.CharField(max_length=64, blank=True, default="")
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.OUTLET_STAFF)
    # When the subscriber agreed: at an outlet, when it was recorded; a partner says when its
    # app collected it, which may be a little before it reaches the portal.
    collected_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # The person took back their consent for what the law does not require to be kept: from
    # then on that data is due (verification/retention.py).
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Consent {self.text_version} for {self.registration_id}"


class Challenge(models.Model):
    """What the person must do in front of the camera, issued by the server for one capture.

    Single use (``used_at``) and short-lived (``expires_at``): a recording of an earlier
    session answers a challenge that no longer exists.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nonce = models.CharField(max_length=64, unique=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="challenges"
    )
    actions = models.JSONField()
    # When each action is asked for, in seconds from the start of the recording:
    # [{"action": "blink", "from_s": 1.0, "to_s": 3.5}, ...], one window per action, in order.
    # The capture page prompts on it and the engine counts an action only inside its window.
    schedule = models.JSONField(default=list, blank=True)
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="challenge_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge {','.join(self.actions)}"

    def expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


def evidence_path(instance: "BiometricEvidence", filename: str) -> str:
    """A name that says nothing about the person or the kind of file."""
    return f"{instance.created_at:%Y/%m}/{instance.id.hex}"


class BiometricEvidence(models.Model):
    class Kind(models.TextChoices):
        PORTRAIT = "portrait", _("ID portrait")
        CAPTURE = "capture", _("Live capture")
        KEY_FRAME = "key_frame", _("Key frame")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="evidence"
    )
    job = models.ForeignKey(
        "VerificationJob",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Empty once purged: the row stays, saying when and under which rule of retention.py.
    file = models.FileField(
        storage=evidence_storage, upload_to=evidence_path, max_length=200, blank=True
    )
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(help_text="Bytes before encryption")
    sha256 = models.CharField(max_length=64)
    frame_index = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField(null=True, blank=True)
    purge_rule = models.CharField(max_length=32, blank=True, help_text="A retention.py class")

    class Meta:
        verbose_name_plural = "biometric evidence"
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="portrait", job__isnull=True) | Q(job__isnull=False),
                name="evidence_capture_belongs_to_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.id}"

    @property
    def purge_note(self) -> str:
        """ "Deleted on DATE under rule X", in the reader's language; empty while kept."""
        if not self.purged_at:
            return ""
        from verification.retention import BY_CODE

        rule = BY_CODE.get(self.purge_rule)
        return _("Deleted on %(date)s under the rule “%(rule)s”.") % {
            "date": timezone.localdate(self.purged_at).isoformat(),
            "rule": rule.name if rule else self.purge_rule,
        }


class EvidenceKey(models.Model):
    """A registration's own data key, which its evidence files are encrypted with, kept
    only wrapped by the master keys (storage.py). Destroyed once the last of its files is
    purged: from then on no copy of them can be read."""

    registration = models.OneToOneField(
        Registration, on_delete=models.PROTECT, related_name="evidence_key"
    )
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(wrapped__isnull=True) | Q(destroyed_at__isnull=True),
                name="evidence_key_destroyed_is_gone",
            ),
        ]

    def __str__(self) -> str:
        return f"Data key of {self.registration_id}"


class VerificationJob(models.Model):
    """One attempt at verifying a registration: a capture answering a challenge."""

    class Source(models.TextChoices):
        # Recorded by the capture page from the device's camera, while the challenge ran.
        CAMERA = "camera", _("Camera")
        # A file chosen on the device: it may have been recorded any time, by anyone.
        UPLOAD = "upload", _("Uploaded file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVIEW = "review", _("Sent to review")
        RETAKE = "retake", _("Retake needed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="verification_jobs"
    )
    challenge = models.OneToOneField(Challenge, on_delete=models.PROTECT, related_name="job")
    attempt = models.PositiveSmallIntegerField()
    # Unless the page says it recorded the capture itself, it is a file (never auto-approved).
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.UPLOAD)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    deliveries = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has taken the job"
    )
    decision = models.CharField(max_length=8, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    engine_version = models.CharField(max_length=32, blank=True)
    timings_ms = models.JSONField(default=dict, blank=True)
    # The figures of ``result`` deleted under retention.py's rule (the decision is kept).
    result_purged_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    queued_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registration", "attempt"]
        # The jobs not done yet, few at any time: the sweeper and the metrics read them here.
        indexes = [
            models.Index(
                fields=["status", "queued_at"], condition=~Q(status="done"), name="job_open"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["registration", "attempt"], name="one_job_per_attempt"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="attempt_from_one"),
            models.CheckConstraint(
                condition=~Q(status="done") | (Q(finished_at__isnull=False) & ~Q(outcome="")),
                name="done_job_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Verification {self.attempt} of {self.registration_id}: {self.status}"

    @property
    def done(self) -> bool:
        return self.status == self.Status.DONE


class ViewingGrant(models.Model):
    """Leave for one person to see one registration's biometric evidence for a short while,
    opened by a POST that states why. Evidence URLs name the grant, never the reason."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="viewing_grants"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=500)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["registration", "user", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="grant_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"Viewing grant {self.id} for {self.registration_id}"

    def expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at
