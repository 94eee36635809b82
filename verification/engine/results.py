"""The dataclasses the engine returns. ``to_dict()`` gives plain JSON-ready values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(item) for item in value]
    return value


@dataclass(slots=True)
class MatchReport:
    """The ID portrait against the best capture frames.

    ``decision`` is ``match``, ``review`` or ``no_match`` (None when no encoding could be made);
    ``distance`` is the smallest distance between the portrait and the encoded frames.
    """

    distance: float | None = None
    decision: str | None = None
    pass_threshold: float = 0.0
    review_threshold: float = 0.0
    frames: list[int] = field(default_factory=list)
    distances: list[float] = field(default_factory=list)


@dataclass(slots=True)
class IdentityReport:
    """The capture against itself: the largest distance between frames spread over it."""

    consistent: bool | None = None
    max_distance: float | None = None
    threshold: float = 0.0
    frames: list[int] = field(default_factory=list)
    discontinuities: list[int] = field(default_factory=list)


@dataclass(slots=True)
class LivenessReport:
    """Blinks, turns (the subject's left and right), looks, the challenge and its schedule.

    ``schedule``: the windows the challenge gave its actions (None: judged by order only);
    ``cuts``: the frames after a jump no real motion makes (a spliced recording).
    """

    blinks: int = 0
    blink_frames: list[int] = field(default_factory=list)
    turns_seen: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    challenge: list[str] | None = None
    challenge_met: bool = False
    frames_analysed: int = 0
    yaw_min_deg: float | None = None
    yaw_max_deg: float | None = None
    ear_baseline: float | None = None
    shape_motion: float | None = None
    mirrored: bool = False
    schedule: list[dict] | None = None
    cuts: list[int] = field(default_factory=list)


@dataclass(slots=True)
class QualityReport:
    portrait_faces: int | None = None
    portrait_face_px: float | None = None
    portrait_sharpness: float | None = None
    capture_kind: str | None = None
    capture_size: list[int] | None = None
    capture_fps: float | None = None
    frames_decoded: int = 0
    frames_analysed: int = 0
    face_visible_ratio: float | None = None
    max_faces_in_frame: int = 0
    multiple_face_frames: list[int] = field(default_factory=list)
    capture_face_px: float | None = None
    capture_sharpness: float | None = None
    detections: int = 0
    landmark_calls: int = 0
    encodings: int = 0


@dataclass(slots=True)
class VerificationResult:
    """The answer to one verification: a decision, the reasons behind it and the figures."""

    decision: str
    reasons: list[str]
    match: MatchReport
    liveness: LivenessReport
    identity: IdentityReport
    quality: QualityReport
    timings_ms: dict[str, float]
    thresholds: dict
    engine_version: str
    details: list[str] = field(default_factory=list)
    # The frames the match was computed on, as (frame index, RGB array at work scale): what a
    # reviewer needs to see. Pixels, so never part of ``to_dict``.
    key_frames: list[tuple[int, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        # asdict deep-copies every value: leave the pixels out before, not after.
        data = _rounded(asdict(replace(self, key_frames=[])))
        del data["key_frames"]
        return data


@dataclass(slots=True)
class CompareResult:
    distance: float | None
    same_person: bool
    threshold: float
    reasons: list[str]
    details: list[str] = field(default_factory=list)
    engine_version: str = ""

    def to_dict(self) -> dict:
        return _rounded(asdict(self))


@dataclass(slots=True)
class EvaluationResult:
    pairs: int
    pairs_scored: int
    accuracy: float | None
    fmr: float | None
    fnmr: float | None
    threshold: float
    recommended_threshold: float | None
    failures: list[str]
    same_person_max: float | None = None
    different_person_min: float | None = None
    errors: list[dict] = field(default_factory=list)
    engine_version: str = ""

    def to_dict(self) -> dict:
        return _rounded(asdict(self))
