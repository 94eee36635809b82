"""The hash covers everything an event says: changing any one stored field is caught.

The tests go around the triggers as a superuser would, change one field of event 3 of 5
without recomputing its hash, and run ``audit_verify``.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from portal.audit import chain
from portal.audit.actions import Action
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
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
