"""The one way to write to the audit trail.

``audit_record`` must run inside the transaction of the change it records: it refuses to run
outside one, so no change commits without its event and no event outlives a rollback.
"""

from django.db import connection, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from portal.audit import chain
from portal.audit.actions import ACTIONS_REQUIRING_REASON, Action
from portal.audit.context import current_request_meta
from portal.audit.hooks import event_recorded
from portal.audit.masking import masked_changes
from portal.audit.models import AuditEvent

# Any constant works: it names "the audit chain" among PostgreSQL's advisory locks.
_CHAIN_LOCK_KEY = 0x5A1D_A0D1


class AuditError(Exception):
    pass


def _lock_chain() -> None:
    """Serialize appends: one writer at a time reads the head and links to it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite: the portal opens write transactions with BEGIN IMMEDIATE, one writer at a time.


def _actor_fields(actor, meta) -> dict:
    if actor is None:
        return {"actor_type": "system", "actor_id": "", "actor_label": "system", "actor_role": ""}
    if isinstance(actor, str):
        return {"actor_type": "anonymous", "actor_id": "", "actor_label": actor, "actor_role": ""}
    # The actor says what it is: the audit trail sits below the accounts and takes the role
    # (a choice with a ``value``, or None) from the user object its caller passes.
    role = getattr(actor, "role", None)
    if meta.api_key_id and actor.pk == meta.api_key_account_id:
        return {
            "actor_type": AuditEvent.ActorType.API_KEY,
            "actor_id": meta.api_key_id,
            "actor_label": actor.get_username(),
            "actor_role": role.value if role else "",
        }
    return {
        "actor_type": AuditEvent.ActorType.USER,
        "actor_id": str(actor.pk),
        "actor_label": actor.get_username(),
        "actor_role": role.value if role else ("superuser" if actor.is_superuser else ""),
    }


def audit_record(
    *,
    action: Action,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    operator_id: int | None = None,
    province_code: str = "",
    changes: dict[str, tuple] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user, None for the system, or a string naming an unknown party (a failed
    sign-in). ``changes`` maps fields to (before, after); personal values are masked here.
    """
    if not connection.in_atomic_block:
        raise AuditError("audit_record must run inside the transaction of the change")
    if action in ACTIONS_REQUIRING_REASON and not reason.strip():
        raise AuditError(f"{action} needs a reason")
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        if operator_id is None:
            operator_id = getattr(obj, "operator_id", None)
        province_code = province_code or getattr(obj, "province_id", None) or ""
    meta = current_request_meta()
    _lock_chain()
    head = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
    event = AuditEvent(
        sequence=(head["sequence"] + 1) if head else 1,
        occurred_at=timezone.now(),
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        operator_id=operator_id,
        province_code=province_code,
        changes=masked_changes(changes or {}),
        ip_address=_normalized_ip(meta.ip_address),
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        reason=reason.strip(),
        prev_hash=head["hash"] if head else chain.GENESIS_HASH,
        **_actor_fields(actor, meta),
    )
    event.hash = chain.event_hash(event_as_dict(event))
    event.save()
    event_recorded.send(sender=AuditEvent, event=event)
    return event


def _normalized_ip(address: str | None) -> str | None:
    # Hash the address as the database will store it (IPv6 is stored in its short form).
    if address and ":" in address:
        return clean_ipv6_address(address)
    return address


def event_as_dict(event: AuditEvent) -> dict:
    return {field: getattr(event, field) for field in chain.HASHED_FIELDS}


def audit_in_transaction(**kwargs) -> AuditEvent:
    """Record an event that is a change of its own (a sign-in, an export)."""
    with transaction.atomic():
        return audit_record(**kwargs)
