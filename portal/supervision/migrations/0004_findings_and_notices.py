# Written by hand: its operations are filled in with the models of its module.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_spot_checks"),
        ("registrations", "0005_subscriber_data_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Finding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("low", "Low"),
                            ("medium", "Medium"),
                            ("high", "High"),
                            ("critical", "Critical"),
                        ],
                        max_length=16,
                    ),
                ),
                ("description", models.TextField()),
                (
                    "source_kind",
                    models.CharField(
                        choices=[
                            ("manual", "Recorded by hand"),
                            ("spot_check", "Spot check"),
                            ("risk_alert", "Risk alert"),
                        ],
                        default="manual",
                        max_length=16,
                    ),
                ),
                ("source_ref", models.CharField(blank=True, max_length=64)),
                (
                    "recorded_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                (
                    "operator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="findings",
                        to="registrations.operator",
                    ),
                ),
                (
                    "outlets",
                    models.ManyToManyField(
                        blank=True, related_name="findings", to="registrations.outlet"
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        help_text="The province the finding is about: it decides which inspectors see it",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="findings",
                        to="registrations.province",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="findings_recorded",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "registrations",
                    models.ManyToManyField(
                        blank=True, related_name="findings", to="registrations.registration"
                    ),
                ),
                (
                    "staff",
                    models.ManyToManyField(
                        blank=True, related_name="findings_about", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-recorded_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Notice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("issued", "Issued"),
                            ("answered", "Answered"),
                            ("accepted", "Accepted"),
                            ("reopened", "Reopened"),
                        ],
                        default="issued",
                        max_length=16,
                    ),
                ),
                ("deadline", models.DateField()),
                ("required_actions", models.TextField(help_text="What the operator must do")),
                ("actions_taken", models.TextField(blank=True)),
                ("reopen_reason", models.TextField(blank=True)),
                (
                    "issued_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices_answered",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="The inspector who last accepted or reopened it",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices_decided",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "finding",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notice",
                        to="supervision.finding",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices_issued",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "operator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices",
                        to="registrations.operator",
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices",
                        to="registrations.province",
                    ),
                ),
            ],
            options={
                "ordering": ["deadline", "pk"],
            },
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["province", "recorded_at"], name="finding_province_time"),
        ),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(fields=["operator", "recorded_at"], name="finding_operator_time"),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(("severity__in", ["low", "medium", "high", "critical"])),
                name="finding_severity_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.CheckConstraint(
                condition=models.Q(("source_kind__in", ["manual", "spot_check", "risk_alert"])),
                name="finding_source_kind_valid",
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(
                fields=["operator", "status", "deadline"], name="notice_operator_state"
            ),
        ),
        migrations.AddIndex(
            model_name="notice",
            index=models.Index(
                fields=["province", "status", "deadline"], name="notice_province_state"
            ),
        ),
        migrations.AddConstraint(
            model_name="notice",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["issued", "answered", "accepted", "reopened"])),
                name="notice_status_valid",
            ),
        ),
    ]
