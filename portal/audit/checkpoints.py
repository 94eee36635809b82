"""Signed checkpoints of the chain's head, appended to a file meant for write-once storage."""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from portal.audit import chain
from portal.audit.models import AuditEvent
from portal.audit.verification import Checkpoint, read_checkpoints


def checkpoint_key() -> bytes:
    if not settings.AUDIT_CHECKPOINT_KEY:
        raise ImproperlyConfigured("AUDIT_CHECKPOINT_KEY is not set")
    return settings.AUDIT_CHECKPOINT_KEY.encode()


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def audit_checkpoint_write() -> Checkpoint | None:
    """Sign the current head and append it; None when the chain is empty or unchanged."""
    path, key = checkpoint_path(), checkpoint_key()
    head = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
    if head is None:
        return None
    earlier = read_checkpoints(path)
    if earlier and earlier[-1].sequence == head["sequence"]:
        return None
    prev_signature = earlier[-1].signature if earlier else ""
    checkpoint = Checkpoint(
        sequence=head["sequence"],
        hash=head["hash"],
        prev_signature=prev_signature,
        signature=chain.checkpoint_signature(
            key=key,
            sequence=head["sequence"],
            head_hash=head["hash"],
            prev_signature=prev_signature,
        ),
        signed_at=timezone.now().isoformat(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        file.write(json.dumps(checkpoint.__dict__, sort_keys=True) + "\n")
    return checkpoint
