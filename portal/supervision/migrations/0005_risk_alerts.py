# Written by hand: the operations Django expects for models/alerts.py (RiskAlert).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0005_subscriber_data_encrypted"),
        ("supervision", "0004_findings_and_notices"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RiskAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "signal",
                    models.CharField(
                        choices=[
                            ("failure_rate", "Failure rate above peers"),
                            ("review_rate", "Review rate above peers"),
                            ("retake_rate", "Retake rate above peers"),
                            ("override_rate", "Reviewer overrides the engine often"),
                            ("out_of_hours_share", "Work outside opening hours"),
                            ("burst", "Burst of registrations in an hour"),
                            ("uploaded_share", "Uploaded captures instead of the camera"),
                            ("near_threshold_share", "Matches just under the pass threshold"),
                            ("id_spread", "One ID at several outlets or operators"),
                            ("stuck", "Registrations stuck before a decision"),
                        ],
                        max_length=32,
                    ),
                ),
                (
                    "subject_kind",
                    models.CharField(
                        choices=[
                            ("outlet", "Outlet"),
                            ("staff", "Member of staff"),
                            ("subscriber", "Subscriber (ID)"),
                        ],
                        max_length=16,
                    ),
                ),
                ("subject_key", models.CharField(max_length=80)),
                ("score", models.FloatField()),
                ("detail", models.JSONField(blank=True, default=dict)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("under_review", "Under review"),
                            ("dismissed", "Dismissed"),
                            ("confirmed", "Confirmed"),
                        ],
                        default="new",
                        max_length=16,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("raised_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
                ("times_seen", models.PositiveIntegerField(default=1)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "assignee",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "operator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registrations.operator",
                    ),
                ),
                (
                    "outlet",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registrations.outlet",
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registrations.province",
                    ),
                ),
                (
                    "registrations",
                    models.ManyToManyField(
                        blank=True, related_name="+", to="registrations.registration"
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="registrations.subscriber",
                    ),
                ),
            ],
            options={
                "ordering": ["-score", "-raised_at"],
                "indexes": [
                    models.Index(fields=["status", "score"], name="riskalert_status_score"),
                    models.Index(
                        fields=["province", "status", "score"], name="riskalert_province_status"
                    ),
                    models.Index(
                        fields=["signal", "subject_key", "closed_at"], name="riskalert_cooldown"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status__in", ["new", "under_review"])),
                        fields=("signal", "subject_key"),
                        name="riskalert_one_open_per_subject",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["new", "under_review", "dismissed", "confirmed"])
                        ),
                        name="riskalert_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["new", "under_review"]),
                            ("closed_at__isnull", False),
                            _connector="OR",
                        ),
                        name="riskalert_closed_has_time",
                    ),
                ],
            },
        ),
    ]
