# Written by hand: its operations are filled in with the models of its module.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatusRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("operator_id", models.IntegerField()),
                ("province_code", models.CharField(max_length=6)),
                ("outlet_id", models.IntegerField(help_text="0 for the online channel")),
                (
                    "staff_id",
                    models.IntegerField(help_text="The account that created the registration"),
                ),
                ("channel", models.CharField(max_length=10)),
                ("status", models.CharField(max_length=16)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["province_code", "day"], name="status_rollup_province")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "operator_id",
                            "province_code",
                            "outlet_id",
                            "staff_id",
                            "channel",
                            "status",
                        ),
                        name="status_rollup_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DecisionRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("operator_id", models.IntegerField()),
                ("province_code", models.CharField(max_length=6)),
                ("outlet_id", models.IntegerField(help_text="0 for the online channel")),
                (
                    "staff_id",
                    models.IntegerField(help_text="The account that created the registration"),
                ),
                ("channel", models.CharField(max_length=10)),
                ("outcome", models.CharField(max_length=16)),
                (
                    "reviewer_id",
                    models.IntegerField(help_text="The reviewer who decided it; 0 for the engine"),
                ),
                (
                    "override",
                    models.BooleanField(
                        help_text="A reviewer decided against the engine's decision"
                    ),
                ),
                ("age_band", models.CharField(max_length=8)),
                ("sex", models.CharField(max_length=8)),
                (
                    "source",
                    models.CharField(
                        help_text="Of the last capture; 'none' without one", max_length=8
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField()),
                ("n", models.IntegerField(default=0)),
                (
                    "seconds",
                    models.BigIntegerField(
                        default=0, help_text="Sum of upload-to-decision seconds"
                    ),
                ),
                ("h00", models.IntegerField(default=0)),
                ("h01", models.IntegerField(default=0)),
                ("h02", models.IntegerField(default=0)),
                ("h03", models.IntegerField(default=0)),
                ("h04", models.IntegerField(default=0)),
                ("h05", models.IntegerField(default=0)),
                ("h06", models.IntegerField(default=0)),
                ("h07", models.IntegerField(default=0)),
                ("h08", models.IntegerField(default=0)),
                ("h09", models.IntegerField(default=0)),
                ("h10", models.IntegerField(default=0)),
                ("h11", models.IntegerField(default=0)),
                ("h12", models.IntegerField(default=0)),
                ("h13", models.IntegerField(default=0)),
                ("h14", models.IntegerField(default=0)),
                ("h15", models.IntegerField(default=0)),
                ("h16", models.IntegerField(default=0)),
                ("h17", models.IntegerField(default=0)),
                ("h18", models.IntegerField(default=0)),
                ("h19", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["province_code", "day"], name="decision_rollup_province")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "operator_id",
                            "province_code",
                            "outlet_id",
                            "staff_id",
                            "channel",
                            "outcome",
                            "reviewer_id",
                            "override",
                            "age_band",
                            "sex",
                            "source",
                            "attempts",
                        ),
                        name="decision_rollup_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReasonRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("operator_id", models.IntegerField()),
                ("province_code", models.CharField(max_length=6)),
                ("outlet_id", models.IntegerField(help_text="0 for the online channel")),
                ("channel", models.CharField(max_length=10)),
                ("outcome", models.CharField(max_length=16)),
                ("reason", models.CharField(max_length=40)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "operator_id",
                            "province_code",
                            "outlet_id",
                            "channel",
                            "outcome",
                            "reason",
                        ),
                        name="reason_rollup_key",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="EvidenceViewRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("operator_id", models.IntegerField()),
                ("province_code", models.CharField(max_length=6)),
                ("channel", models.CharField(max_length=10)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "operator_id", "province_code", "channel"),
                        name="evidence_view_rollup_key",
                    )
                ],
            },
        ),
    ]
