# Written by hand: its operations are filled in with the models of its module.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0002_rollups"),
        ("registrations", "0005_subscriber_data_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SpotCheck",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=100)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("decided_from", models.DateField()),
                ("decided_to", models.DateField()),
                ("size_method", models.CharField(choices=[("iso2859", "ISO 2859-1, general inspection level II"), ("fixed", "A fixed number")], max_length=8)),
                ("fixed_size", models.PositiveIntegerField(blank=True, null=True)),
                ("population_size", models.PositiveIntegerField()),
                ("code_letter", models.CharField(blank=True, max_length=1)),
                ("planned_size", models.PositiveIntegerField()),
                ("drawn_size", models.PositiveIntegerField()),
                ("seed", models.CharField(max_length=64)),
                ("oversampled_strata", models.JSONField(blank=True, default=list)),
                ("oversampling_factor", models.PositiveSmallIntegerField(default=2)),
                ("status", models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8)),
                ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="spot_checks_created", to=settings.AUTH_USER_MODEL)),
                ("operator", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="spot_checks", to="registrations.operator")),
                ("province", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="spot_checks", to="registrations.province")),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="SpotCheckSample",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("rank", models.PositiveIntegerField()),
                ("order_key", models.CharField(max_length=64)),
                ("original_decision", models.CharField(choices=[("approved", "Approved"), ("rejected", "Rejected")], max_length=8)),
                ("decided_in_review", models.BooleanField(default=False)),
                ("verdict", models.CharField(blank=True, choices=[("match", "Same person: match"), ("no_match", "Not the same person: no match"), ("cannot_tell", "Cannot tell")], max_length=12)),
                ("note", models.TextField(blank=True)),
                ("adjudicated_at", models.DateTimeField(blank=True, null=True)),
                ("adjudicated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="spot_check_adjudications", to=settings.AUTH_USER_MODEL)),
                ("operator", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registrations.operator")),
                ("province", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="registrations.province")),
                ("registration", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="spot_check_samples", to="registrations.registration")),
                ("spot_check", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="samples", to="supervision.spotcheck")),
            ],
            options={
                "ordering": ["spot_check", "operator", "province", "rank"],
            },
        ),
        migrations.AddConstraint(
            model_name="spotcheck",
            constraint=models.CheckConstraint(condition=models.Q(("decided_from__lte", models.F("decided_to"))), name="spot_check_period_in_order"),
        ),
        migrations.AddConstraint(
            model_name="spotcheck",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("size_method", "fixed"), ("fixed_size__gte", 1)), models.Q(("size_method", "iso2859"), ("fixed_size__isnull", True)), _connector="OR"), name="spot_check_fixed_size_only_when_fixed"),
        ),
        migrations.AddConstraint(
            model_name="spotcheck",
            constraint=models.CheckConstraint(condition=models.Q(("oversampling_factor__gte", 1)), name="spot_check_factor_at_least_one"),
        ),
        migrations.AddConstraint(
            model_name="spotchecksample",
            constraint=models.UniqueConstraint(fields=("spot_check", "registration"), name="spot_check_sample_once"),
        ),
        migrations.AddConstraint(
            model_name="spotchecksample",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("verdict", ""), ("adjudicated_at__isnull", True)), models.Q(models.Q(("verdict", ""), _negated=True), ("adjudicated_at__isnull", False)), _connector="OR"), name="spot_check_verdict_with_its_time"),
        ),
    ]
