from django.db import migrations

from registrations.provinces import PROVINCES


def load_provinces(apps, schema_editor):
    Province = apps.get_model("registrations", "Province")
    for code, name, name_en in PROVINCES:
        Province.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("registrations", "0001_initial")]

    operations = [migrations.RunPython(load_provinces, migrations.RunPython.noop)]
