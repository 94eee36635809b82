"""Seal subscribers' ID numbers and names, and find ID numbers by a keyed blind index.

The rows are converted in place with plain SQL (the historical model's fields would try to
open the plain text as a sealed value), in chunks so that a large table is not read at once.
Going back opens every row again and restores the plain columns.
"""

from django.db import migrations, models

import portal.lib.fieldcrypt
from portal.lib.fieldcrypt import blind_index, decrypt, encrypt

ID_NUMBER = "registrations.subscriber.id_number"
FULL_NAME = "registrations.subscriber.full_name"
CHUNK = 2000


def _convert(schema_editor, convert_row) -> None:
    connection = schema_editor.connection
    table = connection.ops.quote_name("registrations_subscriber")
    last_id = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, id_number, full_name FROM {table} WHERE id > %s "  # noqa: S608
                f"ORDER BY id LIMIT {CHUNK}",
                [last_id],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                f"UPDATE {table} SET id_number = %s, full_name = %s, "  # noqa: S608
                f"id_number_index = %s WHERE id = %s",
                [(*convert_row(number, name), pk) for pk, number, name in rows],
            )
            last_id = rows[-1][0]


def seal_rows(apps, schema_editor):
    def sealed(number, name):
        return (
            encrypt(number, context=ID_NUMBER),
            encrypt(name, context=FULL_NAME),
            blind_index(number, purpose=ID_NUMBER),
        )

    _convert(schema_editor, sealed)


def open_rows(apps, schema_editor):
    def opened(number, name):
        return decrypt(number, context=ID_NUMBER), decrypt(name, context=FULL_NAME), ""

    _convert(schema_editor, opened)


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0004_allow_uploaded_captures"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="subscriber", name="subscriber_id_unique"),
        migrations.RemoveConstraint(model_name="subscriber", name="subscriber_resident_id_format"),
        # Filled by seal_rows: the default serves only while the rows are converted.
        migrations.AddField(
            model_name="subscriber",
            name="id_number_index",
            field=models.CharField(default="", max_length=64, editable=False),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="id_number",
            field=portal.lib.fieldcrypt.EncryptedTextField(context=ID_NUMBER),
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="full_name",
            field=portal.lib.fieldcrypt.EncryptedTextField(context=FULL_NAME),
        ),
        migrations.RunPython(seal_rows, open_rows),
        migrations.AlterField(
            model_name="subscriber",
            name="id_number_index",
            field=portal.lib.fieldcrypt.BlindIndexField(purpose=ID_NUMBER, source="id_number"),
        ),
        migrations.AddConstraint(
            model_name="subscriber",
            constraint=models.UniqueConstraint(
                fields=("id_type", "id_number_index"), name="subscriber_id_index_unique"
            ),
        ),
    ]
