# How and when the subscriber's consent was collected: a partner's app collects it itself.

import django.utils.timezone
from django.db import migrations, models


def collected_when_recorded(apps, schema_editor):
    """Every consent so far was recorded at an outlet, at the moment the subscriber agreed."""
    Consent = apps.get_model("verification", "Consent")
    Consent.objects.update(collected_at=models.F("recorded_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0002_challenge_schedule_capture_source_viewing_grant"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="collected_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="consent",
            name="method",
            field=models.CharField(
                choices=[
                    ("outlet_staff", "Recorded by outlet staff"),
                    ("in_app_checkbox", "Ticked in the partner's app"),
                    ("in_app_signature", "Signed in the partner's app"),
                ],
                default="outlet_staff",
                max_length=20,
            ),
        ),
        migrations.RunPython(collected_when_recorded, migrations.RunPython.noop),
    ]
