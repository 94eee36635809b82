"""Each kind of tampering is caught at the right sequence number.

The tests go around the triggers as a superuser would, then run ``audit_verify``. The hash
covers everything an event says: changing any one stored field of event 3 of 5, without
recomputing its hash, is caught there.
"""

import io
from datetime import timedelta

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

# What ``audit_verify`` says for each field: the sequence and the previous hash are checked
# before the hash (a renumbered event leaves a gap, a changed ``prev_hash`` no longer links),
# every other field only through the hash.
ALTERED = "event 3 was altered: its content does not match its hash"
# A new value for each stored field of event 3 (a function of the stored event).
TAMPERING = {
    "sequence": (lambda event: 99, "event 3 is missing"),
    "occurred_at": (lambda event: event.occurred_at + timedelta(seconds=1), ALTERED),
    "actor_type": (lambda event: AuditEvent.ActorType.USER, ALTERED),
    "actor_id": (lambda event: "42", ALTERED),
    "actor_label": (lambda event: "somebody else", ALTERED),
    "actor_role": (lambda event: "ministry_admin", ALTERED),
    "action": (lambda event: Action.OPERATOR_CHANGED, ALTERED),
    "object_type": (lambda event: "registration", ALTERED),
    "object_id": (lambda event: "999", ALTERED),
    "operator_id": (lambda event: 999, ALTERED),
    "province_code": (lambda event: "110000", ALTERED),
    "changes": (lambda event: {"cap_per_operator": [3, 50]}, ALTERED),
    "ip_address": (lambda event: "10.9.8.7", ALTERED),
    "user_agent": (lambda event: "Forged/1.0", ALTERED),
    "request_id": (lambda event: "forged-request", ALTERED),
    "reason": (lambda event: "nothing happened", ALTERED),
    "prev_hash": (lambda event: "f" * 64, "event 3 does not link to event 2"),
}


def stored_fields() -> set[str]:
    """Every column of the event but the database's row id and the hash itself.

    ``id`` is left out on purpose: it is the database's surrogate key, assigned by the
    database when the row is inserted, after ``audit_record`` has computed the hash, and it
    says nothing about the event (a dump restored elsewhere may number rows differently).
    The event's place in the trail is ``sequence``, which the hash covers.
    """
    return {field.name for field in AuditEvent._meta.concrete_fields} - {"id", "hash"}


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


# --- Every stored field is hashed ------------------------------------------------------


def test_it_hashes_every_stored_field_of_an_event_but_its_id_and_its_hash():
    assert AuditEvent._meta.pk.name == "id", "the row id is the auto primary key, not hashed"
    assert len(chain.HASHED_FIELDS) == len(set(chain.HASHED_FIELDS))
    assert set(chain.HASHED_FIELDS) == stored_fields()


def test_it_has_a_tampering_case_for_every_stored_field():
    assert set(TAMPERING) == stored_fields()


@pytest.mark.parametrize("field", TAMPERING)
def test_it_gives_another_hash_when_any_one_field_changes(field):
    with transaction.atomic():
        event = audit_record(action=Action.POLICY_CHANGED, object_type="test", object_id="1")
    stored = {name: getattr(event, name) for name in stored_fields()}
    assert chain.event_hash(stored) == event.hash
    new_value, _ = TAMPERING[field]
    changed = {**stored, field: new_value(event)}
    assert changed[field] != stored[field]
    assert chain.event_hash(changed) != event.hash


@pytest.mark.parametrize("field", TAMPERING)
def test_it_names_the_event_whose_stored_field_was_changed_without_rehashing(five_events, field):
    event = AuditEvent.objects.get(sequence=3)
    new_value, problem = TAMPERING[field]
    value = new_value(event)
    assert value != getattr(event, field), "the test must really change the field"
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(pk=event.pk).update(**{field: value})
    assert getattr(AuditEvent.objects.get(pk=event.pk), field) == value
    code, output = verify()
    assert code == 1
    assert f"BROKEN at sequence 3: {problem}" in output
