"""Each kind of tampering is caught at the right sequence number.

The tests go around the triggers as a superuser would, then run ``audit_verify``.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from portal.audit import chain
from portal.audit.actions import Action
from portal.audit.checkpoints import audit_checkpoint_write
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record, event_as_dict
from tests.audit_triggers import audit_triggers_bypassed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_KEY = "a-test-checkpoint-key"
    return settings.AUDIT_CHECKPOINT_FILE


@pytest.fixture
def five_events():
    with transaction.atomic():
        for i in range(1, 6):
            audit_record(action=Action.POLICY_CHANGED, object_type="test", object_id=str(i),
                         changes={"cap_per_operator": (i, i + 1)})  # fmt: skip


def verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, err.getvalue()
    return 0, out.getvalue()


def rehash(event: AuditEvent) -> None:
    event.hash = chain.event_hash(event_as_dict(event))


def test_an_intact_chain_passes_with_its_count_and_head(five_events):
    code, output = verify()
    assert code == 0
    assert "5 events" in output
    assert AuditEvent.objects.get(sequence=5).hash in output


def test_an_altered_event_is_named(five_events):
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(sequence=3).update(reason="nothing happened")
    code, output = verify()
    assert code == 1
    assert "sequence 3" in output


def test_a_removed_event_is_named(five_events):
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(sequence=2).delete()
    code, output = verify()
    assert code == 1
    assert "sequence 2" in output


def test_a_removed_last_event_is_caught_by_the_checkpoint(five_events):
    audit_checkpoint_write()
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(sequence=5).delete()
    code, output = verify()
    assert code == 1
    assert "sequence 5" in output


def test_an_inserted_event_is_named_where_the_chain_breaks(five_events):
    """A forged event slipped in after event 2, later events renumbered to make room."""
    with audit_triggers_bypassed():
        for sequence in (5, 4, 3):
            AuditEvent.objects.filter(sequence=sequence).update(sequence=sequence + 1)
        forged = AuditEvent(**{**event_as_dict(AuditEvent.objects.get(sequence=2)),
                               "sequence": 3, "object_id": "forged"})  # fmt: skip
        forged.prev_hash = AuditEvent.objects.get(sequence=2).hash
        rehash(forged)
        forged.save()
    code, output = verify()
    assert code == 1
    assert "sequence 4" in output, "the forged event links, the next one no longer does"


def test_reordered_events_are_named(five_events):
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(sequence=3).update(sequence=99)
        AuditEvent.objects.filter(sequence=4).update(sequence=3)
        AuditEvent.objects.filter(sequence=99).update(sequence=4)
    code, output = verify()
    assert code == 1
    assert "sequence 3" in output


def test_a_chain_rewritten_with_recomputed_hashes_is_caught_by_the_checkpoints(five_events):
    audit_checkpoint_write()
    with audit_triggers_bypassed():
        prev_hash = AuditEvent.objects.get(sequence=1).hash
        for event in AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"):
            if event.sequence == 2:
                event.changes = {"cap_per_operator": [2, 50]}
            event.prev_hash = prev_hash
            rehash(event)
            AuditEvent.objects.filter(pk=event.pk).update(
                changes=event.changes, prev_hash=event.prev_hash, hash=event.hash
            )
            prev_hash = event.hash
    assert verify_chain_only() == 0, "the chain alone looks fine"
    code, output = verify()
    assert code == 1
    assert "sequence 5" in output


def test_a_forged_checkpoint_is_caught(five_events, checkpoint_file):
    audit_checkpoint_write()
    text = checkpoint_file.read_text()
    checkpoint_file.write_text(text.replace('"sequence": 5', '"sequence": 4'))
    code, output = verify()
    assert code == 1
    assert "sequence 4" in output


def test_checkpoints_chain_their_signatures(five_events, checkpoint_file):
    first = audit_checkpoint_write()
    with transaction.atomic():
        audit_record(action=Action.POLICY_CHANGED)
    second = audit_checkpoint_write()
    assert audit_checkpoint_write() is None, "nothing new to sign"
    assert second.prev_signature == first.signature
    assert (first.sequence, second.sequence) == (5, 6)
    assert verify()[0] == 0


def verify_chain_only() -> int:
    try:
        call_command("audit_verify", "--no-checkpoints", stdout=io.StringIO())
    except SystemExit as exit_:
        return exit_.code
    return 0


def test_the_checkpoint_command_and_task_sign_the_head(five_events, checkpoint_file):
    from portal.audit.tasks import audit_checkpoint

    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "Signed event 5" in out.getvalue()
    with transaction.atomic():
        audit_record(action=Action.POLICY_CHANGED)
    assert audit_checkpoint.apply().get() == 6
    assert len(checkpoint_file.read_text().splitlines()) == 2
