"""The registrations' foreign keys lose the index of their own that a composite index already
leads (created_by, operator, outlet, province and its LIKE twin, subscriber).

Only the indexes are dropped: Django's AlterField would also drop and re-add each foreign
key, checking ten million rows five times while it holds the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLE = "registrations_registration"
# (index, column) as Django named them when the foreign keys were created.
REDUNDANT = (
    ("registrations_registration_created_by_id_69ab75d0", "created_by_id"),
    ("registrations_registration_operator_id_20107f36", "operator_id"),
    ("registrations_registration_outlet_id_1aae87d5", "outlet_id"),
    ("registrations_registration_province_id_94dc8e3d", "province_id"),
    ("registrations_registration_subscriber_id_b109cc5b", "subscriber_id"),
)
PROVINCE_LIKE = "registrations_registration_province_id_94dc8e3d_like"  # PostgreSQL's


def drop_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in (*(name for name, _ in REDUNDANT), PROVINCE_LIKE):
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def create_indexes(apps, schema_editor):
    quote = schema_editor.quote_name
    for name, column in REDUNDANT:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(TABLE)} ({quote(column)})"
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(PROVINCE_LIKE)} "
            f"ON {quote(TABLE)} ({quote('province_id')} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0011_review_queue_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="registration",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations_created",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="operator",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations",
                        to="registrations.operator",
                        verbose_name="operator",
                    ),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="outlet",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations",
                        to="registrations.outlet",
                    ),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="province",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations",
                        to="registrations.province",
                        verbose_name="province",
                    ),
                ),
                migrations.AlterField(
                    model_name="registration",
                    name="subscriber",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="registrations",
                        to="registrations.subscriber",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
