"""Spot checks: a campaign drawn from decided registrations, and its blind re-adjudications."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpotCheck(models.Model):
    """One campaign: its population (filters), how its sample was sized, and the seed that
    makes the draw reproducible (``portal.supervision.sampling``)."""

    class SizeMethod(models.TextChoices):
        ISO_2859 = "iso2859", _("ISO 2859-1, general inspection level II")
        FIXED = "fixed", _("A fixed number")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    name = models.CharField(max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spot_checks_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The population: registrations decided on the days from decided_from to decided_to, of
    # this operator and province (empty: every one in the creator's scope).
    operator = models.ForeignKey(
        "registrations.Operator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_checks",
    )
    province = models.ForeignKey(
        "registrations.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_checks",
    )
    decided_from = models.DateField()
    decided_to = models.DateField()
    size_method = models.CharField(max_length=8, choices=SizeMethod.choices)
    fixed_size = models.PositiveIntegerField(null=True, blank=True)
    population_size = models.PositiveIntegerField()
    code_letter = models.CharField(max_length=1, blank=True)
    # The sample size before oversampling, and with it (the number of samples drawn).
    planned_size = models.PositiveIntegerField()
    drawn_size = models.PositiveIntegerField()
    seed = models.CharField(max_length=64)
    # [[operator id, province code], ...]: strata drawn ``oversampling_factor`` times more.
    oversampled_strata = models.JSONField(default=list, blank=True)
    oversampling_factor = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_from__lte=models.F("decided_to")),
                name="spot_check_period_in_order",
            ),
            models.CheckConstraint(
                condition=(Q(size_method="fixed") & Q(fixed_size__gte=1))
                | (Q(size_method="iso2859") & Q(fixed_size__isnull=True)),
                name="spot_check_fixed_size_only_when_fixed",
            ),
            models.CheckConstraint(
                condition=Q(oversampling_factor__gte=1), name="spot_check_factor_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SpotCheckSample(models.Model):
    """One registration drawn, its stratum, the decision it had when drawn, and the inspector's
    blind verdict (empty until re-adjudicated, then never changed)."""

    class Verdict(models.TextChoices):
        MATCH = "match", _("Same person: match")
        NO_MATCH = "no_match", _("Not the same person: no match")
        CANNOT_TELL = "cannot_tell", _("Cannot tell")

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="samples")
    registration = models.ForeignKey(
        "registrations.Registration", on_delete=models.PROTECT, related_name="spot_check_samples"
    )
    # The stratum (operator x province): named like the registration's own fields, so the
    # audit trail files the sample's events under them.
    operator = models.ForeignKey(
        "registrations.Operator", on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        "registrations.Province", on_delete=models.PROTECT, related_name="+"
    )
    # Place in its stratum's draw order (1 = first), and the HMAC that gave it.
    rank = models.PositiveIntegerField()
    order_key = models.CharField(max_length=64)
    original_decision = models.CharField(max_length=8, choices=Decision.choices)
    decided_in_review = models.BooleanField(default=False)
    verdict = models.CharField(max_length=12, choices=Verdict.choices, blank=True)
    note = models.TextField(blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="spot_check_adjudications",
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["spot_check", "operator", "province", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["spot_check", "registration"], name="spot_check_sample_once"
            ),
            models.CheckConstraint(
                condition=(Q(verdict="") & Q(adjudicated_at__isnull=True))
                | (~Q(verdict="") & Q(adjudicated_at__isnull=False)),
                name="spot_check_verdict_with_its_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Sample {self.pk} of {self.spot_check_id}"

    @property
    def adjudicated(self) -> bool:
        return bool(self.verdict)

    @property
    def agrees(self) -> bool | None:
        """Whether the blind verdict agrees with the original decision (approved ~ match,
        rejected ~ no match); None before a verdict and for "cannot tell"."""
        if self.verdict in ("", self.Verdict.CANNOT_TELL):
            return None
        expected = (
            self.Verdict.MATCH
            if self.original_decision == self.Decision.APPROVED
            else self.Verdict.NO_MATCH
        )
        return self.verdict == expected
