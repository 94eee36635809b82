"""Many writers at once on PostgreSQL leave one contiguous, valid chain."""

import threading

import pytest
from django.db import connection, transaction

from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.audit.verification import verify_chain
from tests.factories import is_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 8
EVENTS_PER_WRITER = 25


def test_parallel_writers_leave_a_contiguous_valid_chain():
    if not is_postgres():
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int):
        try:
            start.wait()
            for n in range(EVENTS_PER_WRITER):
                with transaction.atomic():
                    audit_record(action=Action.POLICY_CHANGED, object_type="writer",
                                 object_id=f"{writer}-{n}")  # fmt: skip
        except BaseException as error:  # noqa: BLE001  (reported below)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    total = WRITERS * EVENTS_PER_WRITER
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, total + 1))
    assert AuditEvent.objects.values("object_id").distinct().count() == total
    report = verify_chain()
    assert report.intact, report.problem
    assert report.events == total
