"""Rollups: the dashboards' counts, kept up to date in the transaction of every change.

No foreign keys: a rollup row names its operator, outlet and staff member by id (0 for "none":
an online registration has no outlet, the engine is no reviewer), so that one unique key covers
every row (NULLs are never equal in a unique index) and the upsert of
``portal.supervision.services.rollups`` is a single ``INSERT ... ON CONFLICT DO UPDATE``.
Days are dates in Asia/Shanghai.
"""

from django.db import models

# Upload-to-decision durations, in log-spaced buckets: bucket 0 holds [0, 1) s, bucket k
# (1 <= k < HISTOGRAM_BUCKETS - 1) holds [2^(k-1), 2^k) s, the last bucket everything from
# 2^(HISTOGRAM_BUCKETS - 2) s (about three days) on. Median and p95 come from these counts.
HISTOGRAM_BUCKETS = 20
HISTOGRAM_FIELDS = tuple(f"h{k:02d}" for k in range(HISTOGRAM_BUCKETS))


class StatusRollup(models.Model):
    """How many registrations created on ``day`` (at an outlet by a staff member...) are in
    each status now: a change of status moves one count from its old row to its new one."""

    day = models.DateField()
    operator_id = models.IntegerField()
    province_code = models.CharField(max_length=6)
    outlet_id = models.IntegerField(help_text="0 for the online channel")
    staff_id = models.IntegerField(help_text="The account that created the registration")
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "operator_id", "province_code", "outlet_id", "staff_id", "channel",
                    "status",
                ],
                name="status_rollup_key",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["province_code", "day"], name="status_rollup_province")]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.n}"


class DecisionCounts(models.Model):
    """What both decision rollups count: decisions, their upload-to-decision seconds and the
    histogram of those (HISTOGRAM_FIELDS)."""

    n = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0, help_text="Sum of upload-to-decision seconds")
    h00 = models.IntegerField(default=0)
    h01 = models.IntegerField(default=0)
    h02 = models.IntegerField(default=0)
    h03 = models.IntegerField(default=0)
    h04 = models.IntegerField(default=0)
    h05 = models.IntegerField(default=0)
    h06 = models.IntegerField(default=0)
    h07 = models.IntegerField(default=0)
    h08 = models.IntegerField(default=0)
    h09 = models.IntegerField(default=0)
    h10 = models.IntegerField(default=0)
    h11 = models.IntegerField(default=0)
    h12 = models.IntegerField(default=0)
    h13 = models.IntegerField(default=0)
    h14 = models.IntegerField(default=0)
    h15 = models.IntegerField(default=0)
    h16 = models.IntegerField(default=0)
    h17 = models.IntegerField(default=0)
    h18 = models.IntegerField(default=0)
    h19 = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Decided(DecisionCounts):
    """Where and when both decision rollups count a decision, and how it went."""

    day = models.DateField()
    operator_id = models.IntegerField()
    province_code = models.CharField(max_length=6)
    outlet_id = models.IntegerField(help_text="0 for the online channel")
    staff_id = models.IntegerField(help_text="The account that created the registration")
    channel = models.CharField(max_length=10)
    outcome = models.CharField(max_length=16)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.outcome}: {self.n}"


class DecisionRollup(Decided):
    """Registrations decided (approved or rejected, by the engine or by a reviewer) on
    ``day``, with the sum and the histogram of their upload-to-decision durations."""

    reviewer_id = models.IntegerField(help_text="The reviewer who decided it; 0 for the engine")
    override = models.BooleanField(help_text="A reviewer decided against the engine's decision")
    age_band = models.CharField(max_length=8)
    sex = models.CharField(max_length=8)
    source = models.CharField(max_length=8, help_text="Of the last capture; 'none' without one")
    attempts = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "operator_id", "province_code", "outlet_id", "staff_id", "channel",
                    "outcome", "reviewer_id", "override", "age_band", "sex", "source",
                    "attempts",
                ],
                name="decision_rollup_key",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["province_code", "day"], name="decision_rollup_province")]


class DecisionDayRollup(Decided):
    """DecisionRollup without the reviewer, the subscriber and the capture: what the overview
    reads. Its rows grow with days and staff, not with registrations (DecisionRollup has
    nearly a row per decision over a year), so a year of the nation stays a small sum. Who
    reviewed, retook and was overridden is counted, not keyed."""

    reviewed = models.IntegerField(default=0, help_text="Decided by a reviewer")
    retaken = models.IntegerField(default=0, help_text="Decided after more than one attempt")
    overrides = models.IntegerField(default=0, help_text="A reviewer against the engine")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "operator_id", "province_code", "outlet_id", "staff_id", "channel",
                    "outcome",
                ],
                name="decision_day_rollup_key",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["province_code", "day"], name="decision_day_rollup_province")
        ]


class ReasonRollup(models.Model):
    """The reasons of the registrations decided on ``day``, one count per reason."""

    day = models.DateField()
    operator_id = models.IntegerField()
    province_code = models.CharField(max_length=6)
    outlet_id = models.IntegerField(help_text="0 for the online channel")
    channel = models.CharField(max_length=10)
    outcome = models.CharField(max_length=16)
    reason = models.CharField(max_length=40)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day", "operator_id", "province_code", "outlet_id", "channel", "outcome",
                    "reason",
                ],
                name="reason_rollup_key",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.n}"


class EvidenceViewRollup(models.Model):
    """Leaves to view biometric evidence opened on ``day`` (one ``ViewingGrant`` each), by
    the operator and province of the registration viewed."""

    day = models.DateField()
    operator_id = models.IntegerField()
    province_code = models.CharField(max_length=6)
    channel = models.CharField(max_length=10)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "operator_id", "province_code", "channel"],
                name="evidence_view_rollup_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} evidence views: {self.n}"


# The same counts without the outlet and the member of staff: what the overview and the
# dashboards read unless they are narrowed to an outlet. Their rows are bounded by days ×
# operators × provinces × channels (× statuses, outcomes or reasons), a set a province's
# volume fills in its first months: a page over them costs the same at ten million
# registrations as at one. Each is the exact sum of its finer rollup (a test checks it).


class Place(models.Model):
    """Where and when a place rollup counts: the key without the outlet and the staff."""

    day = models.DateField()
    operator_id = models.IntegerField()
    province_code = models.CharField(max_length=6)
    channel = models.CharField(max_length=10)

    class Meta:
        abstract = True


class StatusPlaceRollup(Place):
    """StatusRollup summed over outlets and staff."""

    status = models.CharField(max_length=16)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "operator_id", "province_code", "channel", "status"],
                name="status_place_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["province_code", "day"], name="status_place_province"),
            models.Index(fields=["operator_id", "day"], name="status_place_operator"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.n}"


class DecisionPlaceRollup(Place, DecisionCounts):
    """DecisionDayRollup summed over outlets and staff."""

    outcome = models.CharField(max_length=16)
    reviewed = models.IntegerField(default=0, help_text="Decided by a reviewer")
    retaken = models.IntegerField(default=0, help_text="Decided after more than one attempt")
    overrides = models.IntegerField(default=0, help_text="A reviewer against the engine")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "operator_id", "province_code", "channel", "outcome"],
                name="decision_place_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["province_code", "day"], name="decision_place_province"),
            models.Index(fields=["operator_id", "day"], name="decision_place_operator"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.outcome}: {self.n}"


class ReasonPlaceRollup(Place):
    """ReasonRollup summed over outlets."""

    outcome = models.CharField(max_length=16)
    reason = models.CharField(max_length=40)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "operator_id", "province_code", "channel", "outcome", "reason"],
                name="reason_place_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["province_code", "day"], name="reason_place_province"),
            models.Index(fields=["operator_id", "day"], name="reason_place_operator"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}: {self.n}"


# Each place rollup, the finer one it sums, and the columns it sums over the rest.
PLACE_ROLLUPS = (
    (StatusPlaceRollup, StatusRollup, ("n",)),
    (
        DecisionPlaceRollup,
        DecisionDayRollup,
        ("n", "seconds", *HISTOGRAM_FIELDS, "reviewed", "retaken", "overrides"),
    ),
    (ReasonPlaceRollup, ReasonRollup, ("n",)),
)
# The place rollup of each finer one.
PLACE_OF = {finer: place for place, finer, _ in PLACE_ROLLUPS}

ROLLUP_MODELS = (
    StatusRollup,
    DecisionRollup,
    DecisionDayRollup,
    ReasonRollup,
    EvidenceViewRollup,
    StatusPlaceRollup,
    DecisionPlaceRollup,
    ReasonPlaceRollup,
)
