"""The face verification engine: plain Python, no Django or Celery (see DESIGN.md).

Public API::

    from verification.engine import verify, Thresholds
    result = verify(portrait="id.jpg", capture="selfie.webm", challenge=["turn_left", "blink"])
    result = verify(portrait="id.jpg", capture="selfie.webm", schedule=[
        Step("turn_left", 1.0, 3.5), Step("blink", 4.0, 6.5)])
    result.decision, result.reasons, result.to_dict()

See README.md in this folder for the thresholds, the figures and the command line.
"""

from .config import DEFAULT_LIMITS, DEFAULT_THRESHOLDS, Limits, Thresholds
from .liveness import Step
from .media import MediaError, load_image
from .models import load_all as load_models
from .reasons import ACTIONS, ALL_REASONS, DECISIONS
from .results import (
    CompareResult,
    EvaluationResult,
    IdentityReport,
    LivenessReport,
    MatchReport,
    QualityReport,
    VerificationResult,
)
from .verify import compare, encode_portrait, parse_challenge, parse_schedule, verify
from .version import ENGINE_VERSION, __version__

__all__ = [
    "ACTIONS",
    "ALL_REASONS",
    "DECISIONS",
    "DEFAULT_LIMITS",
    "DEFAULT_THRESHOLDS",
    "ENGINE_VERSION",
    "CompareResult",
    "EvaluationResult",
    "IdentityReport",
    "Limits",
    "LivenessReport",
    "MatchReport",
    "MediaError",
    "QualityReport",
    "Step",
    "Thresholds",
    "VerificationResult",
    "__version__",
    "compare",
    "encode_portrait",
    "load_image",
    "load_models",
    "parse_challenge",
    "parse_schedule",
    "verify",
]
