"""Statements PostgreSQL plans once per connection, for the few reads where planning the
query costs more than running it.

A lookup by primary key with a few joins runs in tens of microseconds and takes ten times as
long to plan, on every request. ``fetchone_prepared`` sends ``PREPARE`` the first time a
connection meets a statement, then only ``EXECUTE``. Both go through Django's cursor, so
they are logged and counted like any query. A new connection (``connection_created``) starts
with none prepared. On other databases the statement is simply run.

Not for a pooler in transaction mode (pgbouncer's ``pool_mode = transaction``): the server
connection, and so its prepared statements, may change between two transactions.
"""

import re
from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

_PREPARED = "_portal_prepared_statements"  # on the DatabaseWrapper: the names prepared
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


def fetchone_prepared(name: str, sql: str, params: Sequence) -> tuple | None:
    """The first row of ``sql`` (placeholders ``%s``) run with ``params``; ``name`` must be
    unique to this text of the statement."""
    # The thread's own DatabaseWrapper (``django.db.connection`` is a proxy shared by all).
    database = connections[DEFAULT_DB_ALIAS]
    with database.cursor() as cursor:
        if database.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchone()
        prepared = database.__dict__.setdefault(_PREPARED, set())
        if name not in prepared:
            cursor.execute(f"PREPARE {_checked(name)} AS {_numbered(sql)}")
            prepared.add(name)
        placeholders = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXECUTE {name} ({placeholders})" if params else f"EXECUTE {name}", params)
        return cursor.fetchone()


def _checked(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a statement name: {name!r}")
    return name


def _numbered(sql: str) -> str:
    """``%s`` placeholders as PostgreSQL's ``$1``, ``$2``..."""
    if "%%" in sql or "%(" in sql:
        raise ValueError("only plain %s placeholders can be prepared")
    parts = sql.split("%s")
    return "".join(
        part + (f"${number}" if number < len(parts) else "")
        for number, part in enumerate(parts, start=1)
    )


def _forget_prepared(sender, connection, **kwargs) -> None:
    connection.__dict__.pop(_PREPARED, None)


connection_created.connect(_forget_prepared, dispatch_uid="portal.lib.prepared")
