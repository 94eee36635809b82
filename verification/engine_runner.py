"""The bridge between stored evidence and the engine: decrypt into memory, verify.

Face models are loaded once per process (``warm_up``, called when a worker process starts),
so a job pays only for the verification itself.
"""

from verification.engine import VerificationResult, load_models, verify
from verification.engine.verify import analyse_portrait
from verification.memfile import memory_path
from verification.models import BiometricEvidence, VerificationJob


def warm_up() -> None:
    load_models()


def portrait_problems(data: bytes) -> list[str]:
    """Engine reasons that make a portrait unusable (no face, two faces, unreadable...)."""
    with memory_path(data, "portrait") as path:
        return analyse_portrait(path).reasons


def _portrait_for(job: VerificationJob) -> BiometricEvidence:
    """The portrait that was current when the capture was made."""
    return job.registration.evidence.filter(
        kind=BiometricEvidence.Kind.PORTRAIT, created_at__lte=job.queued_at
    ).order_by("-created_at").first() or job.registration.evidence.filter(
        kind=BiometricEvidence.Kind.PORTRAIT
    ).latest("created_at")


def verify_job(job: VerificationJob) -> VerificationResult:
    portrait = _portrait_for(job)
    capture = job.evidence.get(kind=BiometricEvidence.Kind.CAPTURE)
    with (
        memory_path(portrait.file.read(), "portrait") as portrait_path,
        memory_path(capture.file.read(), "capture") as capture_path,
    ):
        return verify(portrait=portrait_path, capture=capture_path, challenge=job.challenge.actions)
