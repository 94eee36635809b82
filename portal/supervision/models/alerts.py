"""Risk alerts: a signal firing on a subject, kept as one row per (signal, subject) while
open, reviewed by an inspector to a dismissal or a confirmation."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.supervision.risk.registry import Signal


class RiskAlert(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_REVIEW = "under_review", _("Under review")
        DISMISSED = "dismissed", _("Dismissed")
        CONFIRMED = "confirmed", _("Confirmed")

    OPEN_STATUSES = (Status.NEW, Status.UNDER_REVIEW)
    CLOSED_STATUSES = (Status.DISMISSED, Status.CONFIRMED)

    class SubjectKind(models.TextChoices):
        OUTLET = "outlet", _("Outlet")
        STAFF = "staff", _("Member of staff")
        SUBSCRIBER = "subscriber", _("Subscriber (ID)")

    signal = models.CharField(max_length=32, choices=Signal.choices)
    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    # With the signal, the deduplication key: "<kind>:<pk>:<operator>:<province>".
    subject_key = models.CharField(max_length=80)
    outlet = models.ForeignKey(
        "registrations.Outlet", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subscriber = models.ForeignKey(
        "registrations.Subscriber",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    operator = models.ForeignKey(
        "registrations.Operator", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    province = models.ForeignKey(
        "registrations.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.FloatField()
    detail = models.JSONField(default=dict, blank=True)
    registrations = models.ManyToManyField(
        "registrations.Registration", related_name="+", blank=True
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(blank=True)
    raised_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    times_seen = models.PositiveIntegerField(default=1)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-score", "-raised_at"]
        indexes = [
            models.Index(fields=["status", "score"], name="riskalert_status_score"),
            models.Index(fields=["province", "status", "score"], name="riskalert_province_status"),
            models.Index(fields=["signal", "subject_key", "closed_at"], name="riskalert_cooldown"),
            # The risk list's order over the open alerts only, read in order: its first page
            # costs the same with ten thousand open alerts as with a hundred (no sort of all).
            models.Index(
                F("score").desc(), F("raised_at").desc(), F("id").desc(),
                condition=Q(status__in=["new", "under_review"]), name="riskalert_open_rank",
            ),
            models.Index(
                "province", F("score").desc(), F("raised_at").desc(), F("id").desc(),
                condition=Q(status__in=["new", "under_review"]),
                name="riskalert_open_province_rank",
            ),
        ]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=["signal", "subject_key"],
                condition=Q(status__in=["new", "under_review"]),
                name="riskalert_one_open_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "under_review", "dismissed", "confirmed"]),
                name="riskalert_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "under_review"]) | Q(closed_at__isnull=False),
                name="riskalert_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Risk alert {self.pk}: {self.signal} on {self.subject_key}"

    @property
    def subject_label(self) -> str:
        """The subject as a list shows it (an ID masked, never in full)."""
        if self.outlet_id:
            return str(self.outlet)
        if self.staff_id:
            return self.staff.get_username()
        if self.subscriber_id:
            return self.subscriber.masked_id_number
        return self.subject_key

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
