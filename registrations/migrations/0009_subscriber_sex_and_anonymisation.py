"""Keep the subscriber's sex apart from the sealed ID number, and let the number and the name
be deleted when the registration record's retention ends (the row stays, ``anonymised_at``).

The sex of the rows already there is read from their ID numbers, in chunks, with plain SQL
and the field's own decryption (a resident ID's 17th digit: odd male, even female).
"""

from django.db import migrations, models

import portal.lib.fieldcrypt
from portal.lib.fieldcrypt import decrypt

ID_NUMBER = "registrations.subscriber.id_number"
CHUNK = 2000


def _sex(id_number: str) -> str:
    digit = id_number[16:17]
    return ("male" if int(digit) % 2 else "female") if digit.isdigit() else ""


def fill_sex(apps, schema_editor):
    connection = schema_editor.connection
    table = connection.ops.quote_name("registrations_subscriber")
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, id_number FROM {table} WHERE id > %s "  # noqa: S608
                f"AND id_type = 'resident_id' ORDER BY id LIMIT {CHUNK}",
                [last_id],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                f"UPDATE {table} SET sex = %s WHERE id = %s",  # noqa: S608
                [(_sex(decrypt(number, context=ID_NUMBER)), pk) for pk, number in rows],
            )
            last_id = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0008_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, help_text="When the ID number and the name were deleted", null=True
            ),
        ),
        migrations.AddField(
            model_name="subscriber",
            name="sex",
            field=models.CharField(
                blank=True,
                choices=[("male", "Male"), ("female", "Female")],
                db_default="",
                max_length=8,
            ),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="full_name",
            field=portal.lib.fieldcrypt.EncryptedTextField(
                context="registrations.subscriber.full_name", null=True
            ),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="id_number",
            field=portal.lib.fieldcrypt.EncryptedTextField(
                context="registrations.subscriber.id_number", null=True
            ),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="id_number_index",
            field=portal.lib.fieldcrypt.BlindIndexField(
                null=True, purpose="registrations.subscriber.id_number", source="id_number"
            ),
        ),
        migrations.RunPython(fill_sex, migrations.RunPython.noop, elidable=True),
    ]
