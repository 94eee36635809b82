"""Findings and the rectification notices they become.

A finding is what an inspector found wrong with one operator in one province (the province
decides who sees it: the inspectors of that province and nation-wide ones, see
``selectors.notices``). A notice orders that operator to put it right by a deadline; its
states are the table of ``notice_lifecycle``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registrations.models import Operator, Outlet, Province, Registration


class Finding(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        CRITICAL = "critical", _("Critical")

    class SourceKind(models.TextChoices):
        MANUAL = "manual", _("Recorded by hand")
        SPOT_CHECK = "spot_check", _("Spot check")
        RISK_ALERT = "risk_alert", _("Risk alert")

    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="findings")
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="findings",
        help_text="The province the finding is about: it decides which inspectors see it",
    )
    severity = models.CharField(max_length=16, choices=Severity.choices)
    description = models.TextField()
    source_kind = models.CharField(
        max_length=16, choices=SourceKind.choices, default=SourceKind.MANUAL
    )
    # The spot check's or risk alert's id as text: they are not tied by a foreign key.
    source_ref = models.CharField(max_length=64, blank=True)
    registrations = models.ManyToManyField(Registration, blank=True, related_name="findings")
    outlets = models.ManyToManyField(Outlet, blank=True, related_name="findings")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="findings_about"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="findings_recorded"
    )
    recorded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["province", "recorded_at"], name="finding_province_time"),
            models.Index(fields=["operator", "recorded_at"], name="finding_operator_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["low", "medium", "high", "critical"]),
                name="finding_severity_valid",
            ),
            models.CheckConstraint(
                condition=Q(source_kind__in=["manual", "spot_check", "risk_alert"]),
                name="finding_source_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"F-{self.pk}"


class Notice(models.Model):
    """A rectification notice: one per finding, to the finding's operator."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        ANSWERED = "answered", _("Answered")
        ACCEPTED = "accepted", _("Accepted")
        REOPENED = "reopened", _("Reopened")

    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="notice")
    # The finding's, copied so that lists and scope filter one table.
    operator = models.ForeignKey(Operator, on_delete=models.PROTECT, related_name="notices")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="notices")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED)
    deadline = models.DateField()
    required_actions = models.TextField(help_text="What the operator must do")
    # The operator's latest answer and the inspector's latest reason to reopen; every earlier
    # one is on the notice's timeline (the audit trail).
    actions_taken = models.TextField(blank=True)
    reopen_reason = models.TextField(blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices_issued"
    )
    issued_at = models.DateTimeField(default=timezone.now, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices_answered",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices_decided",
        help_text="The inspector who last accepted or reopened it",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["operator", "status", "deadline"], name="notice_operator_state"),
            models.Index(fields=["province", "status", "deadline"], name="notice_province_state"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["issued", "answered", "accepted", "reopened"]),
                name="notice_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"N-{self.pk}"

    @property
    def is_overdue(self) -> bool:
        """Past its deadline (in Asia/Shanghai) and not accepted."""
        return self.status != self.Status.ACCEPTED and self.deadline < timezone.localdate()
