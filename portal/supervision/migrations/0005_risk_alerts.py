# Written by hand: its operations are filled in with the models of its module.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_findings_and_notices"),
    ]

    operations = []
