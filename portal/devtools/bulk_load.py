"""A large load into a PostgreSQL table, with its indexes and foreign keys set aside.

Keeping twenty indexes up to date row by row, and queueing a deferred foreign-key check for
every row, costs the database more than the rows themselves. For a load that at least
doubles a table it is cheaper to drop them, load, and build each index once from the
sorted rows; a foreign key added back is checked in one query over the table.

Everything happens inside the caller's transaction (PostgreSQL's DDL is transactional):
if the load fails, the rollback brings the indexes and keys back as they were, with none
of the rows. The definitions are read from the catalogue, so what comes back is exactly
what the migrations made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

# Memory for each index build's sort, for this transaction only (the default is 64 MB).
INDEX_BUILD_MEMORY = "512MB"


@dataclass(frozen=True)
class SetAside:
    """What was dropped: each index's CREATE statement, each foreign key's definition."""

    indexes: dict[str, str]  # name -> CREATE INDEX ...
    foreign_keys: dict[str, str]  # name -> FOREIGN KEY (...) REFERENCES ...


def _set_aside_definitions(table: str) -> SetAside:
    with connection.cursor() as cursor:
        # Indexes that no constraint owns: the primary key and unique constraints stay, as
        # other tables' foreign keys and the loader's own lookups need them. Partial indexes
        # stay too: their predicate does not come back from its text exactly as the
        # migration wrote it (an IN list is re-cast element by element).
        cursor.execute(
            """
            SELECT index_class.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class index_class ON index_class.oid = i.indexrelid
            WHERE i.indrelid = %s::regclass
              AND i.indpred IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY index_class.relname
            """,
            [table],
        )
        indexes = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'f'
            ORDER BY conname
            """,
            [table],
        )
        foreign_keys = dict(cursor.fetchall())
    return SetAside(indexes=indexes, foreign_keys=foreign_keys)


def _drop(table: str, aside: SetAside) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # A table with deferred checks still pending in this transaction cannot be altered:
        # run them now (Django's foreign keys are all INITIALLY DEFERRED).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in aside.foreign_keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name in aside.indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")


def _rebuild(table: str, aside: SetAside, progress: Callable[[str], None] | None) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])
        for number, statement in enumerate(aside.indexes.values(), start=1):
            cursor.execute(statement)
            if progress is not None:
                progress(f"{table}: index {number} of {len(aside.indexes)} built")
        for name, definition in aside.foreign_keys.items():
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        if progress is not None and aside.foreign_keys:
            progress(f"{table}: {len(aside.foreign_keys)} foreign keys checked")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to how the keys were declared


@contextmanager
def indexes_set_aside(
    model, *, progress: Callable[[str], None] | None = None
) -> Iterator[SetAside]:
    """Drop ``model``'s table's secondary indexes and foreign keys, and rebuild them after
    the block. Must run inside a transaction: a failure rolls all of it back."""
    if connection.vendor != "postgresql":
        raise RuntimeError("indexes are set aside on PostgreSQL only")
    if not connection.in_atomic_block:
        raise RuntimeError("indexes are set aside inside a transaction only")
    table = model._meta.db_table
    aside = _set_aside_definitions(table)
    _drop(table, aside)
    yield aside
    _rebuild(table, aside, progress)
