"""The bridge between stored evidence and the engine: decrypt into memory, verify.

Face models are loaded once per process (``warm_up``, called when a worker process starts),
so a job pays only for the verification itself.
"""

from verification.engine import VerificationResult, load_models, verify
from verification.engine.verify import analyse_portrait
from verification.memfile import memory_path
from verification.models import BiometricEvidence, VerificationJob
from verification.selectors import current_portrait, evidence_read


def warm_up() -> None:
    load_models()


def portrait_problems(data: bytes) -> list[str]:
    """Engine reasons that make a portrait unusable (no face, two faces, unreadable...)."""
    with memory_path(data, "portrait") as path:
        return analyse_portrait(path).reasons


def verify_job(job: VerificationJob) -> VerificationResult:
    # Portraits are uploaded only while a draft, so the current one is the one captured against.
    portrait = current_portrait(job.registration)
    capture = job.evidence.get(kind=BiometricEvidence.Kind.CAPTURE)
    with (
        memory_path(evidence_read(portrait), "portrait") as portrait_path,
        memory_path(evidence_read(capture), "capture") as capture_path,
    ):
        return verify(
            portrait=portrait_path,
            capture=capture_path,
            challenge=job.challenge.actions,
            # Each action counts only inside its window (challenges issued before schedules
            # existed have none, and are judged by order).
            schedule=job.challenge.schedule or None,
        )
