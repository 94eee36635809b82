"""The hash chain: a canonical encoding of an event and the hash that links it.

Pure functions over plain dicts, so ``audit_verify`` and the writer cannot disagree.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64

# The fields an event's hash covers, in this order (the hash itself excluded).
HASHED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_type",
    "actor_id",
    "actor_label",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "operator_id",
    "province_code",
    "changes",
    "ip_address",
    "user_agent",
    "request_id",
    "reason",
    "prev_hash",
)


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_encoding(event: dict) -> bytes:
    body = {field: event.get(field) for field in HASHED_FIELDS}
    body["occurred_at"] = _timestamp(body["occurred_at"])
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: dict) -> str:
    """SHA-256 over the previous hash and the canonical encoding of the event."""
    digest = hashlib.sha256()
    digest.update(event["prev_hash"].encode())
    digest.update(canonical_encoding(event))
    return digest.hexdigest()


def checkpoint_signature(*, key: bytes, sequence: int, head_hash: str, prev_signature: str) -> str:
    message = f"{sequence}:{head_hash}:{prev_signature}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
