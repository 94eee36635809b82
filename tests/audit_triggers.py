"""Going around the audit table's triggers, as only a superuser can: for flushes and tampering."""

from contextlib import contextmanager

from django.db import connection

from portal.audit import triggers


def disable_audit_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        else:
            for statement in triggers.SQLITE_REMOVE:
                cursor.execute(statement)


def enable_audit_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            for statement in triggers.SQLITE_INSTALL:
                cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))


@contextmanager
def audit_triggers_bypassed():
    disable_audit_triggers()
    try:
        yield
    finally:
        enable_audit_triggers()
