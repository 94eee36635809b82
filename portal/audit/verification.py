"""Walk the chain and the signed checkpoints: is the trail what was written?"""

import json
from dataclasses import dataclass
from pathlib import Path

from portal.audit import chain
from portal.audit.models import AuditEvent

_BATCH = 5000


@dataclass(frozen=True)
class ChainReport:
    events: int
    head_hash: str
    first_bad_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_sequence is None


def verify_chain() -> ChainReport:
    """Recompute every link in sequence order; stop at the first event that does not fit."""
    expected_sequence, prev_hash, count = 1, chain.GENESIS_HASH, 0
    rows = AuditEvent.objects.order_by("sequence").values(*chain.HASHED_FIELDS, "hash")
    for row in rows.iterator(chunk_size=_BATCH):
        if row["sequence"] != expected_sequence:
            return ChainReport(
                count, prev_hash, expected_sequence,
                f"event {expected_sequence} is missing (next is {row['sequence']})",
            )  # fmt: skip
        if row["prev_hash"] != prev_hash:
            return ChainReport(
                count, prev_hash, expected_sequence,
                f"event {expected_sequence} does not link to event {expected_sequence - 1}",
            )  # fmt: skip
        if chain.event_hash(row) != row["hash"]:
            return ChainReport(
                count, prev_hash, expected_sequence,
                f"event {expected_sequence} was altered: its content does not match its hash",
            )  # fmt: skip
        prev_hash, count = row["hash"], count + 1
        expected_sequence += 1
    return ChainReport(count, prev_hash)


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    prev_signature: str
    signature: str
    signed_at: str


def read_checkpoints(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    return [Checkpoint(**json.loads(line)) for line in lines]


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    first_bad_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.first_bad_sequence is None


def verify_checkpoints(*, path: Path, key: bytes) -> CheckpointReport:
    """Each checkpoint is signed, links to the one before, and matches the chain today."""
    try:
        checkpoints = read_checkpoints(path)
    except (ValueError, TypeError) as error:
        return CheckpointReport(0, 0, f"the checkpoint file cannot be read: {error}")
    prev_signature = ""
    hashes = dict(
        AuditEvent.objects.filter(sequence__in=[c.sequence for c in checkpoints]).values_list(
            "sequence", "hash"
        )
    )
    for number, checkpoint in enumerate(checkpoints):
        expected = chain.checkpoint_signature(
            key=key,
            sequence=checkpoint.sequence,
            head_hash=checkpoint.hash,
            prev_signature=prev_signature,
        )
        if checkpoint.prev_signature != prev_signature or checkpoint.signature != expected:
            return CheckpointReport(
                number, checkpoint.sequence,
                f"checkpoint at event {checkpoint.sequence} is not signed by the audit key",
            )  # fmt: skip
        if hashes.get(checkpoint.sequence) != checkpoint.hash:
            return CheckpointReport(
                number, checkpoint.sequence,
                f"event {checkpoint.sequence} no longer has the hash its checkpoint signed",
            )  # fmt: skip
        prev_signature = checkpoint.signature
    return CheckpointReport(len(checkpoints))
