"""The outlet's lock holds its row alone: not its operator's, which every commit of a row that
points at the operator must share (PostgreSQL's deferred foreign-key check)."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from registrations.services import outlet_row_lock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def row_free(table: str, pk: int, mode: str) -> bool:
    """From another connection: can ``mode`` be taken on the row at once?"""
    answer = {}

    def probe():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                # The table and mode are this module's constants, never input.
                sql = f"SELECT 1 FROM {table} WHERE id = %s FOR {mode} NOWAIT"  # noqa: S608
                cursor.execute(sql, [pk])
            answer["free"] = True
        except OperationalError:
            answer["free"] = False
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join(timeout=10)
    return answer["free"]


def test_an_outlet_held_leaves_its_operator_and_foreign_keys_to_it_free(outlet_gd):
    with transaction.atomic():
        outlet_row_lock(outlet_gd.pk)
        # What a commit inserting a registration checks: the parents' rows, shared.
        assert row_free("registrations_operator", outlet_gd.operator_id, "KEY SHARE")
        assert row_free("registrations_operator", outlet_gd.operator_id, "UPDATE")
        assert row_free("registrations_outlet", outlet_gd.pk, "KEY SHARE")
        # Another writer at the same outlet waits its turn.
        assert not row_free("registrations_outlet", outlet_gd.pk, "NO KEY UPDATE")
