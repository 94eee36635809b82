"""The audit table refuses UPDATE, DELETE and TRUNCATE, whoever asks through SQL.

Only a superuser going around triggers (``session_replication_role = replica``, or
dropping them) can change it, and then ``audit_verify`` and the signed checkpoints tell.
"""

from django.db import migrations

from portal.audit.triggers import (
    POSTGRES_INSTALL,
    POSTGRES_REMOVE,
    SQLITE_INSTALL,
    SQLITE_REMOVE,
)

def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_INSTALL)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REMOVE)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
