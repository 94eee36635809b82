"""The chain as written: linked, contiguous, in the caller's transaction, append-only."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from portal.audit import chain
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import AuditError, audit_record
from portal.audit.verification import verify_chain

pytestmark = pytest.mark.django_db


def record(n: int = 1, **kwargs):
    with transaction.atomic():
        return [
            audit_record(action=Action.POLICY_CHANGED, object_type="test", object_id=str(i),
                         **kwargs)
            for i in range(n)
        ]  # fmt: skip


def test_it_links_each_event_to_the_one_before():
    first, second, third = record(3)
    assert (first.sequence, second.sequence, third.sequence) == (1, 2, 3)
    assert first.prev_hash == chain.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_the_stored_event_hashes_to_its_hash():
    record(2)
    for row in AuditEvent.objects.values(*chain.HASHED_FIELDS, "hash"):
        assert chain.event_hash(row) == row["hash"]
    report = verify_chain()
    assert report.intact
    assert report.events == 2
    assert report.head_hash == AuditEvent.objects.get(sequence=2).hash


@pytest.mark.django_db(transaction=True)  # else the test's own transaction is open
def test_it_refuses_to_write_outside_a_transaction():
    with pytest.raises(AuditError):
        audit_record(action=Action.POLICY_CHANGED)
    assert not AuditEvent.objects.exists()


def test_an_event_rolls_back_with_its_change():
    record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=Action.POLICY_CHANGED, object_type="test", object_id="lost")
        raise RuntimeError("the change failed")
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["0"]
    (next_event,) = record(1)
    assert next_event.sequence == 2, "no gap where the rolled-back event was"


def test_viewing_evidence_needs_a_reason():
    with pytest.raises(AuditError), transaction.atomic():
        audit_record(action=Action.EVIDENCE_VIEWED, object_type="evidence", object_id="1")
    with transaction.atomic():
        event = audit_record(
            action=Action.EVIDENCE_VIEWED, object_type="evidence", object_id="1",
            reason="Spot check 2026-17",
        )  # fmt: skip
    assert event.reason == "Spot check 2026-17"


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET reason = 'x'",
                                       "DELETE FROM audit_auditevent"])  # fmt: skip
def test_the_database_refuses_to_change_or_delete_events(statement):
    record(2)
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2
    assert verify_chain().intact


@pytest.mark.postgres  # TRUNCATE is PostgreSQL's
def test_the_database_refuses_to_truncate_events():
    record(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


def test_the_orm_cannot_change_an_event_either():
    (event,) = record(1)
    event.reason = "rewritten"
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        event.save()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.all().delete()
